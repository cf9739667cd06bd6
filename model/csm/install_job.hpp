#pragma once
/// @file
/// CSM's install jobs (docs/csm.md, "Install jobs"): one action on one host at a scheduled
/// time, possibly after another job (its dependency). Values arrive as CSM JSON
/// (server/csm/install_json.hpp), are parsed once there into these types, and are what the
/// store keeps and the job engine (orchestrator/csm/) runs.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escd::model::csm {

/// CSM's install actions, in CSM's order (its sort index: the jobs of one request are created
/// host by host in this order, which makes the implicit chain Pre-Upgrade <- Add <- Activate
/// <- Post-Upgrade <- Commit).
enum class InstallAction {
    kPreUpgrade,
    kAdd,
    kActivate,
    kPostUpgrade,
    kCommit,
    kRemove,
    kDeactivate,
    kRemoveAllInactive,
};

/// "Pre-Upgrade", "Add", "Activate", "Post-Upgrade", "Commit", "Remove", "Deactivate",
/// "Remove All Inactive".
std::string_view InstallActionName(InstallAction action);
/// The action of its exact CSM name; nullopt for any other text (CSM's FPD-Upgrade and
/// Rollback among them: escd does not run them, docs/csm.md).
std::optional<InstallAction> ParseInstallAction(std::string_view text);
/// Whether the action takes part in CSM's implicit chain within one request.
bool InImplicitChain(InstallAction action);

enum class JobStatus { kScheduled, kInProgress, kCompleted, kFailed };
/// "scheduled", "in-progress", "completed", "failed".
std::string_view JobStatusName(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);

using TimePoint = std::chrono::system_clock::time_point;

struct InstallJob {
    std::int64_t id = 0;  ///< the store's; never reused
    std::string hostname;
    InstallAction action = InstallAction::kPreUpgrade;
    TimePoint scheduled_time{};  ///< UTC, whole minutes
    std::optional<std::int64_t> dependency;
    std::string server_repository;  ///< Add: the repository's name; "" otherwise
    std::string server_directory;   ///< Add: below the repository's directory
    std::vector<std::string> software_packages;
    std::vector<std::string> command_profiles;  ///< Pre-/Post-Upgrade: custom command profiles
    JobStatus status = JobStatus::kScheduled;
    std::optional<TimePoint> start_time;
    std::optional<TimePoint> status_time;  ///< when the status last changed
    std::string status_message;            ///< what the job is doing, or why it failed
    std::string trace;                     ///< the failure's detail (the device's answer)
    std::vector<std::string> warnings_or_errors;
    std::vector<std::string> package_change_list;  ///< filled when it completed
    std::string created_by;
    /// What the running job recorded of its steps (JSON, the engine's own), so that a job cut
    /// by a crash resumes where it was rather than starting its device commands again.
    std::string progress;
};

}  // namespace escd::model::csm
