#pragma once
/// @file
/// The steps of an install job and the one transition table that orders them (docs/csm.md,
/// "Running a job"). The runner (install_runner.hpp) carries out a step and reports how it
/// ended; the table alone decides what comes next. The step reached is recorded with the job
/// (JobProgress), so that a job cut by a crash resumes where it was rather than typing its
/// install command again.
///
/// Two kinds of job, one table each:
/// - checks (Pre-Upgrade, Post-Upgrade): connect, discover, node states, captures, diffs; all
///   read-only, so a resumed check simply runs again;
/// - package operations (Add, Activate, Deactivate, Remove, Remove All Inactive, Commit):
///   connect, discover, read what the device has, issue the install command, watch the
///   operation to its end, follow a reload, read the result. Once the command was issued, a
///   resumed job never issues it again: it watches the operation it recorded (or, when the
///   crash came between typing and recording, the one the device's log shows started since).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/csm/install_job.hpp"

namespace escd::orchestrator::csm {

enum class InstallStep {
    kConnect,      ///< log in (the host's addresses in order, through its jump host)
    kDiscover,     ///< show version, show inventory: the facts, and which command set
    kCheckNodes,   ///< every node up (show platform)
    kCapture,      ///< show running-config and the profiles' commands, each to a file
    kDiff,         ///< Post-Upgrade: each capture against the last completed Pre-Upgrade's
    kReadBefore,   ///< which of the job's packages the operation still has to act on
    kIssue,        ///< type the install command, answer its questions, note the operation
    kWatch,        ///< until the operation finished (and its result is in place)
    kAwaitReload,  ///< the device reloads: the session drops, it comes back, its nodes come up
    kReadAfter,    ///< the facts again (the software version changed)
    kCompleted,
    kFailed,
};

/// How a step ended.
enum class StepOutcome {
    kDone,         ///< go on
    kNothingToDo,  ///< the device is already as asked: no command to type
    kReloading,    ///< the operation ended and the device reloads to put it in place
    kLost,         ///< the device could not be reached, after the command may have been typed
    kResumeIssue,  ///< (discovery of a resumed job) the crash came while issuing the command
    kResumeWatch,  ///< (discovery of a resumed job) the operation was issued: watch it
    kFailed,       ///< the job fails (the runner has its message)
};

/// "connect", "discover", ... "completed", "failed": what the progress records.
std::string_view InstallStepName(InstallStep step);
std::optional<InstallStep> ParseInstallStep(std::string_view text);
std::string_view StepOutcomeName(StepOutcome outcome);

/// Whether `action` is a check (Pre-/Post-Upgrade) rather than a package operation.
bool IsCheck(model::csm::InstallAction action);
/// Whether a job of `action` may reload its device (Activate, Deactivate): on one of escd's
/// VNFs, the VM's monitoring is held while it runs.
bool MayReload(model::csm::InstallAction action);

/// The next step of a job of `action` after `step` ended with `outcome`; nullopt when the
/// table has no such row (a bug in a step: the runner fails the job saying so).
std::optional<InstallStep> NextInstallStep(model::csm::InstallAction action,
                                           InstallStep step,
                                           StepOutcome outcome);

/// What a running job records of itself (InstallJob::progress, JSON): the step it reached,
/// the install operation it started and the newest operation before it, whether that
/// operation reloads the device and whether the reload was seen.
struct JobProgress {
    InstallStep step = InstallStep::kConnect;
    std::optional<int> operation;       ///< the operation the job's command started
    std::optional<int> last_operation;  ///< the newest one in the device's log before it
    bool reload = false;                ///< the device asked to reload for the operation
    bool reloaded = false;              ///< the session dropped for that reload
    /// The job holds the monitoring of the VNF it runs on (vnf_monitoring.hpp): it turns it on
    /// again at its end, also when it resumes after a crash.
    bool monitoring_held = false;
    friend bool operator==(const JobProgress&, const JobProgress&) = default;
};

/// `{"step":"watch","operation":12,"last_operation":11}`.
std::string ProgressJson(const JobProgress& progress);
/// The progress a job recorded; a fresh one for "" and for anything unreadable (the job then
/// starts from its first step, as a job that recorded nothing).
JobProgress ParseProgress(std::string_view json);

}  // namespace escd::orchestrator::csm
