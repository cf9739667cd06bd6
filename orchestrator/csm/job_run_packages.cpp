#include "orchestrator/csm/job_run.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "orchestrator/csm/exr_packages.hpp"
#include "orchestrator/csm/exr_text.hpp"
#include "orchestrator/csm/host_discovery.hpp"

namespace escd::orchestrator::csm::detail {
namespace {

using model::csm::InstallAction;
using std::chrono::milliseconds;

// What the device asks while an install command runs: eXR's reload question, the password of
// an FTP, SFTP or SCP source, classic XR's confirmations (asked when `prompt-level none` is not
// part of the command).
const std::vector<std::string> kInstallQuestions{
    R"(will (?:reload|reboot) the (?:system|sdr), continue\?)", R"([Pp]assword: *$)",
    R"(\(y/n\)\? *\[y\] *$)",  // classic XR: `Proceed with this install operation (y/n)? [y]`
    R"(\[confirm\] *$)",       // classic XR: `Proceed with removing these packages? [confirm]`
};
constexpr int kReloadQuestion = 0;
constexpr int kPasswordQuestion = 1;
constexpr int kYesNoQuestion = 2;

std::string SecondsText(milliseconds duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) +
           " s";
}

}  // namespace

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
            // The command names each package as the device lists it (`disk0:...`, an SMU's
            // version), as CSM did.
            const auto listed_as = [](const std::vector<std::string>& list,
                                      const std::string& wanted) -> std::optional<std::string> {
                for (const auto& name : list)
                    if (SamePackage(name, wanted)) return name;
                return std::nullopt;
            };
            std::vector<std::string> missing;
            for (const auto& package : job_.software_packages) {
                const auto as_active = listed_as(active, package);
                const auto as_inactive = listed_as(inactive, package);
                if (job_.action == InstallAction::kDeactivate) {
                    if (as_active) targets_.push_back(*as_active);
                } else if (as_inactive) {
                    targets_.push_back(*as_inactive);
                } else if (!as_active) {
                    missing.push_back(InternalName(package));
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
    // Typed and started already (this step is run again after the database failed to record
    // it): never twice.
    if (progress_.operation) co_return StepOutcome::kDone;
    if (resumed_.step >= InstallStep::kIssue && !resumed_.operation) {
        // Cut while typing: if the device started an operation since, it is this job's.
        resumed_.step = InstallStep::kConnect;
        const auto newest = co_await NewestOperation();
        if (newest && (!progress_.last_operation || *newest > *progress_.last_operation)) {
            progress_.operation = newest;
            transcript_->Note("resumed: install operation " + std::to_string(*newest) +
                              " was started before the restart");
            co_return StepOutcome::kDone;
        }
        // It never went: what to act on is read again (the resumed job skipped read-before).
        const auto before = co_await ReadBefore();
        if (before != StepOutcome::kDone) co_return before;
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
        } else if (answer.index == kYesNoQuestion) {
            line = "y";
        } else {
            line = "";  // [confirm]: the line end
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
            // Classic XR asks nothing before a reload: its log says so.
            progress_.reload = progress_.reload || OperationReloads(log);
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
        // A device that vanished without closing the connection answers nothing: each probe
        // waits no longer than what is left of the reload's time.
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.now());
        const auto timeout =
            std::max(std::chrono::milliseconds(1000), std::min(left, options_.command_timeout));
        try {
            co_await session_->Command(probe, timeout);
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

}  // namespace escd::orchestrator::csm::detail
