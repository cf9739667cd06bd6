// Automatic recovery (docs/behaviour.md, "Recovery"): from a committed "VM is down" verdict to a
// RECOVER_VM operation; and the other operations escd starts of itself on a deployment
// (StartOwnVmOperation: the monitoring switches of install jobs, csm/vnf_monitoring.hpp).
//
// A down VM whose rules say "FALSE recover autohealing" waits its group's recovery_wait_time;
// then, if it is still down (its record still VM_INERT_STATE: a VM that answered again in the
// meantime was made alive by its own verdict), a RECOVER_VM operation is accepted like any
// request — durably, one at a time per deployment — and launched. Its events go to the
// URLs of the deployment's latest operation.
// No recovery starts:
// - in maintenance mode (the monitor raises the verdict again when escd leaves it);
// - while an operation runs on the deployment (an update, a stop, another recovery): the
//   accept is refused, and the monitor raises the verdict again after that operation;
// - for a VM whose monitoring is disabled (it is not watched at all);
// - for a group whose recovery_type is MANUAL (only POST .../recovery-vm/{vm} starts it).
// The wait is in memory: after a crash, the VM is still inert and its watch, started afresh,
// finds it down and asks again.

#include "common/log.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {

void Engine::ScheduleRecovery(const std::string& deployment_id,
                              const std::string& vm_name,
                              DeploymentWorkflow::HealRequest heal) {
    if (stopping_) return;
    if (heal.manual) {
        ESCD_WARN("engine") << "VM " << vm_name << " of " << deployment_id
                            << " is down; its recovery_type is MANUAL: waiting for a recovery-vm "
                               "request";
        return;
    }
    {
        std::lock_guard lock(recoveries_mutex_);
        if (!awaiting_recovery_.insert(vm_name).second) return;  // its wait runs already
    }
    auto strand = StrandFor(model::TargetKind::kDeployment, deployment_id);
    // Without a recovery_wait_time, starting the recovery is part of applying the verdict
    // (WaitDrained); a wait is not.
    const bool at_once = heal.wait.count() <= 0;
    if (at_once) in_flight_.Begin();
    asio::co_spawn(strand, StartRecovery(deployment_id, vm_name, heal.wait),
                   [this, at_once,
                    log_failure = log::LogFailure(log::Level::kWarn, "engine",
                                                  "recovery of VM " + vm_name + " not started")](
                       std::exception_ptr e) {
                       log_failure(e);
                       if (at_once) in_flight_.End();
                   });
}

// Parameters by value: the coroutine outlives the caller's strings.
asio::awaitable<void> Engine::StartRecovery(std::string deployment_id,
                                            std::string vm_name,
                                            std::chrono::seconds wait) {
    if (wait.count() > 0) {
        ESCD_INFO("engine") << "VM " << vm_name << " of " << deployment_id
                            << " is down: " << wait.count()
                            << " s of recovery_wait_time before recovering it";
        co_await clock_.Wait(wait);
    }
    {
        std::lock_guard lock(recoveries_mutex_);
        awaiting_recovery_.erase(vm_name);
    }
    if (stopping_) co_return;
    if (mode_.InMaintenance()) {
        ESCD_WARN("engine") << "VM " << vm_name << " of " << deployment_id
                            << " is down; not recovered: escd is in maintenance mode (it will be "
                               "once the mode is OPERATION)";
        co_return;
    }
    auto vm = co_await deployment_store_.GetVm(vm_name);
    auto latest = co_await operation_store_.LatestOperation(deployment_id);
    if (!vm || vm->deployment_id != deployment_id || !latest) co_return;
    if (vm->state != model::VmState::kInert || !vm->monitoring) {
        ESCD_INFO("engine") << "VM " << vm_name << " of " << deployment_id << " is "
                            << model::ToString(vm->state) << " now: not recovered"
                            << (vm->state == model::VmState::kAlive
                                    ? " (it came back within its recovery_wait_time)"
                                    : "");
        co_return;
    }
    const model::DeploymentAction action{
        .operation = "recover", .vm_name = vm_name, .trigger = "auto"};
    const auto kind = model::OperationKind::kRecoverVm;
    auto op = co_await AcceptOwnOperation(kind, *latest, action);
    if (!op) {
        ESCD_INFO("engine") << "VM " << vm_name << " of " << deployment_id
                            << " is down; its recovery waits for the running operation";
        co_return;
    }
    ESCD_WARN("engine") << "VM " << vm_name << " of " << deployment_id
                        << " is down: recovery started, tx=" << op->transaction_id;
    Launch(std::move(*op));
}

// Parameters by value: the coroutine outlives the caller's strings.
asio::awaitable<std::optional<std::string>> Engine::StartOwnVmOperation(
    std::string deployment_id, model::DeploymentAction action) {
    auto latest = co_await operation_store_.LatestOperation(deployment_id);
    if (!latest) co_return std::nullopt;
    auto op = co_await AcceptOwnOperation(model::OperationKind::kVmOperation, *latest, action);
    if (!op) co_return std::nullopt;
    ESCD_INFO("engine") << action.operation << " of VM " << action.vm_name << " of "
                        << deployment_id << " (" << action.trigger
                        << ") accepted, tx=" << op->transaction_id;
    auto transaction_id = op->transaction_id;
    Launch(std::move(*op));
    co_return transaction_id;
}

void Engine::OperationModeChanged(Mode mode) {
    if (mode == Mode::kOperation && !stopping_) monitor_.SyncAll();
}

}  // namespace escd::orchestrator
