// Elasticity (docs/behaviour.md, "Scaling"): KPI events other than VM_ALIVE, and the SCALE_OUT /
// SCALE_IN operations their rules start.
//
// A raised KPI event (VM_OVERLOADED, VM_UNDERLOADED, ... as the group's KPIs name them) is
// matched against the group's rules (kpi_rules.hpp). "servicescaleup.sh" asks for one VM more,
// "servicescalein.sh" for one less; only an elastic group scales, and only within
// min_active..max_active (a request beyond is logged and dropped). The engine then accepts a
// SCALE_OUT or SCALE_IN operation like any other (one operation at a time per deployment).
//
// Scale out: VM_SCALE_OUT_INIT → the VM of the lowest free index is planned (its addresses from
// the group's static_ip_address_pool when it has one, else the subnet's) and created:
// VM_SCALE_OUT_DEPLOYED → alive within bootup_time: VM_SCALE_OUT_COMPLETE 200 (the new VM in
// the event). A VM that fails to be created or to come alive is removed again and
// VM_SCALE_OUT_COMPLETE reports the failure: the deployment stays as it was, functional.
// Scale in: VM_SCALE_IN_INIT → the VM of the highest index is removed → VM_SCALE_IN_COMPLETE.
// An undeploy accepted meanwhile cancels a scale (docs/behaviour.md, "Undeploy"): one not
// started yet does nothing; a scale out's boot check gives up and its VM is removed again
// (VM_SCALE_OUT_COMPLETE says so); a scale in, a single removal, ends as it would.
// Events go to the URLs of the deployment's latest operation.

#include <algorithm>
#include <set>

#include "common/log.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/monitor/kpi_rules.hpp"

namespace escd::orchestrator {
namespace {
using model::ServiceState;
using model::VmEvent;
using model::VmState;
}  // namespace

asio::awaitable<std::optional<DeploymentWorkflow::ScaleRequest>> DeploymentWorkflow::ApplyKpiEvent(
    const model::Operation& op, const std::string& vm_name, const std::string& event, bool value) {
    Context context(op);
    co_await Load(context);
    const auto* vm = context.Vm(vm_name);
    if (!vm) co_return std::nullopt;
    const auto& group = context.Group(vm->vm_group);
    const auto actions = ActionsFor(group, event, value);
    if (actions.log) {
        ESCD_INFO("monitor") << "deployment " << op.target_id << " VM " << vm_name << ": " << event
                             << " " << (value ? "TRUE" : "FALSE");
    }
    if (!actions.scale_out && !actions.scale_in) co_return std::nullopt;
    const bool out = actions.scale_out;
    if (!group.scaling.elastic) {
        ESCD_INFO("monitor") << event << " of VM " << vm_name << " asks to scale group "
                             << group.name << ", which is not elastic: not scaled";
        co_return std::nullopt;
    }
    const auto count = static_cast<int>(context.view.MembersOf(group.name).size());
    if (out ? count >= group.scaling.max_active : count <= group.scaling.min_active) {
        ESCD_INFO("monitor") << event << " of VM " << vm_name << ": group " << group.name << " has "
                             << count << " VM(s), at its " << (out ? "max_active" : "min_active")
                             << ": not scaled";
        co_return std::nullopt;
    }
    co_return ScaleRequest{group.name, out};
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Scale(
    const model::Operation& op,
    const std::string& group_name,
    bool out,
    std::shared_ptr<const CancelFlag> cancel) {
    Context context(op);
    context.cancel = std::move(cancel);
    co_await Load(context);
    const auto& group = context.Group(group_name);
    Final final;
    final.outcome.state = model::ResourceState::kActive;
    auto members = context.view.MembersOf(group_name);
    const auto count = static_cast<int>(members.size());
    const std::string prefix = out ? "VM_SCALE_OUT_" : "VM_SCALE_IN_";

    // A rerun after a crash finds the VM a scale out planned and had not created yet.
    std::optional<model::VmRecord> resumed;
    for (const auto& vm : members)
        if (out && model::VmIsBeingDeployed(vm.state)) resumed = vm;
    if (!resumed && (out ? count >= group.scaling.max_active : count <= group.scaling.min_active)) {
        final.message = "group " + group_name + " is at its " +
                        (out ? "max_active" : "min_active") + ": nothing to do";
        co_return final;
    }
    if (!resumed && context.Cancelled()) {
        final.message = "scaling of group " + group_name +
                        " cancelled before it started: the deployment is being undeployed";
        co_return final;
    }
    if (!resumed) {
        auto step = context.NewStep();
        context.Emit(step, prefix + "INIT", nullptr, 200,
                     out ? "VM scale out triggered" : "VM scale in triggered");
        co_await Commit(context, step);
    }

    if (!out) {
        auto victim =
            *std::max_element(members.begin(), members.end(),
                              [](const auto& a, const auto& b) { return a.vm_index < b.vm_index; });
        co_await UndeployVm(context, victim, "");
        auto step = context.NewStep();
        context.ActivateServiceIfAllAlive(step);
        context.Emit(step, "VM_SCALE_IN_COMPLETE", &victim, 200, "VM scaled in successfully");
        co_await Commit(context, step);
        final.message = "VM " + victim.vm_name + " scaled in";
        ESCD_INFO("engine") << "group " << group_name << " of " << op.target_id
                            << " scaled in: " << victim.vm_name << " removed";
        co_return final;
    }

    model::VmRecord vm;
    if (resumed) {
        vm = *resumed;
    } else {
        std::set<int> used;
        for (const auto& member : members) used.insert(member.vm_index);
        int index = 0;
        while (used.contains(index)) ++index;
        vm = co_await PlanVm(context, group, index);
    }
    bool alive = co_await CreateOnVim(context, group, vm, "VM_SCALE_OUT_DEPLOYED") &&
                 co_await CheckAlive(context, *context.Vm(vm.vm_name));
    auto step = context.NewStep();
    if (alive) {
        vm = *context.Vm(vm.vm_name);
        vm.state = Next(vm.state, VmEvent::kAlive);
        step.upserts.push_back(vm);
        *context.Vm(vm.vm_name) = vm;
        context.Emit(step, "VM_SCALE_OUT_COMPLETE", &vm, 200, "VM scaled out successfully");
        final.message = "VM " + vm.vm_name + " scaled out";
    } else {
        // Nothing of the attempt stays: the deployment is as it was before.
        const auto failed = *context.Vm(vm.vm_name);
        co_await UndeployVm(context, failed, "");
        final.status = kFailedStatus;
        final.message = context.Cancelled()
                            ? "VM scale out cancelled: the deployment is being undeployed"
                            : "VM scale out failed: VM " + vm.vm_name +
                                  " could not be deployed or was not alive within its bootup_time";
        context.Emit(step, "VM_SCALE_OUT_COMPLETE", &failed, kFailedStatus, final.message);
    }
    co_await Commit(context, step);
    ESCD_INFO("engine") << "group " << group_name << " of " << op.target_id << ": "
                        << final.message;
    co_return final;
}

}  // namespace escd::orchestrator
