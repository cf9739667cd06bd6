// The CSM job scheduler (orchestrator/csm/job_scheduler.hpp) on a real PostgreSQL, with a runner
// that holds each job until the test lets it end: no more than max_parallel jobs run at once and
// the end of one starts the next at once; a dependant starts once its dependency completed; a
// job scheduled a moment ahead is started by the timer at its time, not by the next poll (the
// polls here are a minute apart). The jobs' work on devices is another test's (tests/device).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/experimental/concurrent_channel.hpp>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "orchestrator/csm/job_scheduler.hpp"
#include "tests/support/io_thread.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using model::csm::InstallAction;
using model::csm::InstallJob;
using model::csm::JobStatus;

// Runs a job until the test releases it, then ends it as the test said.
class HeldRunner final : public orchestrator::csm::JobRunner {
  public:
    explicit HeldRunner(model::CsmJobStore& store) : store_(store) {}

    asio::awaitable<void> Run(InstallJob job) override {
        using Channel =
            asio::experimental::concurrent_channel<void(boost::system::error_code, JobStatus)>;
        auto release = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
        {
            std::lock_guard lock(mutex_);
            started_.push_back(job.id);
            releases_[job.id] = release;
        }
        changed_.notify_all();
        job.status = co_await release->async_receive(asio::use_awaitable);
        co_await store_.FinishJob(job);
        {
            std::lock_guard lock(mutex_);
            finished_.push_back(job.id);
        }
        changed_.notify_all();
    }

    /// Blocks until `count` jobs started (at most `timeout`); the ids started so far.
    std::vector<std::int64_t> AwaitStarted(std::size_t count, std::chrono::seconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return started_.size() >= count; });
        return started_;
    }
    /// Blocks until `count` jobs ended (at most `timeout`); the ids ended so far.
    std::vector<std::int64_t> AwaitFinished(std::size_t count, std::chrono::seconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return finished_.size() >= count; });
        return finished_;
    }
    void Release(std::int64_t id, JobStatus status = JobStatus::kCompleted) {
        std::lock_guard lock(mutex_);
        releases_.at(id)->try_send(boost::system::error_code{}, status);
    }

  private:
    model::CsmJobStore& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::int64_t> started_;
    std::vector<std::int64_t> finished_;
    std::map<std::int64_t,
             std::shared_ptr<asio::experimental::concurrent_channel<void(boost::system::error_code,
                                                                         JobStatus)>>>
        releases_;
};

class CsmScheduler : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        store_ = std::make_unique<model::pg::PgStore>(db_.dsn(), 2, 1);
        SyncWait(store_->RegisterNode(NewUuid(), "scheduler-test"));
        ASSERT_EQ(SyncWait(store_->PutRegion({"lab", {}, "admin"})), std::nullopt);
        for (const auto* name : {"pe1", "pe2", "pe3"}) {
            model::csm::Host host;
            host.hostname = name;
            host.region = "lab";
            ASSERT_EQ(SyncWait(store_->PutHost(host)), std::nullopt);
        }
        runner_ = std::make_unique<HeldRunner>(*store_);
    }
    void TearDown() override {
        if (scheduler_) {
            scheduler_->Stop();
            for (const auto id : runner_->AwaitStarted(0, 0s)) runner_->Release(id);
            EXPECT_TRUE(SyncWait(scheduler_->AwaitDrained(10s)));
        }
        if (store_) store_->Stop();
    }

    void StartScheduler(int max_parallel) {
        scheduler_ = std::make_unique<orchestrator::csm::JobScheduler>(
            io_.ioc(), *store_, *runner_, SteadyClock::Shared(),
            [] { return std::chrono::system_clock::now(); },
            orchestrator::csm::JobSchedulerOptions{max_parallel, 60s, 10s});
        scheduler_->Start();
    }

    std::int64_t Create(const std::string& host,
                        InstallAction action,
                        std::chrono::system_clock::duration from_now = -1min,
                        std::optional<std::int64_t> dependency = std::nullopt) {
        InstallJob job;
        job.hostname = host;
        job.action = action;
        job.scheduled_time = std::chrono::system_clock::now() + from_now;
        job.dependency = dependency;
        const auto created = SyncWait(store_->CreateJob(job));
        return std::get<std::int64_t>(created);
    }
    JobStatus StatusOf(std::int64_t id) { return SyncWait(store_->GetJob(id))->status; }

    TestDatabase db_{TestDatabase::Schema::kEscd};
    IoThread io_;  // outlives what waits on it: the runner's channels, the scheduler
    std::unique_ptr<model::pg::PgStore> store_;
    std::unique_ptr<HeldRunner> runner_;
    std::unique_ptr<orchestrator::csm::JobScheduler> scheduler_;
};

TEST_F(CsmScheduler, AtMostMaxParallelRunAndTheEndOfOneStartsTheNextAtOnce) {
    const auto first = Create("pe1", InstallAction::kPreUpgrade, -3min);
    const auto second = Create("pe2", InstallAction::kPreUpgrade, -2min);
    const auto third = Create("pe3", InstallAction::kPreUpgrade, -1min);
    StartScheduler(2);
    EXPECT_EQ(runner_->AwaitStarted(2, 10s), (std::vector<std::int64_t>{first, second}));
    EXPECT_EQ(scheduler_->Running(), 2u);
    EXPECT_EQ(StatusOf(third), JobStatus::kScheduled) << "no slot for it";

    runner_->Release(first);
    // The next poll is a minute away: only the end of the first can start the third now.
    EXPECT_EQ(runner_->AwaitStarted(3, 10s).size(), 3u);
    EXPECT_EQ(StatusOf(first), JobStatus::kCompleted);
    EXPECT_EQ(StatusOf(third), JobStatus::kInProgress);
}

TEST_F(CsmScheduler, ADependantStartsWhenItsDependencyCompletedAndFailsWithIt) {
    const auto add = Create("pe1", InstallAction::kAdd, -2min);
    const auto activate = Create("pe1", InstallAction::kActivate, -1min, add);
    const auto other_add = Create("pe2", InstallAction::kAdd, -2min);
    const auto other_activate = Create("pe2", InstallAction::kActivate, -1min, other_add);
    StartScheduler(10);
    EXPECT_EQ(runner_->AwaitStarted(2, 10s), (std::vector<std::int64_t>{add, other_add}));
    EXPECT_EQ(StatusOf(activate), JobStatus::kScheduled);

    runner_->Release(add);
    EXPECT_EQ(runner_->AwaitStarted(3, 10s).back(), activate);
    runner_->Release(other_add, JobStatus::kFailed);
    // The failed Add takes its Activate with it, in the same transaction; it never starts.
    EXPECT_EQ(runner_->AwaitFinished(2, 10s).back(), other_add);
    const auto dependant = SyncWait(store_->GetJob(other_activate));
    EXPECT_EQ(dependant->status, JobStatus::kFailed);
    EXPECT_EQ(dependant->status_message,
              "Dependency job " + std::to_string(other_add) + " (Add) failed.");
    EXPECT_EQ(runner_->AwaitStarted(0, 0s).size(), 3u);
}

TEST_F(CsmScheduler, AJobIsStartedAtItsTimeByTheTimerNotByThePoll) {
    StartScheduler(10);
    const auto scheduled_for = std::chrono::system_clock::now() + 1500ms;
    const auto id = Create("pe1", InstallAction::kCommit, 1500ms);
    scheduler_->Poke();  // as the face does once it created jobs
    EXPECT_EQ(runner_->AwaitStarted(1, 10s), std::vector<std::int64_t>{id})
        << "polls are a minute apart";
    const auto started = SyncWait(store_->GetJob(id))->start_time;
    ASSERT_TRUE(started.has_value());
    EXPECT_GE(*started, scheduled_for - 50ms) << "not before its time (the database's clock)";
}

}  // namespace
}  // namespace escd::test
