#pragma once
/// @file
/// The VM and service state machines of a deployment (docs/behaviour.md, "States"), each one
/// explicit transition table in pure code. The engine feeds them events (requests, VIM outcomes,
/// monitoring verdicts); an event without a row for the current state is refused — a 409 when it
/// came from a request — and logged. State names are the reference's (VM_ALIVE_STATE, ...).
///
/// VM:
///   INIT --Deploy--> DEPLOYING --VimDone--> INERT --Alive--> ALIVE
///   DEPLOYING --VimFailed--> ERROR
///   ALIVE|INERT|MONITOR_UNSET --Stop--> STOPPING --VimDone--> SHUTOFF (VimFailed: INERT)
///   SHUTOFF --Start--> STARTING --VimDone--> INERT (VimFailed: SHUTOFF)
///   ALIVE|INERT|MONITOR_UNSET --Reboot--> REBOOTING --VimDone--> INERT (VimFailed: INERT)
///   ALIVE|INERT --DisableMonitoring--> MONITOR_UNSET --EnableMonitoring--> INERT
///   ALIVE --Down--> INERT  (a KPI or the VIM says it is not alive)
///   ALIVE|INERT|ERROR|SHUTOFF --Recover--> RECOVERING --Alive--> ALIVE (recovered)
///   RECOVERING --VimFailed--> ERROR (every attempt failed); --VimDone--> INERT
///   any but UNDEPLOYING/REMOVED --Undeploy--> UNDEPLOYING --VimDone--> REMOVED (VimFailed: ERROR)
///
/// Service:
///   DEPLOYING --AllDeployed--> INERT --AllAlive--> ACTIVE --NotAllAlive--> INERT
///   DEPLOYING|INERT|ACTIVE|UPDATING --Failed--> ERROR
///   ACTIVE|INERT --Update--> UPDATING --Updated--> INERT
///   ACTIVE|INERT --AllStopped--> STOPPED --Started--> INERT
///   any but UNDEPLOYING/REMOVED --Undeploy--> UNDEPLOYING --Undeployed--> REMOVED

#include <optional>
#include <string_view>

namespace escd::model {

enum class VmState {
    kInit,
    kDeploying,
    kInert,
    kAlive,
    kStopping,
    kShutoff,
    kStarting,
    kRebooting,
    kMonitorUnset,
    kRecovering,
    kUndeploying,
    kError,
    kRemoved,
};

enum class VmEvent {
    kDeploy,
    kVimDone,
    kVimFailed,
    kAlive,
    kDown,
    kStop,
    kStart,
    kReboot,
    kDisableMonitoring,
    kEnableMonitoring,
    kRecover,
    kUndeploy,
};

enum class ServiceState {
    kDeploying,
    kInert,
    kActive,
    kUpdating,
    kStopped,
    kUndeploying,
    kError,
    kRemoved,
};

enum class ServiceEvent {
    kAllDeployed,
    kAllAlive,
    kNotAllAlive,
    kFailed,
    kUpdate,
    kUpdated,
    kAllStopped,
    kStarted,
    kUndeploy,
    kUndeployed,
};

std::optional<VmState> NextState(VmState state, VmEvent event) noexcept;

/// Whether a VM in `state` is one the VIM should have: not INIT/DEPLOYING (its operation
/// creates it), UNDEPLOYING (on its way out) or ERROR (left for undeploy). Reconciliation after
/// a restart re-creates such a VM when the VIM lost it.
bool OnVim(VmState state) noexcept;
std::optional<ServiceState> NextState(ServiceState state, ServiceEvent event) noexcept;

std::string_view ToString(VmState state) noexcept;       ///< "VM_ALIVE_STATE", ...
std::string_view ToString(ServiceState state) noexcept;  ///< "SERVICE_ACTIVE_STATE", ...
std::optional<VmState> ParseVmState(std::string_view text) noexcept;
std::optional<ServiceState> ParseServiceState(std::string_view text) noexcept;

}  // namespace escd::model
