// PgStore: the CSM face's install jobs (model/stores/csm_job_store.hpp) and the leases they run
// under (docs/cluster.md, "Leases"). A create is one statement that resolves what the job names,
// and so is a takeover (ClaimOrphanJobs); every other write is one group-commit job: a lock and a
// check before it writes, or a fence (HoldLease) before a running job's writes. Every read is
// one statement. The SQL is in pg_csm_jobs_statements.cpp.
//
// The device lease and liveness. A device lease row exists exactly while a job of its host is
// in progress: it is inserted by the transaction that starts the job and deleted by the one that
// ends it, and it moves only with its job, when ClaimOrphanJobs takes a dead node's job over. So
// ClaimDueJobs takes a device only when no lease row exists at all, whoever owns it and whether
// that owner is alive: the store does not know the lease duration there (the interface passes
// none), and it needs none, since a dead owner's device lease belongs to a job that still runs
// as far as the cluster knows; giving the device to another job would run two jobs on it once
// the orphan is resumed. ClaimOrphanJobs, which is given the lease duration, judges the owner
// and takes the job and its device together.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <pqxx/pqxx>

#include "model/lease.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

std::optional<csm::TimePoint> OptionalTime(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return FromMillis(field.as<std::int64_t>());
}

/// The columns of ESCD_CSM_JOB_COLUMNS (pg_csm_jobs_statements.cpp), in order.
csm::InstallJob JobFrom(const pqxx::row& row) {
    csm::InstallJob job;
    job.id = row[0].as<std::int64_t>();
    const auto id = std::to_string(job.id);
    job.hostname = row[1].as<std::string>();
    job.action =
        StoredValue(csm::ParseInstallAction, "csm_install_jobs", id, row[2].as<std::string>());
    job.scheduled_time = FromMillis(row[3].as<std::int64_t>());
    if (!row[4].is_null()) job.dependency = row[4].as<std::int64_t>();
    job.server_repository = row[5].as<std::string>();
    job.server_directory = row[6].as<std::string>();
    job.software_packages = TextsOf(row[7]);
    job.command_profiles = TextsOf(row[8]);
    job.status = StoredValue(csm::ParseJobStatus, "csm_install_jobs", id, row[9].as<std::string>());
    job.start_time = OptionalTime(row[10]);
    job.status_time = OptionalTime(row[11]);
    job.status_message = row[12].as<std::string>();
    job.trace = row[13].as<std::string>();
    job.warnings_or_errors = TextsOf(row[14]);
    job.package_change_list = TextsOf(row[15]);
    job.created_by = row[16].as<std::string>();
    job.progress = row[17].as<std::string>();
    return job;
}

std::vector<csm::InstallJob> JobsFrom(const pqxx::result& rows) {
    std::vector<csm::InstallJob> jobs;
    jobs.reserve(rows.size());
    for (const auto& row : rows) jobs.push_back(JobFrom(row));
    return jobs;
}

/// `ids` as a bigint[] literal.
std::string IdArray(const std::vector<std::int64_t>& ids) {
    std::vector<std::string> texts;
    texts.reserve(ids.size());
    for (const auto id : ids) texts.push_back(std::to_string(id));
    return TextArray(texts);
}

}  // namespace

asio::awaitable<std::variant<std::int64_t, MissingReference>> PgStore::CreateJob(
    const csm::InstallJob& job) {
    std::vector<std::string> params{
        job.hostname,
        std::string(csm::InstallActionName(job.action)),
        std::to_string(ToMillis(job.scheduled_time)),
        job.dependency ? std::to_string(*job.dependency) : std::string(),
        job.server_repository,
        job.server_directory,
        TextArray(job.software_packages),
        TextArray(job.command_profiles),
        job.created_by};
    const auto result = co_await Write("csm_create_job", params);
    const auto row = result.at(0);
    if (!row[0].as<bool>()) co_return MissingReference{MissingReference::Kind::kHost, job.hostname};
    if (!row[1].as<bool>())
        co_return MissingReference{MissingReference::Kind::kServerRepository,
                                   job.server_repository};
    if (!row[2].is_null())
        co_return MissingReference{MissingReference::Kind::kCommandProfile,
                                   row[2].as<std::string>()};
    co_return row[3].as<std::int64_t>();
}

asio::awaitable<std::optional<csm::InstallJob>> PgStore::GetJob(std::int64_t id) {
    return OnPool([this, id] { return FirstRow("csm_get_job", JobFrom, id); });
}

asio::awaitable<std::vector<csm::InstallJob>> PgStore::ListJobs(const JobFilter& filter,
                                                                std::int64_t limit) {
    std::optional<std::string> action;
    if (filter.action) action = std::string(csm::InstallActionName(*filter.action));
    std::vector<std::string> statuses;
    for (const auto status : filter.statuses) statuses.emplace_back(csm::JobStatusName(status));
    std::optional<std::int64_t> since;
    if (filter.scheduled_since) since = ToMillis(*filter.scheduled_since);
    // PostgreSQL refuses a negative limit: read as 0.
    const auto take = std::max<std::int64_t>(0, limit);
    return OnPool([this, id = filter.id, hostname = filter.hostname, action,
                   statuses = TextArray(statuses), since, take] {
        return AllRows("csm_list_jobs", JobFrom, id, hostname, action, statuses, since, take);
    });
}

asio::awaitable<DeleteOutcome> PgStore::DeleteJob(std::int64_t id) {
    auto outcome = DeleteOutcome::kMissing;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                outcome = DeleteOutcome::kMissing;
                // The lock first, the rest in statements of their own whose snapshots follow its
                // wait: a claim that started the job meanwhile, or a create that named it as its
                // dependency, committed before the lock was granted and is seen.
                const auto found = tx.exec_prepared("csm_lock_job", id);
                if (found.empty()) return;
                const auto status = found[0][0].as<std::string>();
                outcome = DeleteOutcome::kInUse;
                if (status != csm::JobStatusName(csm::JobStatus::kScheduled) &&
                    status != csm::JobStatusName(csm::JobStatus::kFailed))
                    return;
                tx.exec_prepared("csm_fail_dependants", id, "was deleted.");
                tx.exec_prepared("csm_delete_job", id);
                outcome = DeleteOutcome::kDeleted;
            },
            std::move(done));
    });
    co_return outcome;
}

asio::awaitable<std::vector<csm::InstallJob>> PgStore::DependantsOf(std::int64_t id) {
    return OnPool([this, id] { return AllRows("csm_dependants_of", JobFrom, id); });
}

asio::awaitable<std::optional<csm::TimePoint>> PgStore::NextScheduledTime() {
    return OnPool([this] {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            return OptionalTime(tx.exec_prepared1("csm_next_scheduled_time")[0]);
        });
    });
}

asio::awaitable<std::vector<csm::InstallJob>> PgStore::ClaimDueJobs(int limit) {
    const auto node = Node();
    std::vector<csm::InstallJob> claimed;
    if (node.empty() || limit <= 0) co_return claimed;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                claimed.clear();
                // The candidates are of distinct hosts (one statement), their devices are taken
                // in another, in hostname order, and only the jobs whose device this claim got
                // start: a device another claim took in the meantime leaves its job scheduled
                // (locked until this commit, then claimable again).
                std::vector<std::pair<std::int64_t, std::string>> due;
                std::vector<std::string> hostnames;
                for (const auto& row : tx.exec_prepared("csm_lock_due_jobs", limit)) {
                    due.emplace_back(row[0].as<std::int64_t>(), row[1].as<std::string>());
                    hostnames.push_back(due.back().second);
                }
                if (due.empty()) return;
                std::set<std::string> devices;
                for (const auto& row :
                     tx.exec_prepared("csm_take_devices", TextArray(hostnames), node))
                    devices.insert(row[0].as<std::string>());
                std::vector<std::int64_t> ids;
                for (const auto& [id, hostname] : due)
                    if (devices.count(hostname) > 0) ids.push_back(id);
                if (ids.empty()) return;
                claimed = JobsFrom(tx.exec_prepared("csm_start_jobs", IdArray(ids), node));
            },
            std::move(done));
    });
    co_return claimed;
}

asio::awaitable<std::vector<csm::InstallJob>> PgStore::ClaimOrphanJobs(
    std::chrono::milliseconds lease, int limit) {
    const auto node = Node();
    if (node.empty() || limit <= 0) co_return std::vector<csm::InstallJob>{};
    std::vector<std::string> params{node, std::to_string(lease.count()), std::to_string(limit)};
    co_return JobsFrom(co_await Write("csm_claim_orphan_jobs", params));
}

asio::awaitable<void> PgStore::RecordJobProgress(std::int64_t id,
                                                 const std::string& progress,
                                                 const std::string& status_message) {
    const auto node = Node();
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                const auto unit = std::to_string(id);
                HoldLease(tx, LeaseKind::kInstallJob, unit, node);
                // No lease row passes HoldLease: the job ended (on the node that took it over),
                // which the update finds. It wrote nothing then, so the refusal is allowed.
                if (tx.exec_prepared("csm_record_job_progress", id, progress, status_message)
                        .empty())
                    throw LeaseLost(LeaseKind::kInstallJob, unit);
            },
            std::move(done));
    });
}

asio::awaitable<FinishedJob> PgStore::FinishJob(const csm::InstallJob& job) {
    if (job.status != csm::JobStatus::kCompleted && job.status != csm::JobStatus::kFailed)
        throw Error(ErrorCode::kInternal, "install job " + std::to_string(job.id) +
                                              " cannot finish as " +
                                              std::string(csm::JobStatusName(job.status)));
    const auto node = Node();
    const auto status = std::string(csm::JobStatusName(job.status));
    const auto warnings = TextArray(job.warnings_or_errors);
    const auto changes = TextArray(job.package_change_list);
    FinishedJob finished;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                finished = {};
                const auto unit = std::to_string(job.id);
                HoldLease(tx, LeaseKind::kInstallJob, unit, node);
                // As in RecordJobProgress: a job no longer running is another node's end.
                if (tx.exec_prepared1("csm_finish_job", job.id, status, job.status_message,
                                      job.trace, warnings, changes, job.progress)[0]
                        .as<std::int64_t>() == 0)
                    throw LeaseLost(LeaseKind::kInstallJob, unit);
                if (job.status != csm::JobStatus::kFailed) return;
                for (const auto& row : tx.exec_prepared("csm_fail_dependants", job.id, "failed."))
                    finished.failed_dependants.push_back(row[0].as<std::int64_t>());
                std::sort(finished.failed_dependants.begin(), finished.failed_dependants.end());
            },
            std::move(done));
    });
    co_return finished;
}

}  // namespace escd::model::pg
