#pragma once
/// @file
/// What a group's rules say to do when one of its KPI events is raised (docs/behaviour.md,
/// "Monitoring between operations").
/// An action is "<TRUE|FALSE|ALWAYS> <name>": it applies when the event is raised with that
/// value (ALWAYS: either). Names escd acts on (the CORE dynamic-mapping actions):
///   log                                    the event is logged
///   esc_vm_alive_notification, servicebooted.sh   VM_ALIVE (an inert VM is alive)
///   recover autohealing                    the VM is recovered
///   servicescaleup.sh                      the group scales out (elastic groups only)
///   servicescalein.sh, servicescaledown.sh the group scales in (elastic groups only)
/// A VM_ALIVE event without rules gets the standard three: ALWAYS log,
/// TRUE esc_vm_alive_notification, FALSE recover autohealing. Other names are ignored.

#include <string>

#include "model/deployment.hpp"

namespace escd::orchestrator {

struct RuleActions {
    bool log = false;
    bool notify = false;
    bool heal = false;
    bool scale_out = false;
    bool scale_in = false;
};

RuleActions ActionsFor(const model::VmGroupSpec& group, const std::string& event, bool value);

}  // namespace escd::orchestrator
