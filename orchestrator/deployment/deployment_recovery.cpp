// Healing a VM (docs/behaviour.md, "Recovery"): DeploymentWorkflow::Recover and the RECOVER_VM
// operation.
//
// A recovery is a sequence of attempts, each followed by the alive check of a deploy (the
// group's VM_ALIVE KPI within bootup_time, or the VIM reporting it running):
//   VM_RECOVERY_INIT (VM_RECOVERING_STATE, the service inert)
//   reboot attempt:   VM_RECOVERY_REBOOT (a hard reboot; a stopped VM is started)
//   redeploy attempt: VM_RECOVERY_UNDEPLOYED → VM_RECOVERY_DEPLOYED (same name, same addresses
//                     and MACs, new uuid; vm_source/vm_target in the event; the VM's snapshots,
//                     gone with the old VM, removed with the first)
//   alive → VM_RECOVERY_COMPLETE 200 (VM_ALIVE_STATE; the service active once every VM is)
//   none alive → VM_RECOVERY_COMPLETE 500 (VM_ERROR_STATE, SERVICE_ERROR_STATE).
// The group's recovery_policy/action_on_recovery decides the attempts, N being its max_retries
// or else the config parameter DEFAULT/VM_RECOVERY_RETRY_MAX (3):
//   REBOOT_ONLY: N reboots;  REDEPLOY_ONLY: N redeploys;
//   REBOOT_THEN_REDEPLOY (default): one reboot, then N redeploys (ESC's "hard reboot, then
//   undeploy and redeploy, a bounded number of times").
// A reboot is pointless for a VM the VIM no longer has: that attempt is skipped (logged) and
// the redeploys follow; under REBOOT_ONLY such a VM cannot be recovered.
//
// An undeploy accepted meanwhile cancels the operation (docs/behaviour.md, "Undeploy"): no
// attempt starts after that, the boot check of the one being made gives up at its next probe,
// and VM_RECOVERY_CANCELLED ends it with the VM left VM_RECOVERING_STATE for the undeploy.
//
// Every step commits with its event, so an operation cut by a crash resumes: a VM found in
// VM_RECOVERING_STATE continues with no second VM_RECOVERY_INIT, from the attempt after the last
// one recorded (VmRecord::recovery_attempts, committed with each attempt's first event): N
// bounds the attempts of the whole recovery, however many times it was cut. The attempt a crash
// cut before its event was committed is made again; the one cut during its alive check is given
// that check again first, since it may have worked.

#include <algorithm>

#include "common/log.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/engine/await_all.hpp"

namespace escd::orchestrator {
namespace {
using model::ServiceState;
using model::VmEvent;
using model::VmState;

constexpr int kDefaultRetryMax = 3;

enum class Attempt { kReboot, kRedeploy };

std::vector<Attempt> AttemptsOf(const model::RecoveryPolicySpec& policy, int retries) {
    std::vector<Attempt> out;
    if (policy.action_on_recovery == "REBOOT_ONLY") {
        out.assign(static_cast<std::size_t>(retries), Attempt::kReboot);
    } else if (policy.action_on_recovery == "REDEPLOY_ONLY") {
        out.assign(static_cast<std::size_t>(retries), Attempt::kRedeploy);
    } else {
        out.push_back(Attempt::kReboot);
        out.insert(out.end(), static_cast<std::size_t>(retries), Attempt::kRedeploy);
    }
    return out;
}
}  // namespace

asio::awaitable<int> DeploymentWorkflow::RecoveryRetryMax() {
    const auto parameters = co_await settings_.ListConfigParameters();
    for (const auto& parameter : parameters) {
        if (parameter.category != "DEFAULT" || parameter.key != "VM_RECOVERY_RETRY_MAX") continue;
        try {
            co_return std::clamp(std::stoi(parameter.value), 1, 100);
        } catch (const std::exception&) {
            break;
        }
    }
    co_return kDefaultRetryMax;
}

asio::awaitable<bool> DeploymentWorkflow::RebootToRecover(Context& context, model::VmRecord& vm) {
    const auto& name = vm.vm_name;
    auto info = co_await vim_.vms.GetVm(name);
    if (!info) {
        ESCD_WARN("engine") << "recovery of " << name
                            << ": the VIM has no such VM, nothing to reboot";
        co_return false;
    }
    int status = 200;
    std::string message = "VM [" + name + "] rebooted";
    try {
        if (info->running) {
            co_await vim_.vms.RebootVm(name, ShutdownGrace(context.Group(vm.vm_group)));
        } else {
            co_await vim_.vms.StartVm(name);
            message = "VM [" + name + "] was not running: started";
        }
    } catch (const Error& e) {
        status = HttpStatusOf(e, Reply::kCallback);
        message = "VM [" + name + "] reboot failed: " + e.what();
    }
    auto step = context.NewStep();
    step.upserts.push_back(vm);  // the attempt counted
    context.Emit(step, "VM_RECOVERY_REBOOT", &vm, status, message);
    co_await Commit(context, step);
    co_return status == 200;
}

asio::awaitable<void> DeploymentWorkflow::DropSnapshotRows(model::DeploymentStep& step,
                                                           const std::string& vm_name) {
    // The VIM dropped the VM's snapshots with it: their rows go in the same step, so that GET
    // /snapshots shows none the VM made again does not have.
    const std::string any_tenant;
    const auto snapshots = co_await snapshots_.ListVmSnapshots(any_tenant, vm_name);
    for (const auto& snapshot : snapshots)
        step.snapshots.push_back({snapshot.snapshot_id, model::SnapshotState::kRemoved});
}

asio::awaitable<bool> DeploymentWorkflow::RedeployToRecover(Context& context, model::VmRecord& vm) {
    const auto& group = context.Group(vm.vm_group);
    const auto& name = vm.vm_name;
    const auto before = vm;
    {
        co_await vim_.vms.DeleteVm(name);  // with its config drive and its snapshots
        auto step = context.NewStep();
        step.upserts.push_back(vm);  // the attempt counted
        co_await DropSnapshotRows(step, name);
        context.Emit(step, "VM_RECOVERY_UNDEPLOYED", &vm, 200,
                     "VM [" + name + "] has been undeployed.");
        co_await Commit(context, step);
    }
    auto step = context.NewStep();
    try {
        const auto info = co_await LaunchVm(context, group, vm);
        vm.uuid = info.uuid;
        vm.host = info.host;
        vm.image = group.image;
        step.upserts.push_back(vm);
        context.Emit(step, "VM_RECOVERY_DEPLOYED", &vm, 200, "VM [" + name + "] redeployed",
                     &before);
        co_await Commit(context, step);
        co_return true;
    } catch (const Error& e) {
        // A bug, or a database that did not take a step, is not the VM's failure.
        if (e.origin() == ErrorOrigin::kInternal || e.origin() == ErrorOrigin::kDatabase) throw;
        ESCD_WARN("engine") << "recovery of " << name << ": redeploy failed: " << e.what();
        context.Emit(step, "VM_RECOVERY_DEPLOYED", &vm, HttpStatusOf(e, Reply::kCallback),
                     "VM [" + name + "] redeploy failed: " + e.what());
    }
    co_await Commit(context, step);
    co_return false;
}

asio::awaitable<bool> DeploymentWorkflow::Recover(Context& context, std::string vm_name) {
    auto* known = context.Vm(vm_name);
    if (!known) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    auto vm = *known;
    const auto& group = context.Group(vm.vm_group);
    if (vm.state != VmState::kRecovering) {
        const auto moved = StepOf(vm.state, VmEvent::kRecover);
        vm.state = moved.next;
        vm.recovery_attempts = 0;
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        if (auto inert = model::NextState(context.view.service, model::ServiceEvent::kNotAllAlive))
            step.service_state = *inert;
        context.Emit(step, std::string(moved.stage), &vm, 200,
                     "Recovery event for VM [" + vm_name +
                         "] triggered. Processing Auto healing. Proceeding with Recovery.");
        co_await Commit(context, step);
    }
    ESCD_INFO("engine") << "recovering VM " << vm_name << " of " << context.op.target_id << " ("
                        << group.recovery_policy.action_on_recovery << ")";

    int retries = group.recovery_policy.max_retries.value_or(0);
    if (retries <= 0) retries = co_await RecoveryRetryMax();
    const auto attempts = AttemptsOf(group.recovery_policy, retries);
    bool alive = false;
    auto made = std::min(static_cast<std::size_t>(vm.recovery_attempts), attempts.size());
    if (made > 0) {
        ESCD_INFO("engine") << "recovery of VM " << vm_name << " resumed after attempt " << made
                            << " of " << attempts.size();
        const auto info = co_await vim_.vms.GetVm(vm_name);
        if (info) alive = co_await CheckAlive(context, vm);
    }
    while (!alive && made < attempts.size() && !context.Cancelled()) {
        const auto attempt = attempts[made];
        vm.recovery_attempts = static_cast<int>(++made);
        const bool done = attempt == Attempt::kReboot ? co_await RebootToRecover(context, vm)
                                                      : co_await RedeployToRecover(context, vm);
        if (done && co_await CheckAlive(context, vm)) {
            alive = true;
            break;
        }
        ESCD_WARN("engine") << "recovery of " << vm_name << ": attempt " << made << " of "
                            << attempts.size() << " did not bring it back";
    }

    vm.recovery_attempts = 0;
    auto step = context.NewStep();
    if (!alive && context.Cancelled()) {
        // An undeploy overtook it: the VM stays VM_RECOVERING_STATE for the undeploy to remove.
        step.upserts.push_back(vm);
        *context.Vm(vm_name) = vm;
        context.Emit(step, "VM_RECOVERY_CANCELLED", &vm, 200,
                     "Recovery of VM [" + vm_name + "] cancelled after " + std::to_string(made) +
                         " attempt(s): the deployment is being undeployed");
        co_await Commit(context, step);
        ESCD_INFO("engine") << "recovery of VM " << vm_name << " of " << context.op.target_id
                            << " cancelled by an undeploy after " << made << " attempt(s)";
        co_return false;
    }
    if (alive) {
        const auto moved = StepOf(vm.state, VmEvent::kAlive);
        vm.state = moved.next;
        step.upserts.push_back(vm);
        context.ActivateServiceIfAllAlive(step, vm_name);
        *context.Vm(vm_name) = vm;
        context.Emit(step, std::string(moved.stage), &vm, 200,
                     "Recovery: Successfully recovered VM [" + vm_name + "].");
    } else {
        const auto moved = StepOf(vm.state, VmEvent::kVimFailed);
        vm.state = moved.next;
        step.upserts.push_back(vm);
        step.service_state = model::NextState(context.view.service, model::ServiceEvent::kFailed);
        *context.Vm(vm_name) = vm;
        if (step.service_state) context.view.service = *step.service_state;
        context.Emit(step, std::string(moved.stage), &vm, kFailedStatus,
                     "Recovery: Recovery of VM [" + vm_name + "] failed after " +
                         std::to_string(made) + " attempt(s)");
    }
    co_await Commit(context, step);
    ESCD_INFO("engine") << "recovery of VM " << vm_name << " of " << context.op.target_id
                        << (alive ? " succeeded" : " failed") << " after " << made << " attempt(s)";
    co_return alive;
}

asio::awaitable<void> DeploymentWorkflow::RecoverAll(Context& context,
                                                     std::vector<std::string> names) {
    co_await AwaitAll(names, [&](const std::string& name) { return Recover(context, name); });
}

asio::awaitable<void> DeploymentWorkflow::RecoverNotAlive(Context& context,
                                                          const std::vector<model::VmRecord>& vms) {
    std::vector<std::string> names;
    for (const auto& booted : vms) {
        const auto* vm = context.Vm(booted.vm_name);
        if (!vm || (vm->state != VmState::kInert && vm->state != VmState::kRecovering)) continue;
        if (vm->state == VmState::kInert &&
            context.Group(vm->vm_group).recovery_policy.recovery_type == "MANUAL") {
            ESCD_WARN("engine") << "VM " << vm->vm_name << " of " << context.op.target_id
                                << " is not alive within its bootup_time; its recovery_type is "
                                   "MANUAL: waiting for a recovery-vm request";
            continue;
        }
        names.push_back(vm->vm_name);
    }
    co_await RecoverAll(context, std::move(names));
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::RecoverVm(
    const model::Operation& op,
    const std::string& vm_name,
    bool check_first,
    std::shared_ptr<const CancelFlag> cancel) {
    Context context(op);
    context.cancel = std::move(cancel);
    co_await Load(context);
    auto* known = context.Vm(vm_name);
    if (!known) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    Final final;
    final.outcome.state = model::ResourceState::kActive;
    const auto cancelled_message =
        "Recovery of VM [" + vm_name + "] cancelled: the deployment is being undeployed";
    if (context.Cancelled() && known->state != VmState::kRecovering) {
        // Overtaken before it started: nothing was done; the event commits with the end.
        final.message = cancelled_message;
        auto step = context.NewStep();
        context.Emit(step, "VM_RECOVERY_CANCELLED", known, 200, final.message);
        final.callbacks = std::move(step.events);
        co_return final;
    }
    if (check_first && known->state != VmState::kRecovering) {
        // checkVmBeforeRecovery: one look, not a bootup_time's wait.
        const bool alive = co_await CheckAlive(context, *known, /*one_poll=*/true);
        if (alive) {
            // Nothing follows: the event commits with the operation's end.
            final.message = "VM [" + vm_name + "] is alive: recovery not needed";
            auto step = context.NewStep();
            context.Emit(step, "VM_RECOVERY_CANCELLED", known, 200, final.message);
            final.callbacks = std::move(step.events);
            co_return final;
        }
    }
    const bool recovered = co_await Recover(context, vm_name);
    if (!recovered && context.Cancelled()) {
        final.message = cancelled_message;
        co_return final;
    }
    final.status = recovered ? 200 : 500;
    final.message = recovered ? "Recovery: Successfully recovered VM [" + vm_name + "]."
                              : "Recovery: Recovery of VM [" + vm_name + "] failed";
    co_return final;
}

}  // namespace escd::orchestrator
