// The CSM face's install jobs in PostgreSQL (model/stores/csm_job_store.hpp), with several
// PgStores on one database standing for several nodes: a create resolves what the job names or
// says what is missing, lists filter by id, deletes answer deleted, missing or in use; a claim
// takes the due jobs, oldest first, one per device, and two nodes claiming at once never share a
// job or a device; a running job holds its device until it ends, also when its node died and
// another took it over, and the node taken for dead can no longer write it; a failed job fails
// its scheduled dependants; a host or a command profile a job needs cannot be deleted under it.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <pqxx/pqxx>

#include "common/crypto.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using model::DeleteOutcome;
using model::JobFilter;
using model::LeaseLost;
using model::MissingReference;
using model::csm::InstallAction;
using model::csm::InstallJob;
using model::csm::JobStatus;

constexpr auto kLease = 10s;

class CsmJobStore : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        store_ = &Node("a");
        model::csm::ServerRepository repository;
        repository.hostname = "repo";
        repository.type = model::csm::RepositoryType::kSftp;
        SyncWait(store_->PutServerRepository(repository));
        ASSERT_EQ(SyncWait(store_->PutRegion({"east", {"repo"}, "admin"})), std::nullopt);
        const model::csm::CommandProfile checks{"checks", {"show version"}, "admin"};
        SyncWait(store_->PutCommandProfile(checks));
        for (int i = 1; i <= 6; ++i) PutHost("pe" + std::to_string(i));
    }
    void TearDown() override {
        for (auto& node : nodes_) node->Stop();
    }

    /// A store registered as a new node named `name`.
    model::pg::PgStore& Node(const std::string& name, int connections = 1, int writers = 1) {
        nodes_.push_back(std::make_unique<model::pg::PgStore>(db_.dsn(), connections, writers));
        SyncWait(nodes_.back()->RegisterNode(NewUuid(), name));
        return *nodes_.back();
    }

    void PutHost(const std::string& hostname) {
        model::csm::Host host;
        host.hostname = hostname;
        host.region = "east";
        ASSERT_EQ(SyncWait(store_->PutHost(host)), std::nullopt) << hostname;
    }

    /// A job on `hostname` scheduled `from_now` (negative: due).
    static InstallJob Job(const std::string& hostname,
                          InstallAction action,
                          std::chrono::minutes from_now = -1min,
                          std::optional<std::int64_t> dependency = std::nullopt) {
        InstallJob job;
        job.hostname = hostname;
        job.action = action;
        job.scheduled_time =
            std::chrono::time_point_cast<std::chrono::minutes>(std::chrono::system_clock::now()) +
            from_now;
        job.dependency = dependency;
        job.created_by = "alice";
        return job;
    }

    std::int64_t Create(const InstallJob& job) {
        const auto created = SyncWait(store_->CreateJob(job));
        EXPECT_TRUE(std::holds_alternative<std::int64_t>(created)) << job.hostname;
        return std::holds_alternative<std::int64_t>(created) ? std::get<std::int64_t>(created) : 0;
    }

    std::vector<std::int64_t> Ids(const std::vector<InstallJob>& jobs) {
        std::vector<std::int64_t> ids;
        for (const auto& job : jobs) ids.push_back(job.id);
        return ids;
    }

    JobStatus StatusOf(std::int64_t id) { return SyncWait(store_->GetJob(id))->status; }

    /// Ends a running job through `node` as `status`.
    static model::FinishedJob Finish(model::pg::PgStore& node,
                                     InstallJob job,
                                     JobStatus status = JobStatus::kCompleted) {
        job.status = status;
        return SyncWait(node.FinishJob(job));
    }

    long Count(const std::string& sql) { return db_.Query(sql)[0][0].as<long>(); }

    /// Who holds the lease, and its epoch ("" when there is none).
    std::string LeaseOf(const std::string& kind, const std::string& unit) {
        const auto rows = db_.Query(
            "SELECT n.name || ' ' || l.epoch FROM leases l JOIN nodes n ON n.node_id = l.owner "
            "WHERE l.unit_kind = '" +
            kind + "' AND l.unit_id = '" + unit + "'");
        return rows.empty() ? "" : rows[0][0].as<std::string>();
    }

    void AwaitLockWait() {
        ASSERT_TRUE(db_.AwaitLockWaiter(std::chrono::seconds(10)))
            << "the store never waited for the test's lock";
    }

    void Silence(const std::string& name) {
        db_.Query("UPDATE nodes SET heartbeat_at = now() - interval '1 hour' WHERE name = '" +
                  name + "'");
    }

    TestDatabase db_{TestDatabase::Schema::kEscd};
    std::vector<std::unique_ptr<model::pg::PgStore>> nodes_;
    model::pg::PgStore* store_ = nullptr;
};

TEST_F(CsmJobStore, AJobRoundTripsAndListsFilterByIdInIdOrder) {
    auto add = Job("pe1", InstallAction::kAdd, 30min);
    add.server_repository = "repo";
    add.server_directory = "images/7.3.2";
    add.software_packages = {"asr9k-px-7.3.2.CSCvx12345.pie", "a \"quoted\", package"};
    const auto add_id = Create(add);
    auto pre = Job("pe1", InstallAction::kPreUpgrade, 10min);
    pre.command_profiles = {"checks"};
    const auto pre_id = Create(pre);
    const auto other_id = Create(Job("pe2", InstallAction::kAdd, 20min, std::nullopt));
    const auto dependant_id = Create(Job("pe1", InstallAction::kActivate, 40min, add_id));
    EXPECT_LT(add_id, pre_id);

    const auto stored = SyncWait(store_->GetJob(add_id));
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->hostname, "pe1");
    EXPECT_EQ(stored->action, InstallAction::kAdd);
    EXPECT_EQ(stored->scheduled_time, add.scheduled_time);
    EXPECT_EQ(stored->dependency, std::nullopt);
    EXPECT_EQ(stored->server_repository, "repo");
    EXPECT_EQ(stored->server_directory, "images/7.3.2");
    EXPECT_EQ(stored->software_packages, add.software_packages);
    EXPECT_EQ(stored->status, JobStatus::kScheduled);
    EXPECT_EQ(stored->start_time, std::nullopt);
    EXPECT_EQ(stored->created_by, "alice");
    EXPECT_EQ(SyncWait(store_->GetJob(pre_id))->command_profiles, pre.command_profiles);
    EXPECT_EQ(SyncWait(store_->GetJob(dependant_id))->dependency, add_id);
    EXPECT_FALSE(SyncWait(store_->GetJob(dependant_id + 100)).has_value());

    // The jobs `set` (a change of a fresh filter) lists, at most `limit`.
    const auto list = [&](const auto& set, std::int64_t limit = 100) {
        JobFilter filter;
        set(filter);
        return Ids(SyncWait(store_->ListJobs(filter, limit)));
    };
    const auto all = [](JobFilter&) {};
    using IdList = std::vector<std::int64_t>;
    EXPECT_EQ(list(all), (IdList{add_id, pre_id, other_id, dependant_id}));
    EXPECT_EQ(list(all, 2), (IdList{add_id, pre_id}));
    EXPECT_EQ(list(all, -1), IdList{});
    EXPECT_EQ(list([&](JobFilter& f) { f.id = pre_id; }), IdList{pre_id});
    EXPECT_EQ(list([](JobFilter& f) { f.hostname = "pe2"; }), IdList{other_id});
    EXPECT_EQ(list([](JobFilter& f) {
                  f.hostname = "pe1";
                  f.action = InstallAction::kAdd;
              }),
              IdList{add_id});
    EXPECT_EQ(list([&](JobFilter& f) { f.scheduled_since = add.scheduled_time; }),
              (IdList{add_id, dependant_id}));
    EXPECT_EQ(list([](JobFilter& f) {
                  f.statuses = {JobStatus::kCompleted, JobStatus::kFailed};
              }),
              IdList{});
    EXPECT_EQ(list([](JobFilter& f) {
                  f.hostname = "pe1";
                  f.statuses = {JobStatus::kScheduled};
              }),
              (IdList{add_id, pre_id, dependant_id}));

    EXPECT_EQ(Ids(SyncWait(store_->DependantsOf(add_id))), IdList{dependant_id});
    EXPECT_TRUE(SyncWait(store_->DependantsOf(pre_id)).empty());
    EXPECT_EQ(SyncWait(store_->NextScheduledTime()), pre.scheduled_time);
}

TEST_F(CsmJobStore, ACreateNamingWhatIsNotStoredSaysWhichAndStoresNothing) {
    const auto missing = [&](const InstallJob& job) {
        const auto created = SyncWait(store_->CreateJob(job));
        EXPECT_TRUE(std::holds_alternative<MissingReference>(created));
        return std::holds_alternative<MissingReference>(created)
                   ? std::get<MissingReference>(created)
                   : MissingReference{};
    };
    auto job = Job("nowhere", InstallAction::kAdd);
    job.server_repository = "no-repo";
    job.command_profiles = {"checks", "no-checks"};
    auto reported = missing(job);
    EXPECT_EQ(reported.kind, MissingReference::Kind::kHost);
    EXPECT_EQ(reported.name, "nowhere");
    job.hostname = "pe1";
    reported = missing(job);
    EXPECT_EQ(reported.kind, MissingReference::Kind::kServerRepository);
    EXPECT_EQ(reported.name, "no-repo");
    job.server_repository = "repo";
    reported = missing(job);
    EXPECT_EQ(reported.kind, MissingReference::Kind::kCommandProfile);
    EXPECT_EQ(reported.name, "no-checks");
    EXPECT_EQ(Count("SELECT count(*) FROM csm_install_jobs"), 0);
    EXPECT_EQ(SyncWait(store_->NextScheduledTime()), std::nullopt);
}

TEST_F(CsmJobStore, OnlyAScheduledOrFailedJobIsDeletedAndItsWaitingDependantsFail) {
    const auto scheduled = Create(Job("pe1", InstallAction::kRemove, 5min));
    const auto first = Create(Job("pe2", InstallAction::kAdd));
    const auto second = Create(Job("pe2", InstallAction::kActivate, -1min, first));
    const auto third = Create(Job("pe2", InstallAction::kCommit, -1min, second));
    EXPECT_EQ(SyncWait(store_->DeleteJob(scheduled)), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteJob(scheduled)), DeleteOutcome::kMissing);

    const auto running = SyncWait(store_->ClaimDueJobs(10));
    ASSERT_EQ(Ids(running), std::vector<std::int64_t>{first});
    EXPECT_EQ(SyncWait(store_->DeleteJob(first)), DeleteOutcome::kInUse) << "in progress";
    Finish(*store_, running[0], JobStatus::kFailed);
    EXPECT_EQ(StatusOf(second), JobStatus::kFailed);
    EXPECT_EQ(SyncWait(store_->DeleteJob(first)), DeleteOutcome::kDeleted)
        << "a failed job goes, whatever depended on it";
    EXPECT_EQ(SyncWait(store_->GetJob(second))->dependency, std::nullopt);
    EXPECT_EQ(SyncWait(store_->DeleteJob(second)), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteJob(third)), DeleteOutcome::kDeleted);

    // A scheduled job deleted: what waited for it can never run, and fails saying why.
    const auto base = Create(Job("pe2", InstallAction::kAdd, 5min));
    const auto waiting = Create(Job("pe2", InstallAction::kActivate, 6min, base));
    const auto deeper = Create(Job("pe2", InstallAction::kCommit, 7min, waiting));
    EXPECT_EQ(SyncWait(store_->DeleteJob(base)), DeleteOutcome::kDeleted);
    const auto waited = SyncWait(store_->GetJob(waiting));
    EXPECT_EQ(waited->status, JobStatus::kFailed);
    EXPECT_EQ(waited->status_message,
              "Dependency job " + std::to_string(base) + " (Add) was deleted.");
    EXPECT_EQ(SyncWait(store_->GetJob(deeper))->status_message,
              "Dependency job " + std::to_string(waiting) + " (Activate) failed.");

    const auto done = Create(Job("pe3", InstallAction::kRemove));
    Finish(*store_, SyncWait(store_->ClaimDueJobs(10)).at(0));
    EXPECT_EQ(SyncWait(store_->DeleteJob(done)), DeleteOutcome::kInUse) << "history";
    EXPECT_EQ(StatusOf(done), JobStatus::kCompleted);
    // Ids are never reused.
    EXPECT_GT(Create(Job("pe1", InstallAction::kRemove)), done);
}

TEST_F(CsmJobStore, AClaimTakesTheDueJobsOldestFirstOnePerDeviceUpToTheLimit) {
    const auto later = Create(Job("pe1", InstallAction::kRemove, 10min));
    const auto pe1_old = Create(Job("pe1", InstallAction::kAdd, -30min));
    const auto pe1_new = Create(Job("pe1", InstallAction::kRemove, -20min));
    const auto pe2 = Create(Job("pe2", InstallAction::kAdd, -25min));
    const auto pe3 = Create(Job("pe3", InstallAction::kAdd, -10min));
    const auto oldest = Job("pe4", InstallAction::kActivate, -40min, pe3);
    const auto after_pe3 = Create(oldest);
    EXPECT_EQ(SyncWait(store_->NextScheduledTime()),
              SyncWait(store_->GetJob(later))->scheduled_time)
        << "the earliest time still ahead: the ones passed are claimed or wait for something "
           "else than time";

    const auto first = SyncWait(store_->ClaimDueJobs(2));
    EXPECT_EQ(Ids(first), (std::vector<std::int64_t>{pe1_old, pe2}));
    for (const auto& job : first) {
        EXPECT_EQ(job.status, JobStatus::kInProgress);
        EXPECT_TRUE(job.start_time.has_value());
        EXPECT_EQ(job.status_time, job.start_time);
        EXPECT_EQ(job.progress, "");
        EXPECT_EQ(LeaseOf("install_job", std::to_string(job.id)), "a 1");
        EXPECT_EQ(LeaseOf("csm_device", job.hostname), "a 1");
    }
    // pe1's other due job waits for the device, pe4's for its dependency, the later one for its
    // time.
    const auto second = SyncWait(store_->ClaimDueJobs(10));
    EXPECT_EQ(Ids(second), std::vector<std::int64_t>{pe3});
    EXPECT_TRUE(SyncWait(store_->ClaimDueJobs(10)).empty());
    EXPECT_TRUE(SyncWait(store_->ClaimDueJobs(0)).empty());

    Finish(*store_, second[0]);
    EXPECT_EQ(LeaseOf("install_job", std::to_string(pe3)), "");
    EXPECT_EQ(LeaseOf("csm_device", "pe3"), "");
    EXPECT_EQ(Ids(SyncWait(store_->ClaimDueJobs(10))), std::vector<std::int64_t>{after_pe3})
        << "its dependency completed";
    Finish(*store_, first[0]);
    EXPECT_EQ(Ids(SyncWait(store_->ClaimDueJobs(10))), std::vector<std::int64_t>{pe1_new})
        << "its device is free";
    EXPECT_EQ(StatusOf(later), JobStatus::kScheduled);
    EXPECT_EQ(SyncWait(store_->NextScheduledTime()),
              SyncWait(store_->GetJob(later))->scheduled_time);
}

TEST_F(CsmJobStore, AStoreThatJoinedNoClusterClaimsNothing) {
    Create(Job("pe1", InstallAction::kAdd));
    model::pg::PgStore unregistered(db_.dsn(), 1, 1);
    EXPECT_TRUE(SyncWait(unregistered.ClaimDueJobs(10)).empty());
    EXPECT_TRUE(SyncWait(unregistered.ClaimOrphanJobs(kLease, 10)).empty());
    unregistered.Stop();
    EXPECT_EQ(Count("SELECT count(*) FROM leases"), 0);
}

TEST_F(CsmJobStore, ADeviceRunningAJobOnOneNodeRunsNoOtherOnAnotherUntilItEnds) {
    auto& b = Node("b");
    const auto first = Create(Job("pe1", InstallAction::kAdd, -10min));
    const auto second = Create(Job("pe1", InstallAction::kRemove, -5min));
    const auto running = SyncWait(store_->ClaimDueJobs(1));
    ASSERT_EQ(Ids(running), std::vector<std::int64_t>{first});
    EXPECT_TRUE(SyncWait(b.ClaimDueJobs(10)).empty());
    SyncWait(store_->RecordJobProgress(first, R"({"step":2})", "Copying"));
    EXPECT_EQ(SyncWait(b.GetJob(first))->status_message, "Copying");
    EXPECT_TRUE(SyncWait(b.ClaimDueJobs(10)).empty());
    Finish(*store_, running[0]);
    EXPECT_EQ(Ids(SyncWait(b.ClaimDueJobs(10))), std::vector<std::int64_t>{second});
    EXPECT_EQ(LeaseOf("csm_device", "pe1"), "b 1");
}

TEST_F(CsmJobStore, TwoNodesClaimingAtOnceNeverShareAJobOrADevice) {
    std::vector<model::pg::PgStore*> racers{&Node("r1", 2, 2), &Node("r2", 2, 2)};
    std::set<std::int64_t> created;
    for (int round = 0; round < 10; ++round)
        for (int host = 1; host <= 6; ++host)
            created.insert(Create(Job("pe" + std::to_string(host), InstallAction::kRemove,
                                      std::chrono::minutes(-10 + round))));

    // Each node claims from two threads in small batches, marks the devices it runs, and ends
    // its jobs after a moment, until every job completed.
    std::mutex mutex;
    std::set<std::string> busy;
    std::vector<std::string> overlaps;
    std::multiset<std::int64_t> claimed;
    std::vector<std::future<void>> threads;
    for (auto* racer : racers) {
        for (int thread = 0; thread < 2; ++thread) {
            threads.push_back(std::async(std::launch::async, [&, racer] {
                for (auto deadline = std::chrono::steady_clock::now() + 60s;
                     std::chrono::steady_clock::now() < deadline;) {
                    const auto jobs = SyncWait(racer->ClaimDueJobs(2));
                    {
                        std::lock_guard lock(mutex);
                        for (const auto& job : jobs) {
                            claimed.insert(job.id);
                            if (!busy.insert(job.hostname).second) overlaps.push_back(job.hostname);
                        }
                        if (jobs.empty() && claimed.size() >= created.size()) return;
                    }
                    // The jobs "run" a moment, holding their devices, so that the other
                    // racer's claims meet busy devices (not a wait for an event).
                    std::this_thread::sleep_for(2ms);
                    for (const auto& job : jobs) {
                        {
                            // Free before the end commits: the device is taken again only after.
                            std::lock_guard lock(mutex);
                            busy.erase(job.hostname);
                        }
                        Finish(*racer, job);
                    }
                }
            }));
        }
    }
    for (auto& thread : threads) thread.get();
    EXPECT_TRUE(overlaps.empty()) << overlaps.size() << " devices ran two jobs at once";
    EXPECT_EQ(claimed.size(), created.size()) << "each claimed exactly once";
    EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()), created);
    EXPECT_EQ(Count("SELECT count(*) FROM csm_install_jobs WHERE status <> 'completed'"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM leases"), 0);
}

TEST_F(CsmJobStore, AClaimThatMeetsAnotherOnADeviceLeavesItsJobScheduled) {
    // Another claim, not committed yet, took pe1's device for a job this claim does not see
    // (its dependency completed since this claim's snapshot): the device lease decides.
    auto& b = Node("b");
    const auto id = Create(Job("pe1", InstallAction::kAdd));
    pqxx::connection other(db_.dsn());
    pqxx::work claiming(other);
    claiming.exec0(
        "INSERT INTO leases (unit_kind, unit_id, owner) SELECT 'csm_device', 'pe1', node_id "
        "FROM nodes WHERE name = 'b'");
    auto claim = std::async(std::launch::async, [&] { return SyncWait(store_->ClaimDueJobs(10)); });
    AwaitLockWait();
    claiming.commit();
    EXPECT_TRUE(claim.get().empty());
    EXPECT_EQ(StatusOf(id), JobStatus::kScheduled);
    EXPECT_EQ(LeaseOf("csm_device", "pe1"), "b 1");
    EXPECT_TRUE(SyncWait(b.ClaimDueJobs(10)).empty()) << "the device is busy";
}

TEST_F(CsmJobStore, ADeadNodesJobIsTakenOverWithItsDeviceAndTheOldOwnerCannotWriteIt) {
    auto& b = Node("b");
    const auto id = Create(Job("pe1", InstallAction::kAdd, -10min));
    const auto waiting = Create(Job("pe1", InstallAction::kRemove, -5min));
    const auto running = SyncWait(store_->ClaimDueJobs(10)).at(0);
    SyncWait(store_->RecordJobProgress(id, R"({"step":3})", "Installing"));
    EXPECT_TRUE(SyncWait(b.ClaimOrphanJobs(kLease, 10)).empty()) << "its owner lives";

    Silence("a");
    // A dead owner's device stays its job's: only the takeover moves it.
    EXPECT_TRUE(SyncWait(b.ClaimDueJobs(10)).empty());
    const auto taken = SyncWait(b.ClaimOrphanJobs(kLease, 10));
    ASSERT_EQ(Ids(taken), std::vector<std::int64_t>{id});
    EXPECT_EQ(taken[0].status, JobStatus::kInProgress);
    EXPECT_EQ(taken[0].progress, R"({"step":3})") << "it resumes where it was";
    EXPECT_EQ(LeaseOf("install_job", std::to_string(id)), "b 2");
    EXPECT_EQ(LeaseOf("csm_device", "pe1"), "b 2");
    EXPECT_TRUE(SyncWait(b.ClaimOrphanJobs(kLease, 10)).empty());

    // The node taken for dead comes back: its writes are refused and change nothing.
    EXPECT_THROW(SyncWait(store_->RecordJobProgress(id, R"({"step":4})", "late")), LeaseLost);
    EXPECT_THROW(Finish(*store_, running, JobStatus::kFailed), LeaseLost);
    EXPECT_EQ(SyncWait(b.GetJob(id))->progress, R"({"step":3})");
    EXPECT_EQ(StatusOf(waiting), JobStatus::kScheduled);

    auto end = taken[0];
    end.status_message = "Completed";
    end.package_change_list = {"asr9k-px-7.3.2.CSCvx12345.pie"};
    end.progress = R"({"step":5})";
    Finish(b, end);
    const auto ended = SyncWait(b.GetJob(id));
    EXPECT_EQ(ended->status, JobStatus::kCompleted);
    EXPECT_EQ(ended->package_change_list, end.package_change_list);
    EXPECT_EQ(ended->progress, end.progress);
    EXPECT_GE(*ended->status_time, *ended->start_time);
    // With the leases gone, the old owner is refused still (the job is not running).
    EXPECT_THROW(SyncWait(store_->RecordJobProgress(id, "{}", "later")), LeaseLost);
    EXPECT_THROW(Finish(*store_, running, JobStatus::kFailed), LeaseLost);
    EXPECT_EQ(StatusOf(id), JobStatus::kCompleted);
    EXPECT_EQ(Ids(SyncWait(b.ClaimDueJobs(10))), std::vector<std::int64_t>{waiting});
}

TEST_F(CsmJobStore, AStoppedNodesJobIsAnOrphanAtOnce) {
    const auto id = Create(Job("pe1", InstallAction::kAdd));
    SyncWait(store_->ClaimDueJobs(10));
    auto& b = Node("b");
    db_.Query("UPDATE nodes SET stopped_at = now() WHERE name = 'a'");
    EXPECT_EQ(Ids(SyncWait(b.ClaimOrphanJobs(kLease, 10))), std::vector<std::int64_t>{id});
}

TEST_F(CsmJobStore, AFailedJobFailsItsScheduledDependantsTransitively) {
    const auto pre = Create(Job("pe1", InstallAction::kPreUpgrade, -10min));
    const auto add = Create(Job("pe1", InstallAction::kAdd, -9min, pre));
    const auto activate = Create(Job("pe1", InstallAction::kActivate, -8min, add));
    const auto commit = Create(Job("pe1", InstallAction::kCommit, -7min, activate));
    const auto also = Create(Job("pe1", InstallAction::kRemove, 60min, pre));
    const auto unrelated = Create(Job("pe1", InstallAction::kRemove, 60min));

    auto running = SyncWait(store_->ClaimDueJobs(10)).at(0);
    ASSERT_EQ(running.id, pre);
    running.status_message = "Pre-Upgrade check failed";
    running.trace = "% Invalid input detected";
    running.warnings_or_errors = {"disk0: 3% free"};
    const auto finished = Finish(*store_, running, JobStatus::kFailed);
    EXPECT_EQ(finished.failed_dependants, (std::vector<std::int64_t>{add, activate, commit, also}));

    const auto failed = SyncWait(store_->GetJob(pre));
    EXPECT_EQ(failed->status, JobStatus::kFailed);
    EXPECT_EQ(failed->trace, running.trace);
    EXPECT_EQ(failed->warnings_or_errors, running.warnings_or_errors);
    const auto message = [&](std::int64_t id) {
        const auto job = SyncWait(store_->GetJob(id));
        EXPECT_EQ(job->status, JobStatus::kFailed);
        EXPECT_TRUE(job->status_time.has_value());
        return job->status_message;
    };
    const auto named = [](std::int64_t id, const std::string& action) {
        return "Dependency job " + std::to_string(id) + " (" + action + ") failed.";
    };
    EXPECT_EQ(message(add), named(pre, "Pre-Upgrade"));
    EXPECT_EQ(message(activate), named(add, "Add"));
    EXPECT_EQ(message(commit), named(activate, "Activate"));
    EXPECT_EQ(message(also), named(pre, "Pre-Upgrade"));
    EXPECT_EQ(StatusOf(unrelated), JobStatus::kScheduled);
    EXPECT_EQ(Count("SELECT count(*) FROM leases"), 0);
    EXPECT_TRUE(SyncWait(store_->ClaimDueJobs(10)).empty()) << "nothing due is left";
}

TEST_F(CsmJobStore, AHostIsDeletedWithItsJobsUnlessOneRuns) {
    const auto first = Create(Job("pe1", InstallAction::kAdd, -10min));
    Create(Job("pe1", InstallAction::kActivate, 10min, first));
    Create(Job("pe2", InstallAction::kAdd, 10min));
    const auto running = SyncWait(store_->ClaimDueJobs(10)).at(0);
    EXPECT_EQ(SyncWait(store_->DeleteHost("pe1")), DeleteOutcome::kInUse);
    EXPECT_EQ(Count("SELECT count(*) FROM csm_install_jobs"), 3);

    Finish(*store_, running);
    EXPECT_EQ(SyncWait(store_->DeleteHost("pe1")), DeleteOutcome::kDeleted);
    EXPECT_EQ(Count("SELECT count(*) FROM csm_install_jobs"), 1) << "pe2's job stays";
    EXPECT_EQ(Count("SELECT count(*) FROM leases WHERE unit_kind = 'csm_device'"), 0);
    EXPECT_EQ(SyncWait(store_->DeleteHost("pe1")), DeleteOutcome::kMissing);

    // A host re-created under the name runs jobs again.
    PutHost("pe1");
    const auto again = Create(Job("pe1", InstallAction::kAdd));
    EXPECT_EQ(Ids(SyncWait(store_->ClaimDueJobs(10))), std::vector<std::int64_t>{again});
}

TEST_F(CsmJobStore, AHostWhoseJobAClaimStartsWhileItIsDeletedIsInUse) {
    const auto id = Create(Job("pe1", InstallAction::kAdd));
    // What a claim holds until it commits: the host shared, the job started.
    pqxx::connection other(db_.dsn());
    pqxx::work claiming(other);
    claiming.exec1("SELECT 1 FROM csm_hosts WHERE hostname = 'pe1' FOR KEY SHARE");
    claiming.exec0("UPDATE csm_install_jobs SET status = 'in-progress' WHERE id = " +
                   std::to_string(id));
    auto deletion =
        std::async(std::launch::async, [&] { return SyncWait(store_->DeleteHost("pe1")); });
    AwaitLockWait();
    claiming.commit();
    EXPECT_EQ(deletion.get(), DeleteOutcome::kInUse);
}

TEST_F(CsmJobStore, ACommandProfileIsInUseWhileAJobNotFinishedNamesIt) {
    auto pre = Job("pe1", InstallAction::kPreUpgrade);
    pre.command_profiles = {"checks"};
    Create(pre);
    EXPECT_EQ(SyncWait(store_->DeleteCommandProfile("checks")), DeleteOutcome::kInUse)
        << "scheduled";
    const auto running = SyncWait(store_->ClaimDueJobs(10)).at(0);
    EXPECT_EQ(SyncWait(store_->DeleteCommandProfile("checks")), DeleteOutcome::kInUse)
        << "in progress";
    Finish(*store_, running);
    EXPECT_EQ(SyncWait(store_->DeleteCommandProfile("checks")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->GetJob(running.id))->command_profiles,
              std::vector<std::string>{"checks"})
        << "the finished job keeps the name";
}

}  // namespace
}  // namespace escd::test
