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
///   ALIVE|INERT|ERROR|MONITOR_UNSET --Redeploy--> DEPLOYING (an update's new image: the VM made
///   again under its name, deployment_rolling.cpp)
///   any but UNDEPLOYING/REMOVED --Undeploy--> UNDEPLOYING --VimDone--> REMOVED (VimFailed: ERROR)
///
/// Service:
///   DEPLOYING --AllDeployed--> INERT --AllAlive--> ACTIVE --NotAllAlive--> INERT
///   DEPLOYING|INERT|ACTIVE|UPDATING --Failed--> ERROR   (ERROR --Failed--> ERROR: no news)
///   ACTIVE|INERT --Update--> UPDATING --Updated--> INERT
///   ACTIVE|INERT --AllStopped--> STOPPED --Started--> INERT
///   any but UNDEPLOYING/REMOVED --Undeploy--> UNDEPLOYING --Undeployed--> REMOVED
///
/// Step() is the machine as its callers obey it, in the manner of a raft fsm: a pure function
/// from (state, event) to the next state and what the transition emits. The predicates below
/// (VmIsRunning, ServiceIsUp, ...) are the facts derived from a state, each written once here.

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
    kRedeploy,
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

/// A VM transition and its effect: the callback stage the workflows send with it (VM_ALIVE,
/// VM_RECOVERY_INIT, VM_RECOVERY_COMPLETE). `stage` is empty where the operation names the stage
/// (VM_DEPLOYED or VM_SCALE_OUT_DEPLOYED, VM_STOPPED or VM_STOP_COMPLETE, ...) or where nothing
/// is sent (a VM going down). A scale out announces its VM's INERT -> ALIVE with its own
/// VM_SCALE_OUT_COMPLETE instead.
struct VmStep {
    VmState next;
    std::string_view stage;
};

/// The transition for (state, event) with its effect; nullopt: the event is refused.
std::optional<VmStep> Step(VmState state, VmEvent event) noexcept;

/// Whether the guest runs (or is asked to run): every state but STOPPING and SHUTOFF. What a
/// migration or a snapshot revert leaves it as, and what counts against a group's min_active.
bool VmIsRunning(VmState state) noexcept;

/// Whether no operation is under way on the VM: INERT, ALIVE, SHUTOFF or MONITOR_UNSET. The
/// VM-level requests other than the operations of the table (snapshots, migration) need it.
bool VmIsSettled(VmState state) noexcept;

/// Whether the VM is deployed, powered and monitorable: INERT or ALIVE. Such a VM (monitored)
/// is watched between operations.
bool VmIsUp(VmState state) noexcept;

/// Whether the VIM has not made the VM yet (INIT, DEPLOYING): a (re)run of the operation that
/// planned it launches it.
bool VmIsBeingDeployed(VmState state) noexcept;

/// Whether `request` (stop, start, reboot) was committed and its VIM call may not have run:
/// the VM is in the request's own state (STOPPING, STARTING, REBOOTING). A rerun calls the VIM
/// again.
bool VmRequestInFlight(VmState state, VmEvent request) noexcept;

/// Whether the VM is already where `request` leads (stop: SHUTOFF, start: up, monitoring
/// switches: the switch set): a rerun has nothing to do.
bool VmRequestDone(VmState state, bool monitoring, VmEvent request) noexcept;

/// Whether a VM in `state` is one the VIM should have: not INIT/DEPLOYING (its operation
/// creates it), UNDEPLOYING (on its way out) or ERROR (left for undeploy). Reconciliation after
/// a restart re-creates such a VM when the VIM lost it.
bool OnVim(VmState state) noexcept;
std::optional<ServiceState> NextState(ServiceState state, ServiceEvent event) noexcept;

/// The service state of a deployment with no service row: SERVICE_DEPLOYING_STATE, the state
/// its row is written with when the deployment is accepted (docs/behaviour.md, "Services").
inline constexpr ServiceState kServiceStateBeforeStored = ServiceState::kDeploying;
inline ServiceState ServiceStateOf(const std::optional<ServiceState>& stored) noexcept {
    return stored.value_or(kServiceStateBeforeStored);
}

/// Whether the service is deployed and no operation holds it: ACTIVE or INERT. Service and VM
/// operations (but start), recovery and monitoring need it.
bool ServiceIsUp(ServiceState state) noexcept;

/// Whether the service's up VMs are watched between (and during) operations: an up service,
/// or one being updated, whose VMs that were up stay what they were (a verdict on one waits for
/// the update's end). Deploying, stopped, undeploying and failed services are not watched.
bool ServiceIsWatched(ServiceState state) noexcept;

/// Whether a PUT may update the service now (the table has an Update row from `state`).
bool ServiceAcceptsUpdate(ServiceState state) noexcept;

/// Whether a service operation whose VMs get `request` may run now: start needs a stopped
/// service (the table's Started row), every other operation an up one (ServiceIsUp).
bool ServiceAcceptsOperation(ServiceState state, VmEvent request) noexcept;

std::string_view ToString(VmState state) noexcept;       ///< "VM_ALIVE_STATE", ...
std::string_view ToString(ServiceState state) noexcept;  ///< "SERVICE_ACTIVE_STATE", ...
std::optional<VmState> ParseVmState(std::string_view text) noexcept;
std::optional<ServiceState> ParseServiceState(std::string_view text) noexcept;

}  // namespace escd::model
