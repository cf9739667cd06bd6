#include "model/vm_state_machine.hpp"

#include <array>

#include "model/transition_table.hpp"

namespace escd::model {
namespace {
using V = VmState;
using VE = VmEvent;
using VmRow = Transition<V, VE>;
// clang-format off
constexpr std::array kVmTable{
    VmRow{V::kInit,         VE::kDeploy,            V::kDeploying},
    VmRow{V::kDeploying,    VE::kVimDone,           V::kInert},
    VmRow{V::kDeploying,    VE::kVimFailed,         V::kError},
    VmRow{V::kInert,        VE::kAlive,             V::kAlive},
    VmRow{V::kAlive,        VE::kAlive,             V::kAlive},     // repeated verdicts are no news
    VmRow{V::kAlive,        VE::kDown,              V::kInert},
    VmRow{V::kInert,        VE::kDown,              V::kInert},
    VmRow{V::kAlive,        VE::kStop,              V::kStopping},
    VmRow{V::kInert,        VE::kStop,              V::kStopping},
    VmRow{V::kMonitorUnset, VE::kStop,              V::kStopping},
    VmRow{V::kStopping,     VE::kVimDone,           V::kShutoff},
    VmRow{V::kStopping,     VE::kVimFailed,         V::kInert},
    VmRow{V::kShutoff,      VE::kStart,             V::kStarting},
    VmRow{V::kStarting,     VE::kVimDone,           V::kInert},
    VmRow{V::kStarting,     VE::kVimFailed,         V::kShutoff},
    VmRow{V::kAlive,        VE::kReboot,            V::kRebooting},
    VmRow{V::kInert,        VE::kReboot,            V::kRebooting},
    VmRow{V::kMonitorUnset, VE::kReboot,            V::kRebooting},
    VmRow{V::kRebooting,    VE::kVimDone,           V::kInert},
    VmRow{V::kRebooting,    VE::kVimFailed,         V::kInert},
    VmRow{V::kAlive,        VE::kDisableMonitoring, V::kMonitorUnset},
    VmRow{V::kInert,        VE::kDisableMonitoring, V::kMonitorUnset},
    VmRow{V::kMonitorUnset, VE::kEnableMonitoring,  V::kInert},
    VmRow{V::kAlive,        VE::kRecover,           V::kRecovering},
    VmRow{V::kInert,        VE::kRecover,           V::kRecovering},
    VmRow{V::kError,        VE::kRecover,           V::kRecovering},
    VmRow{V::kShutoff,      VE::kRecover,           V::kRecovering},
    VmRow{V::kRecovering,   VE::kVimDone,           V::kInert},
    VmRow{V::kRecovering,   VE::kAlive,             V::kAlive},     // recovered
    VmRow{V::kRecovering,   VE::kVimFailed,         V::kError},     // every attempt failed
    VmRow{V::kAlive,        VE::kRedeploy,          V::kDeploying},
    VmRow{V::kInert,        VE::kRedeploy,          V::kDeploying},
    VmRow{V::kError,        VE::kRedeploy,          V::kDeploying},
    VmRow{V::kMonitorUnset, VE::kRedeploy,          V::kDeploying},
    VmRow{V::kInit,         VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kDeploying,    VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kInert,        VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kAlive,        VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kStopping,     VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kShutoff,      VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kStarting,     VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kRebooting,    VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kMonitorUnset, VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kRecovering,   VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kError,        VE::kUndeploy,          V::kUndeploying},
    VmRow{V::kUndeploying,  VE::kVimDone,           V::kRemoved},
    VmRow{V::kUndeploying,  VE::kVimFailed,         V::kError},
};

using Svc = ServiceState;
using SvcE = ServiceEvent;
using ServiceRow = Transition<Svc, SvcE>;
constexpr std::array kServiceTable{
    ServiceRow{Svc::kDeploying,   SvcE::kAllDeployed, Svc::kInert},
    ServiceRow{Svc::kDeploying,   SvcE::kFailed,      Svc::kError},
    ServiceRow{Svc::kInert,       SvcE::kAllAlive,    Svc::kActive},
    ServiceRow{Svc::kActive,      SvcE::kNotAllAlive, Svc::kInert},
    ServiceRow{Svc::kInert,       SvcE::kFailed,      Svc::kError},
    ServiceRow{Svc::kActive,      SvcE::kFailed,      Svc::kError},
    ServiceRow{Svc::kActive,      SvcE::kUpdate,      Svc::kUpdating},
    ServiceRow{Svc::kInert,       SvcE::kUpdate,      Svc::kUpdating},
    ServiceRow{Svc::kUpdating,    SvcE::kUpdated,     Svc::kInert},
    ServiceRow{Svc::kUpdating,    SvcE::kFailed,      Svc::kError},
    ServiceRow{Svc::kError,       SvcE::kFailed,      Svc::kError},       // a failure found again
    ServiceRow{Svc::kActive,      SvcE::kAllStopped,  Svc::kStopped},
    ServiceRow{Svc::kInert,       SvcE::kAllStopped,  Svc::kStopped},
    ServiceRow{Svc::kStopped,     SvcE::kStarted,     Svc::kInert},
    ServiceRow{Svc::kDeploying,   SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kInert,       SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kActive,      SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kUpdating,    SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kStopped,     SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kError,       SvcE::kUndeploy,    Svc::kUndeploying},
    ServiceRow{Svc::kUndeploying, SvcE::kUndeployed,  Svc::kRemoved},
};

// The effects column of the VM table: the rows whose callback stage is the same whatever the
// operation. Every other row emits nothing of its own (VmStep::stage empty).
struct VmEffect {
    V from;
    VE on;
    std::string_view stage;
};
constexpr std::array kVmEffects{
    VmEffect{V::kInert,        VE::kAlive,     "VM_ALIVE"},
    VmEffect{V::kRecovering,   VE::kAlive,     "VM_RECOVERY_COMPLETE"},
    VmEffect{V::kRecovering,   VE::kVimFailed, "VM_RECOVERY_COMPLETE"},
    VmEffect{V::kAlive,        VE::kRecover,   "VM_RECOVERY_INIT"},
    VmEffect{V::kInert,        VE::kRecover,   "VM_RECOVERY_INIT"},
    VmEffect{V::kError,        VE::kRecover,   "VM_RECOVERY_INIT"},
    VmEffect{V::kShutoff,      VE::kRecover,   "VM_RECOVERY_INIT"},
};
// clang-format on
static_assert(OneRowPerStateAndEvent(kVmEffects), "one effect per (state, event)");

// Every effect belongs to a row of the transition table.
constexpr bool EffectsHaveRows() {
    for (const auto& effect : kVmEffects) {
        bool found = false;
        for (const auto& row : kVmTable)
            found = found || (row.from == effect.from && row.on == effect.on);
        if (!found) return false;
    }
    return true;
}
static_assert(EffectsHaveRows(), "a VM effect without its transition");
static_assert(OneRowPerStateAndEvent(kVmTable), "one VM row per (state, event)");
static_assert(OneRowPerStateAndEvent(kServiceTable), "one service row per (state, event)");

constexpr std::array<std::string_view, 13> kVmNames{
    "VM_INIT_STATE",          "VM_DEPLOYING_STATE",  "VM_INERT_STATE",       "VM_ALIVE_STATE",
    "VM_STOPPING_STATE",      "VM_SHUTOFF_STATE",    "VM_STARTING_STATE",    "VM_REBOOTING_STATE",
    "VM_MONITOR_UNSET_STATE", "VM_RECOVERING_STATE", "VM_UNDEPLOYING_STATE", "VM_ERROR_STATE",
    "VM_REMOVED_STATE"};
constexpr std::array<std::string_view, 8> kServiceNames{
    "SERVICE_DEPLOYING_STATE", "SERVICE_INERT_STATE",   "SERVICE_ACTIVE_STATE",
    "SERVICE_UPDATING_STATE",  "SERVICE_STOPPED_STATE", "SERVICE_UNDEPLOYING_STATE",
    "SERVICE_ERROR_STATE",     "SERVICE_REMOVED_STATE"};

}  // namespace

std::optional<VmState> NextState(VmState state, VmEvent event) noexcept {
    return Lookup(kVmTable, state, event);
}

std::optional<VmStep> Step(VmState state, VmEvent event) noexcept {
    auto next = Lookup(kVmTable, state, event);
    if (!next) return std::nullopt;
    VmStep step{*next, {}};
    for (const auto& effect : kVmEffects)
        if (effect.from == state && effect.on == event) step.stage = effect.stage;
    return step;
}

bool VmIsRunning(VmState state) noexcept {
    return state != VmState::kShutoff && state != VmState::kStopping;
}

bool VmIsSettled(VmState state) noexcept {
    return state == VmState::kInert || state == VmState::kAlive || state == VmState::kShutoff ||
           state == VmState::kMonitorUnset;
}

bool VmIsUp(VmState state) noexcept {
    return state == VmState::kInert || state == VmState::kAlive;
}

bool VmIsBeingDeployed(VmState state) noexcept {
    return state == VmState::kInit || state == VmState::kDeploying;
}

bool VmRequestInFlight(VmState state, VmEvent request) noexcept {
    switch (request) {
        case VmEvent::kStop:
        case VmEvent::kStart:
        case VmEvent::kReboot:
            // The request's own state: the one its row leads to, left by the VIM's answer.
            for (auto from : {VmState::kAlive, VmState::kShutoff})
                if (NextState(from, request) == state) return true;
            return false;
        default:
            return false;
    }
}

bool VmRequestDone(VmState state, bool monitoring, VmEvent request) noexcept {
    switch (request) {
        case VmEvent::kStop:
            return state == VmState::kShutoff;
        case VmEvent::kStart:
            return VmIsUp(state);
        case VmEvent::kDisableMonitoring:
            return state == VmState::kMonitorUnset;
        case VmEvent::kEnableMonitoring:
            return VmIsUp(state) && monitoring;
        default:
            return false;
    }
}

bool OnVim(VmState state) noexcept {
    switch (state) {
        case VmState::kInert:
        case VmState::kAlive:
        case VmState::kStopping:
        case VmState::kShutoff:
        case VmState::kStarting:
        case VmState::kRebooting:
        case VmState::kMonitorUnset:
        case VmState::kRecovering:
            return true;
        default:
            return false;
    }
}

std::optional<ServiceState> NextState(ServiceState state, ServiceEvent event) noexcept {
    return Lookup(kServiceTable, state, event);
}

bool ServiceIsUp(ServiceState state) noexcept {
    return state == ServiceState::kActive || state == ServiceState::kInert;
}

bool ServiceIsWatched(ServiceState state) noexcept {
    return ServiceIsUp(state) || state == ServiceState::kUpdating;
}

bool ServiceAcceptsUpdate(ServiceState state) noexcept {
    return NextState(state, ServiceEvent::kUpdate).has_value();
}

bool ServiceAcceptsOperation(ServiceState state, VmEvent request) noexcept {
    if (request == VmEvent::kStart) return NextState(state, ServiceEvent::kStarted).has_value();
    return ServiceIsUp(state);
}

std::string_view ToString(VmState state) noexcept {
    return kVmNames[static_cast<std::size_t>(state)];
}

std::string_view ToString(ServiceState state) noexcept {
    return kServiceNames[static_cast<std::size_t>(state)];
}

std::optional<VmState> ParseVmState(std::string_view text) noexcept {
    return ParseName<VmState>(kVmNames, text);
}

std::optional<ServiceState> ParseServiceState(std::string_view text) noexcept {
    return ParseName<ServiceState>(kServiceNames, text);
}

}  // namespace escd::model
