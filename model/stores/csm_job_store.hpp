#pragma once
/// @file
/// model::CsmJobStore — the role of the store that keeps the CSM face's install jobs
/// (docs/csm.md, "Install jobs") and hands them to the nodes that run them (docs/cluster.md,
/// "Leases"). Conventions: model/stores/resource_store.hpp.
///
/// A running job is owned through two leases on the cluster's lease table: `install_job`
/// (unit id: the job's id) for the job, and `csm_device` (unit id: the hostname) for its
/// device, so that two nodes never run two jobs on one device at once, whichever jobs they
/// are. Both are taken in the transaction that marks the job in-progress and released in the
/// one that finishes it; every write of a running job is fenced on its job lease (LeaseLost
/// when another node took it over).

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/asio.hpp"
#include "model/csm/install_job.hpp"
#include "model/stores/csm_store.hpp"

namespace escd::model {

/// Which jobs a list returns (every field that is set must match).
struct JobFilter {
    std::optional<std::int64_t> id;
    std::optional<std::string> hostname;
    std::optional<csm::InstallAction> action;
    std::set<csm::JobStatus> statuses;              ///< empty: any
    std::optional<csm::TimePoint> scheduled_since;  ///< scheduled_time >= this
};

/// What a job's end wrote.
struct FinishedJob {
    /// The scheduled jobs that depended on it, directly or not, failed with it (a failed job
    /// only), by id.
    std::vector<std::int64_t> failed_dependants;
};

class CsmJobStore {
  public:
    virtual ~CsmJobStore() = default;

    /// Inserts a scheduled job (its id is the store's, never reused; `job.id` is ignored):
    /// its id, or the host, repository or command profile it names that is not in the store
    /// (nothing stored). The dependency, when set, must be a job of the same host; the caller
    /// checked it.
    virtual asio::awaitable<std::variant<std::int64_t, MissingReference>> CreateJob(
        const csm::InstallJob& job) = 0;
    virtual asio::awaitable<std::optional<csm::InstallJob>> GetJob(std::int64_t id) = 0;
    /// The jobs matching `filter`, by id, at most `limit`.
    virtual asio::awaitable<std::vector<csm::InstallJob>> ListJobs(const JobFilter& filter,
                                                                   std::int64_t limit) = 0;
    /// Deletes a scheduled or failed job; the scheduled jobs that depended on it, which could
    /// never run now, fail ("Dependency job <id> (<action>) was deleted."), transitively, in the
    /// same transaction. kInUse when it is in progress or completed (a completed job is
    /// history), kMissing when there is none.
    virtual asio::awaitable<DeleteOutcome> DeleteJob(std::int64_t id) = 0;
    /// The jobs whose dependency is `id`, by id.
    virtual asio::awaitable<std::vector<csm::InstallJob>> DependantsOf(std::int64_t id) = 0;

    // The job engine.

    /// The earliest scheduled time still ahead (after the database's now) of a scheduled job;
    /// nullopt when there is none.
    virtual asio::awaitable<std::optional<csm::TimePoint>> NextScheduledTime() = 0;
    /// Takes at most `limit` jobs that are due (scheduled, scheduled_time <= the database's
    /// now, the dependency completed or none), oldest scheduled time first, each on a device
    /// no other job holds, for this node: marks them in-progress (start_time now, progress "")
    /// with their two leases. Two nodes claiming at once never take the same job or two jobs
    /// of one device.
    virtual asio::awaitable<std::vector<csm::InstallJob>> ClaimDueJobs(int limit) = 0;
    /// Takes over at most `limit` in-progress jobs whose owner is dead (stopped, or its
    /// heartbeat older than `lease`), with their device leases: they resume from `progress`.
    virtual asio::awaitable<std::vector<csm::InstallJob>> ClaimOrphanJobs(
        std::chrono::milliseconds lease, int limit) = 0;
    /// Records a running job's steps and what it is doing. Fenced (LeaseLost).
    virtual asio::awaitable<void> RecordJobProgress(std::int64_t id,
                                                    const std::string& progress,
                                                    const std::string& status_message) = 0;
    /// Ends a running job as completed or failed with what it found, releases its leases, and
    /// (failed) fails its scheduled dependants, transitively, with a message naming it. Fenced
    /// (LeaseLost).
    virtual asio::awaitable<FinishedJob> FinishJob(const csm::InstallJob& job) = 0;
};

}  // namespace escd::model
