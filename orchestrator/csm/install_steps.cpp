#include "orchestrator/csm/install_steps.hpp"

#include <array>

#include <boost/json.hpp>

#include "model/transition_table.hpp"

namespace escd::orchestrator::csm {
namespace {

using S = InstallStep;
using O = StepOutcome;
using StepRow = model::Transition<S, O>;

// Pre-Upgrade and Post-Upgrade: read-only from start to end. A dropped session fails the check
// (its captures would be partial); the operator schedules it again.
// clang-format off
constexpr std::array kCheckTable{
    StepRow{S::kConnect,    O::kDone,   S::kDiscover},
    StepRow{S::kConnect,    O::kFailed, S::kFailed},
    StepRow{S::kDiscover,   O::kDone,   S::kCheckNodes},
    StepRow{S::kDiscover,   O::kFailed, S::kFailed},
    StepRow{S::kCheckNodes, O::kDone,   S::kCapture},
    StepRow{S::kCheckNodes, O::kFailed, S::kFailed},
    StepRow{S::kCapture,    O::kDone,   S::kDiff},
    StepRow{S::kCapture,    O::kFailed, S::kFailed},
    StepRow{S::kDiff,       O::kDone,   S::kCompleted},
    StepRow{S::kDiff,       O::kFailed, S::kFailed},
};

// Add, Activate, Deactivate, Remove, Remove All Inactive, Commit. After kIssue the device may
// be doing the operation: a lost session is then a reload (or a link that comes back), never
// a reason to type the command again.
constexpr std::array kPackageTable{
    StepRow{S::kConnect,     O::kDone,        S::kDiscover},
    StepRow{S::kConnect,     O::kLost,        S::kAwaitReload},  // resumed: it may be reloading
    StepRow{S::kConnect,     O::kFailed,      S::kFailed},
    StepRow{S::kDiscover,    O::kDone,        S::kReadBefore},
    StepRow{S::kDiscover,    O::kResumeIssue, S::kIssue},
    StepRow{S::kDiscover,    O::kResumeWatch, S::kWatch},
    StepRow{S::kDiscover,    O::kLost,        S::kAwaitReload},
    StepRow{S::kDiscover,    O::kFailed,      S::kFailed},
    StepRow{S::kReadBefore,  O::kDone,        S::kIssue},
    StepRow{S::kReadBefore,  O::kNothingToDo, S::kReadAfter},
    StepRow{S::kReadBefore,  O::kFailed,      S::kFailed},
    StepRow{S::kIssue,       O::kDone,        S::kWatch},
    StepRow{S::kIssue,       O::kNothingToDo, S::kReadAfter},    // NO IMPACT OPERATION
    StepRow{S::kIssue,       O::kLost,        S::kAwaitReload},
    StepRow{S::kIssue,       O::kFailed,      S::kFailed},
    StepRow{S::kWatch,       O::kDone,        S::kReadAfter},
    StepRow{S::kWatch,       O::kReloading,   S::kAwaitReload},
    StepRow{S::kWatch,       O::kLost,        S::kAwaitReload},
    StepRow{S::kWatch,       O::kFailed,      S::kFailed},
    StepRow{S::kAwaitReload, O::kDone,        S::kWatch},        // the result, after the reload
    StepRow{S::kAwaitReload, O::kFailed,      S::kFailed},
    StepRow{S::kReadAfter,   O::kDone,        S::kCompleted},
    StepRow{S::kReadAfter,   O::kFailed,      S::kFailed},
};
// clang-format on
static_assert(model::OneRowPerStateAndEvent(kCheckTable));
static_assert(model::OneRowPerStateAndEvent(kPackageTable));

constexpr std::array<std::string_view, 12> kStepNames{
    "connect", "discover", "check-nodes",  "capture",    "diff",      "read-before",
    "issue",   "watch",    "await-reload", "read-after", "completed", "failed"};

constexpr std::array<std::string_view, 7> kOutcomeNames{
    "done", "nothing-to-do", "reloading", "lost", "resume-issue", "resume-watch", "failed"};

}  // namespace

std::string_view InstallStepName(InstallStep step) {
    return kStepNames[static_cast<std::size_t>(step)];
}

std::optional<InstallStep> ParseInstallStep(std::string_view text) {
    return model::ParseName<InstallStep>(kStepNames, text);
}

std::string_view StepOutcomeName(StepOutcome outcome) {
    return kOutcomeNames[static_cast<std::size_t>(outcome)];
}

bool IsCheck(model::csm::InstallAction action) {
    return action == model::csm::InstallAction::kPreUpgrade ||
           action == model::csm::InstallAction::kPostUpgrade;
}

bool MayReload(model::csm::InstallAction action) {
    return action == model::csm::InstallAction::kActivate ||
           action == model::csm::InstallAction::kDeactivate;
}

std::optional<InstallStep> NextInstallStep(model::csm::InstallAction action,
                                           InstallStep step,
                                           StepOutcome outcome) {
    if (IsCheck(action)) return model::Lookup(kCheckTable, step, outcome);
    return model::Lookup(kPackageTable, step, outcome);
}

std::string ProgressJson(const JobProgress& progress) {
    boost::json::object object;
    object["step"] = InstallStepName(progress.step);
    if (progress.operation) object["operation"] = *progress.operation;
    if (progress.last_operation) object["last_operation"] = *progress.last_operation;
    if (progress.reload) object["reload"] = true;
    if (progress.reloaded) object["reloaded"] = true;
    if (progress.monitoring_held) object["monitoring_held"] = true;
    return boost::json::serialize(object);
}

JobProgress ParseProgress(std::string_view json) {
    JobProgress progress;
    boost::system::error_code ec;
    const auto value = boost::json::parse(json, ec);
    if (ec || !value.is_object()) return progress;
    const auto& object = value.as_object();
    const auto number = [&](std::string_view key) -> std::optional<int> {
        const auto* field = object.if_contains(key);
        if (field == nullptr || !field->is_int64()) return std::nullopt;
        return static_cast<int>(field->as_int64());
    };
    if (const auto* step = object.if_contains("step"); step != nullptr && step->is_string()) {
        const auto parsed = ParseInstallStep(step->as_string());
        if (!parsed) return progress;
        progress.step = *parsed;
    }
    progress.operation = number("operation");
    progress.last_operation = number("last_operation");
    const auto flag = [&](std::string_view key) {
        const auto* field = object.if_contains(key);
        return field != nullptr && field->is_bool() && field->as_bool();
    };
    progress.reload = flag("reload");
    progress.reloaded = flag("reloaded");
    progress.monitoring_held = flag("monitoring_held");
    return progress;
}

}  // namespace escd::orchestrator::csm
