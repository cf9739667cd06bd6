#pragma once
// The VM and service enums of model/vm_state_machine.hpp, short, with how many values each has:
// what the state-machine tests walk exhaustively.

#include "model/vm_state_machine.hpp"

namespace escd::model::test {
using V = VmState;
using VE = VmEvent;
using S = ServiceState;
using SE = ServiceEvent;

inline constexpr int kVmStates = static_cast<int>(V::kRemoved) + 1;
inline constexpr int kVmEvents = static_cast<int>(VE::kUndeploy) + 1;
inline constexpr int kServiceStates = static_cast<int>(S::kRemoved) + 1;
inline constexpr int kServiceEvents = static_cast<int>(SE::kUndeployed) + 1;
}  // namespace escd::model::test
