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

using S = ServiceState;
using SE = ServiceEvent;
using ServiceRow = Transition<S, SE>;
constexpr std::array kServiceTable{
    ServiceRow{S::kDeploying,   SE::kAllDeployed, S::kInert},
    ServiceRow{S::kDeploying,   SE::kFailed,      S::kError},
    ServiceRow{S::kInert,       SE::kAllAlive,    S::kActive},
    ServiceRow{S::kActive,      SE::kNotAllAlive, S::kInert},
    ServiceRow{S::kInert,       SE::kFailed,      S::kError},
    ServiceRow{S::kActive,      SE::kFailed,      S::kError},
    ServiceRow{S::kActive,      SE::kUpdate,      S::kUpdating},
    ServiceRow{S::kInert,       SE::kUpdate,      S::kUpdating},
    ServiceRow{S::kUpdating,    SE::kUpdated,     S::kInert},
    ServiceRow{S::kUpdating,    SE::kFailed,      S::kError},
    ServiceRow{S::kActive,      SE::kAllStopped,  S::kStopped},
    ServiceRow{S::kInert,       SE::kAllStopped,  S::kStopped},
    ServiceRow{S::kStopped,     SE::kStarted,     S::kInert},
    ServiceRow{S::kDeploying,   SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kInert,       SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kActive,      SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kUpdating,    SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kStopped,     SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kError,       SE::kUndeploy,    S::kUndeploying},
    ServiceRow{S::kUndeploying, SE::kUndeployed,  S::kRemoved},
};
// clang-format on
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
