#include "model/csm/install_job.hpp"

#include <array>
#include <utility>

namespace escd::model::csm {
namespace {

constexpr std::array<std::pair<InstallAction, std::string_view>, 8> kActions{{
    {InstallAction::kPreUpgrade, "Pre-Upgrade"},
    {InstallAction::kAdd, "Add"},
    {InstallAction::kActivate, "Activate"},
    {InstallAction::kPostUpgrade, "Post-Upgrade"},
    {InstallAction::kCommit, "Commit"},
    {InstallAction::kRemove, "Remove"},
    {InstallAction::kDeactivate, "Deactivate"},
    {InstallAction::kRemoveAllInactive, "Remove All Inactive"},
}};

constexpr std::array<std::pair<JobStatus, std::string_view>, 4> kStatuses{{
    {JobStatus::kScheduled, "scheduled"},
    {JobStatus::kInProgress, "in-progress"},
    {JobStatus::kCompleted, "completed"},
    {JobStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view InstallActionName(InstallAction action) {
    for (const auto& [value, name] : kActions)
        if (value == action) return name;
    return "?";
}

std::optional<InstallAction> ParseInstallAction(std::string_view text) {
    for (const auto& [value, name] : kActions)
        if (name == text) return value;
    return std::nullopt;
}

bool InImplicitChain(InstallAction action) {
    return action == InstallAction::kPreUpgrade || action == InstallAction::kAdd ||
           action == InstallAction::kActivate || action == InstallAction::kPostUpgrade ||
           action == InstallAction::kCommit;
}

std::string_view JobStatusName(JobStatus status) {
    for (const auto& [value, name] : kStatuses)
        if (value == status) return name;
    return "?";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
    for (const auto& [value, name] : kStatuses)
        if (name == text) return value;
    return std::nullopt;
}

}  // namespace escd::model::csm
