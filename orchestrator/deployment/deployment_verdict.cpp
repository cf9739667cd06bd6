// DeploymentWorkflow::ApplyVerdict: what a raised VM_ALIVE KPI does to a deployment that no
// operation is changing (vm_monitor.hpp; docs/behaviour.md, "Monitoring between operations").
//
// The group's rules for VM_ALIVE decide ("<TRUE|FALSE|ALWAYS> <action>"; without rules the
// standard three: ALWAYS log, TRUE esc_vm_alive_notification, FALSE recover autohealing):
// - TRUE with esc_vm_alive_notification (or the legacy servicebooted.sh): an inert VM becomes
//   alive with a VM_ALIVE event, and the service active once every VM is alive;
// - FALSE: an alive VM is down — VM_INERT_STATE, and the service inert. With "recover
//   autohealing" the engine is asked to heal it (HealRequest): after the group's
//   recovery_wait_time when its recovery_type is AUTO, on a recovery-vm request when MANUAL.
//   A VM that is inert already (down before, its recovery not started because the deployment
//   was busy or escd in maintenance) is asked for again.
// The step commits only while the deployment is idle (DeploymentStep::require_idle): a verdict
// that meets an operation is dropped, the operation decides (and the monitor raises the KPI
// again after it, vm_monitor.hpp).

#include "common/log.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/monitor/kpi_rules.hpp"

namespace escd::orchestrator {

asio::awaitable<std::optional<DeploymentWorkflow::HealRequest>> DeploymentWorkflow::ApplyVerdict(
    const model::Operation& op, const std::string& vm_name, bool alive) {
    Context context(op);
    co_await Load(context);
    const auto* known = context.Vm(vm_name);
    if (!known) co_return std::nullopt;
    auto vm = *known;
    const auto actions = ActionsFor(context.Group(vm.vm_group), "VM_ALIVE", alive);
    if (actions.log) {
        ESCD_INFO("monitor") << "deployment " << op.target_id << " VM " << vm_name << ": VM_ALIVE "
                             << (alive ? "TRUE" : "FALSE") << " in " << ToString(vm.state);
    }
    const auto& group = context.Group(vm.vm_group);
    std::optional<HealRequest> heal;
    if (!alive && actions.heal) {
        heal = HealRequest{std::chrono::seconds(std::max(0, group.recovery_wait_time)),
                           group.recovery_policy.recovery_type == "MANUAL"};
    }
    auto step = context.NewStep();
    step.require_idle = true;
    if (alive && actions.notify && vm.state == model::VmState::kInert) {
        const auto moved = StepOf(vm.state, model::VmEvent::kAlive);
        vm.state = moved.next;
        step.upserts.push_back(vm);
        context.ActivateServiceIfAllAlive(step, vm_name);
        auto* current = context.Vm(vm_name);
        *current = vm;  // the event describes the VM as it is now
        context.Emit(step, std::string(moved.stage), &vm, 200,
                     "VM_Alive event received, VM ID: [" + vm_name + "]");
    } else if (!alive && vm.state == model::VmState::kAlive) {
        vm.state = Next(vm.state, model::VmEvent::kDown);
        step.upserts.push_back(vm);
        step.service_state =
            model::NextState(context.view.service, model::ServiceEvent::kNotAllAlive);
    } else if (!alive && vm.state == model::VmState::kInert) {
        co_return heal;  // down already: nothing to commit, the heal is asked for again
    } else {
        co_return std::nullopt;
    }
    try {
        co_await Commit(context, step);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kConflict) throw;
        ESCD_INFO("monitor") << "verdict on VM " << vm_name << " of " << op.target_id
                             << " not applied: an operation runs on it";
        co_return std::nullopt;
    }
    // Logged once committed: what the line says is what GET shows.
    if (alive) {
        ESCD_INFO("monitor") << "VM " << vm_name << " of " << op.target_id << " is alive again";
    } else {
        ESCD_WARN("monitor") << "VM " << vm_name << " of " << op.target_id << " is down";
    }
    co_return heal;
}

}  // namespace escd::orchestrator
