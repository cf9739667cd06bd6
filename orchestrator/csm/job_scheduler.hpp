#pragma once
/// @file
/// JobScheduler: when this node runs which CSM install jobs (docs/csm.md, "The job engine").
///
/// Jobs are rows (model/stores/csm_job_store.hpp); any node may run any job. The scheduler
/// claims the jobs that are due (their time passed, their dependency completed, their device
/// free) up to `max_parallel` at once on this node, hands each to the JobRunner, and claims
/// again as soon as one ends (a dependant may be due now, a slot is free). Between claims it
/// sleeps until the earliest scheduled time, on a timer: a job scheduled for 10:30 is claimed
/// at 10:30, not at the next poll; a job created on this node wakes it at once (Poke). It also
/// looks every `poll` (the cluster's heartbeat), for what other nodes changed (a job created or
/// completed there, a node that died: its running jobs are taken over and resumed).
///
/// Everything runs on the scheduler's strand; the runners run on their own.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "common/in_flight.hpp"
#include "model/csm/install_job.hpp"
#include "model/stores/csm_job_store.hpp"

namespace escd::orchestrator::csm {

/// Runs one claimed job on its device to its end (CsmJobStore::FinishJob). A job taken over
/// from a dead node arrives with the progress that node recorded.
class JobRunner {
  public:
    virtual ~JobRunner() = default;
    virtual asio::awaitable<void> Run(model::csm::InstallJob job) = 0;
};

struct JobSchedulerOptions {
    int max_parallel = 10;                   ///< jobs running at once on this node
    std::chrono::milliseconds poll{1000};    ///< the longest sleep between two looks
    std::chrono::milliseconds lease{10000};  ///< a node silent this long is dead
};

class JobScheduler {
  public:
    /// `wall_now` is the wall clock the scheduled times are compared with (the waits are on
    /// `clock`).
    JobScheduler(asio::io_context& ioc,
                 model::CsmJobStore& store,
                 JobRunner& runner,
                 Clock& clock,
                 std::function<model::csm::TimePoint()> wall_now,
                 JobSchedulerOptions options);
    JobScheduler(const JobScheduler&) = delete;
    JobScheduler& operator=(const JobScheduler&) = delete;

    /// Starts looking for work (after this node joined: claims need its id).
    void Start();
    /// Look now: a job was created, or finished, on this node.
    void Poke();
    /// No more claims; the jobs running go on to their end (or to the next start's takeover).
    void Stop();
    /// Waits until no job runs here, or `timeout` passed; whether none does.
    asio::awaitable<bool> AwaitDrained(std::chrono::steady_clock::duration timeout) {
        return running_.AwaitNone(timeout);
    }
    /// The jobs running on this node now.
    std::size_t Running() const { return running_.Count(); }

  private:
    asio::awaitable<void> Loop();
    /// Claims what this node may run now and launches it; the next look's delay.
    asio::awaitable<Clock::duration> Look();
    void Launch(model::csm::InstallJob job);

    model::CsmJobStore& store_;
    JobRunner& runner_;
    Clock& clock_;
    std::function<model::csm::TimePoint()> wall_now_;
    JobSchedulerOptions options_;
    asio::strand<asio::io_context::executor_type> strand_;
    std::unique_ptr<Clock::Timer> sleep_;  ///< on strand_
    bool stopping_ = false;                ///< on strand_
    bool poked_ = false;                   ///< on strand_: a Poke came during a look
    InFlight running_;
    std::mutex mutex_;
    std::set<std::int64_t> handled_;  ///< under mutex_: the jobs running here
};

}  // namespace escd::orchestrator::csm
