#include "orchestrator/csm/job_run.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/stores/lease_store.hpp"
#include "orchestrator/csm/host_discovery.hpp"

namespace escd::orchestrator::csm::detail {

using model::csm::JobStatus;

asio::awaitable<void> JobRun::Run() {
    ESCD_INFO("csm") << "install job " << job_.id << " ("
                     << model::csm::InstallActionName(job_.action) << " on " << job_.hostname << ")"
                     << (resuming_ ? " resumes" : " runs");
    co_await Offload(pool_, [this] { std::filesystem::create_directories(dir_); });
    transcript_ = std::make_unique<Transcript>(pool_, dir_ / kSessionLogName);
    InstallStep step = InstallStep::kConnect;
    if (!co_await HoldMonitoring()) step = InstallStep::kFailed;
    while (step != InstallStep::kCompleted && step != InstallStep::kFailed) {
        const auto outcome = co_await PerformSurvivingTheDatabase(step);
        const auto next = NextInstallStep(job_.action, step, outcome);
        if (!next) {
            failure_ = "escd has no step after " + std::string(InstallStepName(step)) + " (" +
                       std::string(StepOutcomeName(outcome)) + ")";
            step = InstallStep::kFailed;
            break;
        }
        transcript_->Note("step " + std::string(InstallStepName(step)) + ": " +
                          std::string(StepOutcomeName(outcome)) + ", next " +
                          std::string(InstallStepName(*next)));
        step = *next;
    }
    if (session_) {
        try {
            co_await session_->Close();
        } catch (const std::exception&) {
            // The device went first: nothing to close.
        }
        session_.reset();
    }
    co_await ReleaseMonitoring();
    co_await transcript_->Flush();
    co_await Finish(step == InstallStep::kCompleted);
}

asio::awaitable<void> JobRun::Record(InstallStep step, const std::string& doing) {
    // Never back before the command: a resumed job that is cut again must still know that its
    // command may have gone (the steps after kIssue come back to kWatch).
    progress_.step = std::max(progress_.step, step);
    const auto json = ProgressJson(progress_);
    co_await jobs_.RecordJobProgress(job_.id, json, doing);
}

asio::awaitable<StepOutcome> JobRun::PerformSurvivingTheDatabase(InstallStep step) {
    // The job's leases stay this node's while it lives: a database that is away for a moment
    // must not leave the job in progress with nobody running it. Every step may run again (the
    // command is guarded by the recorded operation).
    for (int attempt = 1;; ++attempt) {
        std::string why;
        try {
            co_return co_await Perform(step);
        } catch (const Error& e) {
            if (!e.retryable() || attempt == kDatabaseAttempts) throw;
            why = e.what();
        }
        ESCD_WARN("csm") << "install job " << job_.id << ", step " << InstallStepName(step) << ": "
                         << why << "; again in " << options_.poll.count() << " ms";
        co_await Pause();
    }
}

asio::awaitable<StepOutcome> JobRun::Perform(InstallStep step) {
    // The operation's id is recorded by Issue itself, before the step changes.
    if (step != InstallStep::kCompleted && step != InstallStep::kFailed) {
        const auto doing = std::string(InstallStepName(step)) +
                           (progress_.operation ? " (install operation " +
                                                      std::to_string(*progress_.operation) + ")"
                                                : std::string());
        co_await Record(step, doing);
    }
    try {
        switch (step) {
            case InstallStep::kConnect:
                co_return co_await Connect();
            case InstallStep::kDiscover:
                co_return co_await Discover();
            case InstallStep::kCheckNodes:
                co_return co_await CheckNodes();
            case InstallStep::kCapture:
                co_return co_await Capture();
            case InstallStep::kDiff:
                co_return co_await Diff();
            case InstallStep::kReadBefore:
                co_return co_await ReadBefore();
            case InstallStep::kIssue:
                co_return co_await Issue();
            case InstallStep::kWatch:
                co_return co_await Watch();
            case InstallStep::kAwaitReload:
                co_return co_await AwaitReload();
            case InstallStep::kReadAfter:
                co_return co_await ReadAfter();
            case InstallStep::kCompleted:
            case InstallStep::kFailed:
                break;
        }
    } catch (const DeviceError& e) {
        transcript_->Note(std::string("device: ") + e.what());
        co_return DeviceTrouble(e);
    } catch (const model::LeaseLost&) {
        throw;  // another node runs the job now: this run ends without a word
    } catch (const Error& e) {
        if (e.retryable()) throw;  // the database: the step is tried again a poll later
        co_return Fail(e.what());
    }
    co_return Fail("escd has no step " + std::string(InstallStepName(step)));
}

asio::awaitable<std::string> JobRun::Command(std::string_view command) {
    co_return co_await session_->Command(command, options_.command_timeout);
}

asio::awaitable<StepOutcome> JobRun::Connect() {
    const auto host = co_await inventory_.GetHost(job_.hostname);
    if (!host) co_return Fail("Host '" + job_.hostname + "' does not exist in the database.");
    const DeviceAccess access{options_.allowed_addresses, options_.connect_timeout,
                              options_.command_timeout};
    plan_ = co_await PlanFor(inventory_, *host, access);
    try {
        DeviceConnector connector(executor_);
        session_ = co_await connector.Connect(plan_, *transcript_);
    } catch (const DeviceError& e) {
        if (resuming_ && (resumed_.operation || resumed_.step >= InstallStep::kIssue)) {
            co_return StepOutcome::kLost;  // it may be reloading with the job's operation
        }
        co_return Fail("Unable to connect to " + job_.hostname + ": " + e.what());
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Discover() {
    const auto facts = co_await ReadFacts(*session_, options_.command_timeout);
    co_await inventory_.SetHostFacts(job_.hostname, facts);
    const auto set = CommandSetOf(facts);
    if (!set) {
        co_return Fail("escd installs on IOS XR devices only: " + job_.hostname + " runs '" +
                       facts.os_type + "'.");
    }
    commands_.emplace(*set);
    if (!resuming_ || IsCheck(job_.action)) co_return StepOutcome::kDone;
    resuming_ = false;
    if (resumed_.operation) co_return StepOutcome::kResumeWatch;
    if (resumed_.step >= InstallStep::kIssue) co_return StepOutcome::kResumeIssue;
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::ReadAfter() {
    // The software version changed: the facts follow (CSM refreshed the inventory after
    // every job).
    try {
        const auto facts = co_await ReadFacts(*session_, options_.command_timeout);
        co_await inventory_.SetHostFacts(job_.hostname, facts);
    } catch (const DeviceError& e) {
        job_.warnings_or_errors.push_back(std::string("The facts were not read again: ") +
                                          e.what());
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<void> JobRun::Finish(bool completed) {
    job_.status = completed ? JobStatus::kCompleted : JobStatus::kFailed;
    job_.status_message = completed ? "Job completed." : failure_;
    if (!completed) job_.package_change_list.clear();
    // The database may be away for a moment: the job's end is worth waiting for (its leases
    // stay this node's until it is written).
    for (int attempt = 1;; ++attempt) {
        try {
            const auto finished = co_await jobs_.FinishJob(job_);
            ESCD_INFO("csm") << "install job " << job_.id << " "
                             << model::csm::JobStatusName(job_.status)
                             << (completed ? "" : ": " + failure_)
                             << (finished.failed_dependants.empty()
                                     ? ""
                                     : " (" + std::to_string(finished.failed_dependants.size()) +
                                           " dependant jobs failed with it)");
            co_return;
        } catch (const Error& e) {
            if (!e.retryable() || attempt == kDatabaseAttempts) throw;
        }
        co_await Pause();
    }
}

}  // namespace escd::orchestrator::csm::detail
