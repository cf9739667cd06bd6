#pragma once
/// @file
/// What a deployment workflow knows while it runs (private to the workflow's sources): the
/// operation, the stored datamodel and the view of the service and its VMs as committed so far.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cancel_flag.hpp"
#include "common/error.hpp"
#include "model/deployment.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/resource_spec.hpp"
#include "model/vm_record.hpp"
#include "model/xml/deployment_docs.hpp"
#include "orchestrator/deployment/deployment_workflow.hpp"

namespace escd::orchestrator {

/// How long a guest has to power itself off when asked (stop, reboot) before it is forced: its
/// group's reboot_time, within [1 s, 120 s].
inline std::chrono::seconds ShutdownGrace(const model::VmGroupSpec& group) {
    return std::chrono::seconds(std::clamp(group.reboot_time, 1, 120));
}

/// Callback, and Callback-ESC-Events when given and different
/// (docs/decisions.md#callbacks-go-to-both-urls).
std::vector<std::string> EventUrls(const model::Operation& op);

// The row (state, event) of a table the workflow must have; a missing one is a bug in the
// workflow.
template <class Row, class State>
Row RowOrBug(std::optional<Row> row, std::string_view machine, State from) {
    if (!row) {
        throw Error(ErrorCode::kInternal, std::string(machine) +
                                              " state machine has no transition from " +
                                              std::string(ToString(from)));
    }
    return *row;
}

inline model::VmState Next(model::VmState state, model::VmEvent event) {
    return RowOrBug(model::NextState(state, event), "VM", state);
}

/// The VM transition with its effect (model::Step): the stage to send with it.
inline model::VmStep StepOf(model::VmState state, model::VmEvent event) {
    return RowOrBug(model::Step(state, event), "VM", state);
}

/// The vm_group of `spec` named `name`; null when it has none.
inline const model::VmGroupSpec* FindGroup(const model::DeploymentSpec& spec,
                                           const std::string& name) {
    for (const auto& group : spec.vm_groups)
        if (group.name == name) return &group;
    return nullptr;
}

inline model::ServiceState Next(model::ServiceState state, model::ServiceEvent event) {
    return RowOrBug(model::NextState(state, event), "service", state);
}

struct DeploymentWorkflow::Context {
    const model::Operation& op;
    model::ResourceRecord record;
    model::DeploymentSpec spec;
    model::xml::DeploymentView view;
    std::vector<std::string> urls;  ///< Callback, and Callback-ESC-Events when it differs
    std::optional<std::vector<std::string>> enabled_hosts;  ///< placement candidates, once known
    std::size_t vim_host_count = 0;
    /// The flavors the groups name, by id, as ReadFlavors read them (nullopt: no such flavor).
    std::map<std::string, std::optional<model::FlavorSpec>> flavors;
    /// Set when an undeploy cancelled this operation (a recovery or a scale; null for the others).
    std::shared_ptr<const CancelFlag> cancel;

    explicit Context(const model::Operation& operation)
        : op(operation), urls(EventUrls(operation)) {}

    const model::VmGroupSpec& Group(const std::string& name) const {
        for (const auto& group : spec.vm_groups)
            if (group.name == name) return group;
        throw Error(ErrorCode::kInternal, "VM of unknown group " + name);
    }

    /// The event `stage` to every URL, described with the view as it is now (`replaced`: the VM
    /// before a recovery redeployed it).
    void Emit(model::DeploymentStep& step,
              const std::string& stage,
              const model::VmRecord* vm,
              int status,
              const std::string& message,
              const model::VmRecord* replaced = nullptr) const {
        auto body = model::xml::DeploymentEventDocument(view, stage, vm, replaced);
        for (const auto& url : urls) step.events.push_back({url, stage, status, message, body});
    }

    model::DeploymentStep NewStep() const {
        model::DeploymentStep step;
        step.transaction_id = op.transaction_id;
        step.deployment_id = op.target_id;
        return step;
    }

    /// Whether every VM is alive, `becoming_alive` (whose step is not committed yet) counted
    /// as alive.
    bool AllAlive(const std::string& becoming_alive = {}) const {
        return std::all_of(view.vms.begin(), view.vms.end(), [&](const model::VmRecord& vm) {
            return vm.state == model::VmState::kAlive || vm.vm_name == becoming_alive;
        });
    }

    /// In `step`: the service active once every VM is alive (see AllAlive), where its state
    /// machine has that transition.
    void ActivateServiceIfAllAlive(model::DeploymentStep& step,
                                   const std::string& becoming_alive = {}) const {
        if (!AllAlive(becoming_alive)) return;
        if (auto active = model::NextState(view.service, model::ServiceEvent::kAllAlive))
            step.service_state = *active;
    }

    /// Whether an undeploy cancelled this operation: its boot checks give up, no attempt follows.
    bool Cancelled() const { return cancel && cancel->Cancelled(); }

    model::VmRecord* Vm(const std::string& name) {
        for (auto& vm : view.vms)
            if (vm.vm_name == name) return &vm;
        return nullptr;
    }
};

}  // namespace escd::orchestrator
