#include "orchestrator/csm/install_runner.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/stores/lease_store.hpp"
#include "orchestrator/csm/device/device_session.hpp"
#include "orchestrator/csm/exr_packages.hpp"
#include "orchestrator/csm/exr_text.hpp"
#include "orchestrator/csm/host_discovery.hpp"
#include "orchestrator/csm/install_steps.hpp"
#include "orchestrator/csm/job_log.hpp"
#include "orchestrator/csm/xr_commands.hpp"

namespace escd::orchestrator::csm {
namespace {

using model::csm::InstallAction;
using model::csm::InstallJob;
using model::csm::JobStatus;
using std::chrono::milliseconds;

// What the device asks while an install command runs: eXR's reload question, and the password
// of an FTP, SFTP or SCP source.
const std::vector<std::string> kInstallQuestions{
    R"(will (?:reload|reboot) the (?:system|sdr), continue\?)",
    R"([Pp]assword: *$)",
};
constexpr int kReloadQuestion = 0;
constexpr int kPasswordQuestion = 1;

std::string SecondsText(milliseconds duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) +
           " s";
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// The first line of the device's answer that says it refused a command (`% Invalid input
// detected at '^' marker.`); "" when none does.
std::string RefusalIn(const std::string& output) {
    for (const auto line : exr_detail::Lines(output)) {
        const auto trimmed = exr_detail::Trim(line);
        if (trimmed.starts_with("% ")) return std::string(trimmed);
    }
    return "";
}

void WriteFile(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw Error(ErrorOrigin::kInternal, ErrorCode::kInternal, "cannot write " + file.string());
    }
}

std::optional<std::string> ReadFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// One job's run: what the steps share.
class JobRun {
  public:
    JobRun(InstallJob job,
           model::CsmStore& inventory,
           model::CsmJobStore& jobs,
           asio::thread_pool& pool,
           Clock& clock,
           const InstallRunnerOptions& options,
           asio::any_io_executor executor)
        : job_(std::move(job)),
          inventory_(inventory),
          jobs_(jobs),
          pool_(pool),
          clock_(clock),
          options_(options),
          executor_(std::move(executor)),
          dir_(JobLogDir(options.log_dir, job_.id)),
          resumed_(ParseProgress(job_.progress)),
          progress_(resumed_) {
        // A job that had typed its command resumes watching; anything before that runs again.
        resuming_ = !job_.progress.empty();
    }

    asio::awaitable<void> Run();

  private:
    asio::awaitable<StepOutcome> Perform(InstallStep step);
    asio::awaitable<StepOutcome> Connect();
    asio::awaitable<StepOutcome> Discover();
    asio::awaitable<StepOutcome> CheckNodes();
    asio::awaitable<StepOutcome> Capture();
    asio::awaitable<StepOutcome> Diff();
    asio::awaitable<StepOutcome> ReadBefore();
    asio::awaitable<StepOutcome> Issue();
    asio::awaitable<StepOutcome> Watch();
    asio::awaitable<StepOutcome> AwaitReload();
    asio::awaitable<StepOutcome> ReadAfter();
    asio::awaitable<void> Finish(bool completed);

    /// g++ 12: the command is a named string at every call (no temporary in a co_await).
    asio::awaitable<std::string> Command(std::string_view command);
    asio::awaitable<std::vector<std::string>> Packages(PackageList list);
    asio::awaitable<std::optional<int>> NewestOperation();
    asio::awaitable<void> Record(InstallStep step, const std::string& doing);
    asio::awaitable<void> Pause() { co_await clock_.Wait(options_.poll); }
    StepOutcome Fail(std::string message, std::string trace = "") {
        failure_ = std::move(message);
        if (!trace.empty()) job_.trace = std::move(trace);
        return StepOutcome::kFailed;
    }
    // A device error in a step: before the install command was typed the job fails; after, the
    // device may be busy with it (or reloading), and the job waits for it.
    StepOutcome DeviceTrouble(const DeviceError& error) {
        if (progress_.operation || progress_.step >= InstallStep::kIssue) return StepOutcome::kLost;
        return Fail(error.what());
    }
    const XrCommands& commands() const { return *commands_; }

    InstallJob job_;
    model::CsmStore& inventory_;
    model::CsmJobStore& jobs_;
    asio::thread_pool& pool_;
    Clock& clock_;
    const InstallRunnerOptions& options_;
    asio::any_io_executor executor_;
    std::filesystem::path dir_;
    JobProgress resumed_;
    JobProgress progress_;
    bool resuming_ = false;

    ConnectionPlan plan_;  // kConnect: how the device is reached, again after a reload
    std::unique_ptr<Transcript> transcript_;
    std::unique_ptr<DeviceSession> session_;
    std::optional<XrCommands> commands_;
    std::vector<std::string> targets_;   // kReadBefore: the packages to act on
    std::vector<std::string> captures_;  // kCapture: the files written
    std::string failure_;
};

asio::awaitable<void> JobRun::Run() {
    ESCD_INFO("csm") << "install job " << job_.id << " ("
                     << model::csm::InstallActionName(job_.action) << " on " << job_.hostname << ")"
                     << (resuming_ ? " resumes" : " runs");
    co_await Offload(pool_, [this] { std::filesystem::create_directories(dir_); });
    transcript_ = std::make_unique<Transcript>(pool_, dir_ / kSessionLogName);
    InstallStep step = InstallStep::kConnect;
    while (step != InstallStep::kCompleted && step != InstallStep::kFailed) {
        const auto outcome = co_await Perform(step);
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
    co_await transcript_->Flush();
    co_await Finish(step == InstallStep::kCompleted);
}

asio::awaitable<void> JobRun::Record(InstallStep step, const std::string& doing) {
    progress_.step = step;
    const auto json = ProgressJson(progress_);
    co_await jobs_.RecordJobProgress(job_.id, json, doing);
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
        if (e.retryable()) throw;  // the database: the job is taken over or resumed
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
        if (resuming_ && (resumed_.operation || resumed_.step == InstallStep::kIssue)) {
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
    if (resumed_.step == InstallStep::kIssue) co_return StepOutcome::kResumeIssue;
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::CheckNodes() {
    const auto command = commands().ShowPlatform();
    const auto text = co_await Command(command);
    if (!AllNodesUp(PlatformNodes(text))) {
        co_return Fail("Not all nodes in correct state. Upgrade can not proceed", text);
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Capture() {
    std::vector<std::string> commands{std::string(XrCommands::kShowRunningConfig)};
    for (const auto& profile_name : job_.command_profiles) {
        const std::optional<std::string> name = profile_name;
        const auto profiles = co_await inventory_.ListCommandProfiles(name);
        if (profiles.empty()) {
            co_return Fail("Custom command profile '" + profile_name +
                           "' does not exist in the database.");
        }
        for (const auto& command : profiles.front().commands)
            if (!Contains(commands, command)) commands.push_back(command);
    }
    for (const auto& command : commands) {
        const auto output = co_await Command(command);
        if (const auto refusal = RefusalIn(output); !refusal.empty()) {
            co_return Fail("The device refused '" + command + "': " + refusal, output);
        }
        const auto file = dir_ / CommandFileName(command);
        co_await Offload(pool_, [&file, &output] { WriteFile(file, output); });
        captures_.push_back(file.filename().string());
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Diff() {
    if (job_.action != InstallAction::kPostUpgrade) co_return StepOutcome::kDone;
    model::JobFilter filter;
    filter.hostname = job_.hostname;
    filter.action = InstallAction::kPreUpgrade;
    filter.statuses = {JobStatus::kCompleted};
    const auto pre_upgrades = co_await jobs_.ListJobs(filter, 5000);
    if (pre_upgrades.empty()) {
        job_.warnings_or_errors.push_back("No completed Pre-Upgrade job of " + job_.hostname +
                                          " to compare the captures with.");
        co_return StepOutcome::kDone;
    }
    const auto pre_upgrade = pre_upgrades.back().id;
    const auto before_dir = JobLogDir(options_.log_dir, pre_upgrade);
    const auto title_of = [this, pre_upgrade](const std::string& name) {
        return name + ": Pre-Upgrade job " + std::to_string(pre_upgrade) +
               " against Post-Upgrade job " + std::to_string(job_.id);
    };
    co_await Offload(pool_, [this, &before_dir, &title_of] {
        for (const auto& name : captures_) {
            const auto before = ReadFile(before_dir / name);
            const auto after = ReadFile(dir_ / name);
            if (!before || !after) continue;
            WriteFile(dir_ / (name + ".diff.html"), DiffHtml(*before, *after, title_of(name)));
        }
    });
    co_return StepOutcome::kDone;
}

asio::awaitable<std::vector<std::string>> JobRun::Packages(PackageList list) {
    const auto command = commands().ShowPackages(list);
    const auto text = co_await Command(command);
    co_return PackagesOf(text);
}

asio::awaitable<std::optional<int>> JobRun::NewestOperation() {
    const auto command = commands().ShowStartedOperations();
    const auto text = co_await Command(command);
    co_return LastStartedOperationId(text);
}

asio::awaitable<StepOutcome> JobRun::ReadBefore() {
    progress_.last_operation = co_await NewestOperation();
    targets_.clear();
    switch (job_.action) {
        case InstallAction::kActivate:
        case InstallAction::kDeactivate:
        case InstallAction::kRemove: {
            const auto inactive = co_await Packages(PackageList::kInactive);
            const auto active = co_await Packages(PackageList::kActive);
            std::vector<std::string> missing;
            for (const auto& package : job_.software_packages) {
                const auto name = InternalName(package);
                const bool is_active = Contains(active, name);
                const bool is_inactive = Contains(inactive, name);
                if (job_.action == InstallAction::kDeactivate) {
                    if (is_active) targets_.push_back(name);
                } else if (is_inactive) {
                    targets_.push_back(name);
                } else if (!is_active) {
                    missing.push_back(name);
                }
            }
            if (job_.action == InstallAction::kActivate && !missing.empty()) {
                std::string names;
                for (const auto& name : missing) names += (names.empty() ? "" : ", ") + name;
                co_return Fail("Not on the device (add them first): " + names + ".");
            }
            if (targets_.empty()) {
                job_.warnings_or_errors.push_back(
                    "Nothing to do: the device has the packages "
                    "as asked already.");
                co_return StepOutcome::kNothingToDo;
            }
            co_return StepOutcome::kDone;
        }
        case InstallAction::kRemoveAllInactive: {
            const auto inactive = co_await Packages(PackageList::kInactive);
            if (inactive.empty()) {
                job_.warnings_or_errors.push_back("Nothing to do: no inactive package.");
                co_return StepOutcome::kNothingToDo;
            }
            co_return StepOutcome::kDone;
        }
        default:
            co_return StepOutcome::kDone;
    }
}

asio::awaitable<StepOutcome> JobRun::Issue() {
    if (resumed_.step == InstallStep::kIssue && !resumed_.operation) {
        // Cut while typing: if the device started an operation since, it is this job's.
        resumed_.step = InstallStep::kConnect;
        const auto newest = co_await NewestOperation();
        if (newest && (!progress_.last_operation || *newest > *progress_.last_operation)) {
            progress_.operation = newest;
            transcript_->Note("resumed: install operation " + std::to_string(*newest) +
                              " was started before the restart");
            co_return StepOutcome::kDone;
        }
    }
    std::string command;
    PackageSource source;
    switch (job_.action) {
        case InstallAction::kAdd: {
            const std::optional<std::string> name = job_.server_repository;
            const auto repositories = co_await inventory_.ListServerRepositories(name);
            if (repositories.empty()) {
                co_return Fail("Server repository '" + job_.server_repository +
                               "' does not exist in the database.");
            }
            source = SourceOf(repositories.front(), job_.server_directory, commands().set());
            transcript_->AddSecret(repositories.front().password);
            command = commands().Add(source.text, job_.software_packages);
            break;
        }
        case InstallAction::kActivate:
            command = commands().Activate(targets_);
            break;
        case InstallAction::kDeactivate:
            command = commands().Deactivate(targets_);
            break;
        case InstallAction::kRemove:
            command = commands().Remove(targets_);
            break;
        case InstallAction::kRemoveAllInactive:
            command = commands().RemoveAllInactive();
            break;
        case InstallAction::kCommit:
            command = commands().Commit();
            break;
        default:
            co_return Fail("escd has no install command for this action");
    }
    // The step is recorded (kIssue, with the newest operation before it) before the line goes.
    std::string output;
    std::string line = command;
    for (int questions = 0;; ++questions) {
        const auto answer =
            co_await session_->Send(line, kInstallQuestions, options_.command_timeout);
        output += answer.text;
        if (answer.index == ExpectResult::kPrompt) break;
        if (questions == 4) co_return Fail("The device kept asking: " + answer.text, output);
        if (answer.index == kReloadQuestion) {
            progress_.reload = true;
            line = "yes";
        } else if (answer.index == kPasswordQuestion) {
            line = source.password;
        }
    }
    progress_.reload = progress_.reload || AsksToReload(output);
    if (NoImpactOperation(output)) {
        job_.warnings_or_errors.push_back("NO IMPACT OPERATION: the packages were in place.");
        co_return StepOutcome::kNothingToDo;
    }
    if (SuIssuCommitPending(output)) {
        co_return Fail("An SU/ISSU was done: install commit first.", output);
    }
    if (const auto why = CouldNotStart(output)) {
        co_return Fail("Could not start this install operation: " + *why, output);
    }
    const auto operation = StartedOperationId(output);
    if (!operation) co_return Fail("The device started no install operation.", output);
    progress_.operation = operation;
    const auto doing = "install operation " + std::to_string(*operation);
    co_await Record(InstallStep::kIssue, doing);
    ESCD_INFO("csm") << "install job " << job_.id << ": " << doing << " started on "
                     << job_.hostname;
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Watch() {
    if (!progress_.operation) {
        // The session dropped while the command was typed: the device's log tells.
        const auto newest = co_await NewestOperation();
        if (!newest || (progress_.last_operation && *newest <= *progress_.last_operation)) {
            co_return Fail("The session to " + job_.hostname +
                           " dropped as the install command was typed; the device started no "
                           "operation.");
        }
        progress_.operation = newest;
    }
    const int operation = *progress_.operation;
    const auto deadline = clock_.now() + options_.operation_timeout;
    for (;;) {
        const auto log_command = commands().ShowLogDetail(operation);
        const auto log = co_await Command(log_command);
        const auto end =
            TryCommandLater(log) ? OperationEnd::kRunning : OperationEndOf(log, operation);
        if (end == OperationEnd::kAborted) {
            for (auto& error : InstallErrors(log)) job_.warnings_or_errors.push_back(error);
            co_return Fail("Install operation " + std::to_string(operation) + " aborted.", log);
        }
        if (end == OperationEnd::kSucceeded) {
            job_.package_change_list = OperationPackages(log);
            break;
        }
        if (clock_.now() >= deadline) {
            co_return Fail("Install operation " + std::to_string(operation) +
                           " did not finish within " + SecondsText(options_.operation_timeout) +
                           ".");
        }
        const auto request_command = commands().ShowRequest();
        const auto request = co_await Command(request_command);
        if (const auto percent = PercentComplete(request, operation)) {
            const auto json = ProgressJson(progress_);
            const auto doing = "install operation " + std::to_string(operation) + ": " +
                               std::to_string(*percent) + "% complete";
            co_await jobs_.RecordJobProgress(job_.id, json, doing);
        }
        co_await Pause();
    }
    // A reloading operation finishes before the reload puts its software in place.
    if (progress_.reload && !progress_.reloaded) co_return StepOutcome::kReloading;
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::AwaitReload() {
    const auto deadline = clock_.now() + options_.reload_timeout;
    const auto past = [&] { return clock_.now() >= deadline; };
    // Until the session drops: the reload starts a moment after the operation ends.
    const std::string probe = commands_ ? commands().ShowRequest() : "show version";
    while (session_ && session_->connected()) {
        try {
            co_await Command(probe);
        } catch (const DeviceError&) {
            break;
        }
        if (past()) {
            co_return Fail(job_.hostname + " did not reload within " +
                           SecondsText(options_.reload_timeout) + ".");
        }
        co_await Pause();
    }
    session_.reset();
    if (progress_.reload && !progress_.reloaded) {
        progress_.reloaded = true;
        co_await Record(InstallStep::kAwaitReload, "reloading");
    }
    transcript_->Note("waiting for " + job_.hostname + " to come back");
    while (!session_) {
        std::string why;
        try {
            DeviceConnector connector(executor_);
            session_ = co_await connector.Connect(plan_, *transcript_);
            break;
        } catch (const DeviceError& e) {
            why = e.what();
        }
        if (past()) {
            co_return Fail(job_.hostname + " did not come back within " +
                           SecondsText(options_.reload_timeout) + ": " + why);
        }
        co_await Pause();
    }
    if (!commands_) {
        const auto outcome = co_await Discover();  // resumed while it was reloading
        if (outcome == StepOutcome::kFailed) co_return outcome;
    }
    for (;;) {
        const auto command = commands().ShowPlatform();
        const auto text = co_await Command(command);
        if (AllNodesUp(PlatformNodes(text))) break;
        if (past()) co_return Fail("Not all nodes have come up.", text);
        co_await Pause();
    }
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
            if (!e.retryable() || attempt == 10) throw;
        }
        co_await Pause();
    }
}

}  // namespace

InstallRunner::InstallRunner(asio::any_io_executor executor,
                             model::CsmStore& inventory,
                             model::CsmJobStore& jobs,
                             asio::thread_pool& blocking_pool,
                             Clock& clock,
                             InstallRunnerOptions options)
    : executor_(std::move(executor)),
      inventory_(inventory),
      jobs_(jobs),
      pool_(blocking_pool),
      clock_(clock),
      options_(std::move(options)) {}

asio::awaitable<void> InstallRunner::Run(model::csm::InstallJob job) {
    JobRun run(std::move(job), inventory_, jobs_, pool_, clock_, options_, executor_);
    try {
        co_await run.Run();
    } catch (const model::LeaseLost& e) {
        ESCD_WARN("csm") << "install job ended here: another node took it over (" << e.what()
                         << ")";
    }
}

}  // namespace escd::orchestrator::csm
