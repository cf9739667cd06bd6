// PgStore: the prepared statements of the CSM face's install jobs
// (schemas/sql/0021_csm_install_jobs.sql) and of their leases (0018_leases.sql). The C++ that
// executes them, and why a claim is split into the statements it is, is pg_csm_jobs.cpp.

#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

// The columns of csm::InstallJob, in the order pg_csm_jobs.cpp reads them, of the jobs row `j`
// (ESCD_CSM_JOB_JOINS names it and joins its host and repository).
#define ESCD_CSM_JOB_COLUMNS                                                                     \
    "SELECT j.id, h.hostname, j.action, (extract(epoch FROM j.scheduled_time) * 1000)::bigint, " \
    "j.dependency, COALESCE(r.hostname, ''), j.server_directory, j.software_packages, "          \
    "j.command_profiles, j.status, (extract(epoch FROM j.start_time) * 1000)::bigint, "          \
    "(extract(epoch FROM j.status_time) * 1000)::bigint, j.status_message, j.trace, "            \
    "j.warnings_or_errors, j.package_change_list, j.created_by, j.progress "
#define ESCD_CSM_JOB_JOINS                    \
    "j JOIN csm_hosts h ON h.id = j.host_id " \
    "LEFT JOIN csm_server_repositories r ON r.id = j.repository_id "
#define ESCD_CSM_JOBS ESCD_CSM_JOB_COLUMNS "FROM csm_install_jobs " ESCD_CSM_JOB_JOINS

const std::pair<const char*, const char*> kCsmJobStatements[] = {
    // $1: the hostname; $4: the dependency ('' : none); $5: the repository's name ('' : none);
    // $8: the command profiles' names (a text[]). Answers whether the host and the repository
    // were found, the first profile not found, and the new job's id (NULL: nothing stored). What
    // it names is locked (KEY SHARE) until the commit, so that a concurrent delete of the host
    // or a profile either is seen here or sees the job, and one of the repository or the
    // dependency waits for the job's foreign keys to be settled.
    {"csm_create_job",
     "WITH h AS (SELECT id FROM csm_hosts WHERE hostname = $1 AND retired_at IS NULL "
     "           FOR KEY SHARE), "
     "r AS (SELECT id FROM csm_server_repositories WHERE hostname = $5 FOR KEY SHARE), "
     "wanted AS (SELECT w.name, w.ord FROM unnest($8::text[]) WITH ORDINALITY AS w(name, ord)), "
     "found AS (SELECT w.ord FROM wanted w JOIN csm_command_profiles p ON p.name = w.name "
     "          FOR KEY SHARE OF p), "
     "missing AS (SELECT name FROM wanted WHERE ord NOT IN (SELECT ord FROM found) "
     "            ORDER BY ord LIMIT 1), "
     "job AS (INSERT INTO csm_install_jobs (host_id, action, scheduled_time, dependency, "
     "        repository_id, server_directory, software_packages, command_profiles, created_by) "
     "        SELECT h.id, $2, to_timestamp($3::double precision / 1000), NULLIF($4, '')::bigint, "
     "        (SELECT id FROM r), $6, $7::text[], $8::text[], $9 FROM h "
     "        WHERE ($5 = '' OR EXISTS (SELECT 1 FROM r)) AND NOT EXISTS (SELECT 1 FROM missing) "
     "        RETURNING id) "
     "SELECT EXISTS (SELECT 1 FROM h), $5 = '' OR EXISTS (SELECT 1 FROM r), "
     "(SELECT name FROM missing), (SELECT id FROM job)"},
    {"csm_get_job", ESCD_CSM_JOBS "WHERE j.id = $1"},
    // $1..$5: the filter's id, hostname, action, statuses (a text[], empty: any) and earliest
    // scheduled time in ms, each NULL when unset; $6: the limit.
    {"csm_list_jobs", ESCD_CSM_JOBS
     "WHERE ($1::bigint IS NULL OR j.id = $1) AND ($2::text IS NULL OR h.hostname = $2) "
     "AND ($3::text IS NULL OR j.action = $3) "
     "AND (cardinality($4::text[]) = 0 OR j.status = ANY($4::text[])) "
     "AND ($5::bigint IS NULL OR j.scheduled_time >= to_timestamp($5::bigint::double precision "
     "/ 1000)) ORDER BY j.id LIMIT $6"},
    {"csm_dependants_of", ESCD_CSM_JOBS "WHERE j.dependency = $1 ORDER BY j.id"},
    // DeleteJob: the lock (a create that names the job as its dependency holds a key share of
    // its row until it commits: it is seen), then its scheduled dependants failed
    // (csm_fail_dependants), then the delete.
    {"csm_lock_job", "SELECT status FROM csm_install_jobs WHERE id = $1 FOR UPDATE"},
    {"csm_delete_job", "DELETE FROM csm_install_jobs WHERE id = $1"},
    // The earliest time still ahead: a job whose time passed and that waits for its dependency
    // or its device must not make the scheduler look again at once.
    {"csm_next_scheduled_time",
     "SELECT (extract(epoch FROM min(scheduled_time)) * 1000)::bigint FROM csm_install_jobs "
     "WHERE status = 'scheduled' AND scheduled_time > now()"},

    // ClaimDueJobs, three statements in one transaction. First the due jobs ($1: how many at
    // most), the first one of each host only (DISTINCT ON), none of a host whose device lease
    // exists, locked: SKIP LOCKED so that two claims pass each other, each taking other jobs;
    // the host too (KEY SHARE, skipped while DeleteHost holds it), so that a host is not deleted
    // under the job being started. The status is checked again on the locked row: a job another
    // claim started since this statement's snapshot is left.
    {"csm_lock_due_jobs",
     "SELECT j.id, h.hostname FROM csm_install_jobs j JOIN csm_hosts h ON h.id = j.host_id "
     "WHERE j.id IN (SELECT DISTINCT ON (d.host_id) d.id FROM csm_install_jobs d "
     "               LEFT JOIN csm_install_jobs p ON p.id = d.dependency "
     "               WHERE d.status = 'scheduled' AND d.scheduled_time <= now() "
     "               AND (d.dependency IS NULL OR p.status = 'completed') "
     "               ORDER BY d.host_id, d.scheduled_time, d.id) "
     "AND j.status = 'scheduled' AND NOT EXISTS (SELECT 1 FROM leases l "
     "    WHERE l.unit_kind = 'csm_device' AND l.unit_id = h.hostname) "
     "ORDER BY j.scheduled_time, j.id LIMIT $1 "
     "FOR UPDATE OF j SKIP LOCKED FOR KEY SHARE OF h SKIP LOCKED"},
    // Then their devices ($1: the hostnames, a text[]) for node $2: the ones whose lease it
    // inserted. Two claims that picked jobs of one device (their snapshots saw different jobs
    // due) meet on the lease's key: the second waits for the first's commit and inserts nothing.
    // In hostname order, so that two claims never wait for each other's devices in a cycle.
    {"csm_take_devices",
     "INSERT INTO leases (unit_kind, unit_id, owner) SELECT 'csm_device', d.hostname, $2::uuid "
     "FROM unnest($1::text[]) AS d(hostname) ORDER BY d.hostname "
     "ON CONFLICT (unit_kind, unit_id) DO NOTHING RETURNING unit_id"},
    // Then the jobs whose device it got ($1, a bigint[]) start, leased to node $2 (epoch 1).
    {"csm_start_jobs",
     "WITH started AS (UPDATE csm_install_jobs SET status = 'in-progress', start_time = now(), "
     "                 status_time = now(), progress = '', status_message = '' "
     "                 WHERE id = ANY($1::bigint[]) RETURNING *), "
     "l AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "      SELECT 'install_job', id::text, $2::uuid FROM started) " ESCD_CSM_JOB_COLUMNS
     "FROM started " ESCD_CSM_JOB_JOINS "ORDER BY j.scheduled_time, j.id"},
    // $1: the claiming node, $2: the lease in ms, $3: how many at most. The running jobs whose
    // owner is dead (nobody, or missing, stopped or silent for longer than the lease, on the
    // database's clock: the rule of claim_orphan_leases, pg_statements.cpp), their job lease and
    // then their device lease taken (one more epoch each): the device lease always moves with its
    // job. The owner is judged in a subquery, so that a lease another claim took meanwhile is
    // judged again with its new owner. SKIP LOCKED: a lease a fenced write holds (FOR SHARE,
    // HoldLease) is skipped until that write commits.
    {"csm_claim_orphan_jobs",
     "WITH c AS (SELECT l.unit_kind, l.unit_id FROM csm_install_jobs j "
     "           JOIN leases l ON l.unit_kind = 'install_job' AND l.unit_id = j.id::text "
     "           WHERE j.status = 'in-progress' AND (l.owner IS NULL OR NOT EXISTS ("
     "             SELECT 1 FROM nodes n WHERE n.node_id = l.owner AND n.stopped_at IS NULL "
     "             AND n.heartbeat_at > now() - $2::bigint * interval '1 millisecond')) "
     "           ORDER BY l.claimed_at LIMIT $3 FOR UPDATE OF l SKIP LOCKED), "
     "t AS (UPDATE leases l SET owner = $1::uuid, epoch = l.epoch + 1, claimed_at = now() "
     "      FROM c WHERE l.unit_kind = c.unit_kind AND l.unit_id = c.unit_id "
     "      RETURNING l.unit_id::bigint AS id), "
     "d AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "      SELECT 'csm_device', h.hostname, $1::uuid FROM t JOIN csm_install_jobs j ON j.id = "
     "t.id "
     "      JOIN csm_hosts h ON h.id = j.host_id ORDER BY h.hostname "
     "      ON CONFLICT (unit_kind, unit_id) DO UPDATE SET owner = EXCLUDED.owner, "
     "      epoch = leases.epoch + 1, claimed_at = now()) " ESCD_CSM_JOBS
     "WHERE j.id IN (SELECT id FROM t) ORDER BY j.id"},
    // The writes of a running job, after HoldLease: a job that is not running any more (another
    // node took it over and ended it, which deleted its lease) changes nothing, and answers no
    // row.
    {"csm_record_job_progress",
     "UPDATE csm_install_jobs SET progress = $2, status_message = $3 "
     "WHERE id = $1 AND status = 'in-progress' RETURNING id"},
    // $2: completed or failed; $5, $6: text[]. Its two leases go with it.
    {"csm_finish_job",
     "WITH f AS (UPDATE csm_install_jobs SET status = $2, status_time = now(), "
     "           status_message = $3, trace = $4, warnings_or_errors = $5::text[], "
     "           package_change_list = $6::text[], progress = $7 "
     "           WHERE id = $1::bigint AND status = 'in-progress' RETURNING host_id), "
     "r AS (DELETE FROM leases l WHERE EXISTS (SELECT 1 FROM f) AND ("
     "      (l.unit_kind = 'install_job' AND l.unit_id = $1::bigint::text) OR "
     "      (l.unit_kind = 'csm_device' AND l.unit_id = "
     "       (SELECT h.hostname FROM f JOIN csm_hosts h ON h.id = f.host_id)))) "
     "SELECT count(*) FROM f"},
    // $1: a job that failed ($2 'failed.') or is deleted ($2 'was deleted.'). Its scheduled
    // dependants, transitively, fail too, each naming the job it depended on (the deeper ones'
    // failed with them); answers their ids.
    {"csm_fail_dependants",
     "WITH RECURSIVE d AS (SELECT id FROM csm_install_jobs WHERE dependency = $1 "
     "                     AND status = 'scheduled' "
     "                     UNION SELECT c.id FROM csm_install_jobs c JOIN d ON c.dependency = d.id "
     "                     WHERE c.status = 'scheduled') "
     "UPDATE csm_install_jobs c SET status = 'failed', status_time = now(), "
     "status_message = 'Dependency job ' || p.id || ' (' || p.action || ') ' || "
     "CASE WHEN c.dependency = $1 THEN $2 ELSE 'failed.' END "
     "FROM d, csm_install_jobs p WHERE c.id = d.id AND p.id = c.dependency RETURNING c.id"},
};

#undef ESCD_CSM_JOBS
#undef ESCD_CSM_JOB_JOINS
#undef ESCD_CSM_JOB_COLUMNS

}  // namespace

std::span<const std::pair<const char*, const char*>> CsmJobStatements() {
    return kCsmJobStatements;
}

}  // namespace escd::model::pg
