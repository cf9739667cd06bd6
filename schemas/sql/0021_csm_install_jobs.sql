-- The CSM face's install jobs (model/csm/install_job.hpp, model/stores/csm_job_store.hpp): one
-- action on one host at a scheduled time, possibly after another job of that host. The ids come
-- from a sequence and are never reused: CSM's clients and a job's dependants know a job by its id.
-- The action and the status are CHECKed in the spelling of install_job.hpp's names, so every
-- stored value parses. A running job is owned through two rows of `leases` ('install_job', its id;
-- 'csm_device', its hostname), written in the transactions that start and end it.
--
-- The references:
--   * host_id RESTRICT: a host is deleted with its jobs by DeleteHost, which refuses while one
--     runs.
--   * dependency SET NULL: DeleteJob first fails the scheduled jobs that depended on the job
--     (they could never run: their dependency will not complete), with a message naming it, in
--     the same transaction; the CSM face deletes them too when it cascades. Not CASCADE: the
--     face reports what it deleted.
--   * repository_id SET NULL: NULL when the action needs no repository; a repository may be
--     deleted once no job that has not finished names it (DeleteServerRepository), and the
--     finished jobs it leaves show none.
-- The command profiles are names, not references: the job keeps the names it was created with,
-- and DeleteCommandProfile refuses a profile that a job not yet finished names.
CREATE TABLE csm_install_jobs (
    id                   bigserial PRIMARY KEY,
    host_id              bigint NOT NULL REFERENCES csm_hosts ON DELETE RESTRICT,
    action               text NOT NULL CHECK (action IN ('Pre-Upgrade', 'Add', 'Activate',
                             'Post-Upgrade', 'Commit', 'Remove', 'Deactivate',
                             'Remove All Inactive')),
    scheduled_time       timestamptz NOT NULL,
    dependency           bigint REFERENCES csm_install_jobs (id) ON DELETE SET NULL,
    repository_id        bigint REFERENCES csm_server_repositories ON DELETE SET NULL,
    server_directory     text NOT NULL DEFAULT '',
    software_packages    text[] NOT NULL DEFAULT '{}',
    command_profiles     text[] NOT NULL DEFAULT '{}',
    status               text NOT NULL DEFAULT 'scheduled'
                             CHECK (status IN ('scheduled', 'in-progress', 'completed', 'failed')),
    start_time           timestamptz,
    -- When the status last changed: NULL while the job waits as it was created.
    status_time          timestamptz,
    status_message       text NOT NULL DEFAULT '',
    trace                text NOT NULL DEFAULT '',
    warnings_or_errors   text[] NOT NULL DEFAULT '{}',
    package_change_list  text[] NOT NULL DEFAULT '{}',
    created_by           text NOT NULL DEFAULT '',
    -- The running job's record of its steps (the engine's JSON), for a takeover to resume from.
    progress             text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now()
);
-- For the claim of due jobs and the earliest scheduled time: only the jobs still waiting.
CREATE INDEX csm_install_jobs_due ON csm_install_jobs (scheduled_time, id)
    WHERE status = 'scheduled';
-- For the lists of a host's jobs, and DeleteHost's check and delete.
CREATE INDEX csm_install_jobs_by_host ON csm_install_jobs (host_id);
-- For the dependants of a job: DependantsOf, the failure of a job's dependants, SET NULL.
CREATE INDEX csm_install_jobs_by_dependency ON csm_install_jobs (dependency);
