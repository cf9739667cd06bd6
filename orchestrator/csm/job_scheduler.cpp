#include "orchestrator/csm/job_scheduler.hpp"

#include <algorithm>

#include "common/log.hpp"

namespace escd::orchestrator::csm {

JobScheduler::JobScheduler(asio::io_context& ioc,
                           model::CsmJobStore& store,
                           JobRunner& runner,
                           Clock& clock,
                           std::function<model::csm::TimePoint()> wall_now,
                           JobSchedulerOptions options)
    : store_(store),
      runner_(runner),
      clock_(clock),
      wall_now_(std::move(wall_now)),
      options_(options),
      strand_(asio::make_strand(ioc)),
      sleep_(clock.MakeTimer(strand_)),
      running_(ioc.get_executor()) {}

void JobScheduler::Start() {
    asio::co_spawn(strand_, Loop(),
                   log::LogFailure(log::Level::kError, "csm", "the install job scheduler stopped"));
}

void JobScheduler::Poke() {
    asio::post(strand_, [this] {
        poked_ = true;
        sleep_->Cancel();
    });
}

void JobScheduler::Stop() {
    asio::post(strand_, [this] {
        stopping_ = true;
        sleep_->Cancel();
    });
}

asio::awaitable<void> JobScheduler::Loop() {
    while (!stopping_) {
        poked_ = false;
        Clock::duration delay = options_.poll;
        try {
            delay = co_await Look();
        } catch (const std::exception& e) {
            // The database is away (a failover): look again at the next poll.
            ESCD_WARN("csm") << "looking for install jobs failed: " << e.what();
        }
        // A Poke during the look (a job ended, one was created) means look again at once.
        if (!poked_ && !stopping_) co_await sleep_->Wait(delay);
    }
}

asio::awaitable<Clock::duration> JobScheduler::Look() {
    auto free = [this] {
        return std::max(0, options_.max_parallel - static_cast<int>(running_.Count()));
    };
    if (free() > 0) {
        auto orphans = co_await store_.ClaimOrphanJobs(options_.lease, free());
        for (auto& job : orphans) Launch(std::move(job));
    }
    if (free() > 0) {
        auto due = co_await store_.ClaimDueJobs(free());
        for (auto& job : due) Launch(std::move(job));
    }
    // Sleep until the next scheduled time, but look at least every poll: the jobs other nodes
    // create, complete or leave behind are learnt of no later than that. A job whose time has
    // passed and that was not claimed waits for its dependency or its device: what frees
    // either here pokes, what frees it elsewhere is seen at the next poll.
    Clock::duration delay = options_.poll;
    if (free() > 0) {
        if (const auto next = co_await store_.NextScheduledTime()) {
            const auto until = std::chrono::duration_cast<Clock::duration>(*next - wall_now_());
            if (until > Clock::duration::zero()) delay = std::min(until, delay);
        }
    }
    co_return delay;
}

void JobScheduler::Launch(model::csm::InstallJob job) {
    {
        // A takeover can hand back a job this node still runs (it rejoined under a new id).
        std::lock_guard lock(mutex_);
        if (!handled_.insert(job.id).second) return;
    }
    running_.Begin();
    const auto id = job.id;
    ESCD_INFO("csm") << "install job " << id << " (" << InstallActionName(job.action) << " on "
                     << job.hostname << ") starts";
    // Each job on a strand of its own: its device session's work never waits on another's.
    asio::co_spawn(asio::make_strand(strand_.get_inner_executor()), runner_.Run(std::move(job)),
                   [this, id](std::exception_ptr error) {
                       if (error) {
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               ESCD_ERROR("csm") << "install job " << id << " ended: " << e.what();
                           }
                       }
                       {
                           std::lock_guard lock(mutex_);
                           handled_.erase(id);
                       }
                       running_.End();
                       Poke();
                   });
}

}  // namespace escd::orchestrator::csm
