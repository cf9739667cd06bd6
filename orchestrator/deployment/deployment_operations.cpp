// Service and VM operations (docs/behaviour.md, "Service operations", "VM operations"): stop,
// start, reboot, enable_monitoring and disable_monitoring, what each means for one VM (kVmActions,
// IsVmOperation, VmOperationEvent, ApplyToVm), applied to every VM of a deployment
// (ServiceOperation) or to one VM (VmOperation), each followed by the alive check where the VM
// must prove alive again.

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>

#include "common/error.hpp"
#include "model/xml/deployment_xml.hpp"
#include "orchestrator/deployment/deployment_context.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::VmEvent;
using model::VmState;

// What an operation name means for one VM: the request event, the VIM call, the event that
// reports it, and whether the VM must then prove alive again.
struct VmAction {
    std::string_view operation;  ///< stop, start, reboot, enable_monitoring, disable_monitoring
    VmEvent request;
    std::string_view deployment_event;  ///< per VM, in a service operation
    std::string_view vm_event;          ///< the <esc_event> of a VM operation
    std::string_view service_event;     ///< the service operation's final stage
    std::string_view done_message;      ///< "Successfully stopped VM"
    bool then_alive;
};
constexpr VmAction kVmActions[] = {
    {"stop", VmEvent::kStop, "VM_STOPPED", "VM_STOP_COMPLETE", "SERVICE_STOPPED",
     "Successfully stopped VM", false},
    {"start", VmEvent::kStart, "VM_STARTED", "VM_START_COMPLETE", "SERVICE_STARTED",
     "Successfully started VM", true},
    {"reboot", VmEvent::kReboot, "VM_REBOOTED", "VM_REBOOT_COMPLETE", "SERVICE_REBOOTED",
     "Successfully rebooted VM", true},
    {"disable_monitoring", VmEvent::kDisableMonitoring, "VM_MONITOR_UNSET",
     "VM_DISABLE_MONITORING_COMPLETE", "SERVICE_MONITOR_UNSET",
     "Successfully disabled monitoring of VM", false},
    {"enable_monitoring", VmEvent::kEnableMonitoring, "VM_MONITOR_SET",
     "VM_ENABLE_MONITORING_COMPLETE", "SERVICE_ALIVE", "Successfully enabled monitoring of VM",
     true},
};
}  // namespace

bool IsVmOperation(std::string_view operation) {
    return std::any_of(std::begin(kVmActions), std::end(kVmActions),
                       [&](const VmAction& a) { return a.operation == operation; });
}

std::optional<model::VmEvent> VmOperationEvent(std::string_view operation) {
    for (const auto& action : kVmActions)
        if (action.operation == operation) return action.request;
    return std::nullopt;
}

asio::awaitable<DeploymentWorkflow::ApplyResult> DeploymentWorkflow::ApplyToVm(
    Context& context, const std::string& operation, model::VmRecord& vm, std::string& error) {
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    // A rerun after a crash finds the VM where the first run left it: in the operation's own
    // state (the VIM call may or may not have happened: do it again, it is idempotent), or
    // already past it (nothing to do, and its event went out with that step).
    const bool in_flight = model::VmRequestInFlight(vm.state, action->request);
    if (model::VmRequestDone(vm.state, vm.monitoring, action->request))
        co_return ApplyResult::kSkipped;
    if (!in_flight) {
        auto requested = model::NextState(vm.state, action->request);
        if (!requested) {
            error = "VM " + vm.vm_name + " is " + std::string(ToString(vm.state)) + "; cannot " +
                    operation;
            co_return ApplyResult::kRefused;
        }
        vm.state = *requested;
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    const auto& name = vm.vm_name;
    const auto& group = context.Group(vm.vm_group);
    bool vim_failed = false;
    try {
        const auto grace = ShutdownGrace(group);
        if (action->request == VmEvent::kStop) {
            co_await vim_.vms.StopVm(name, grace);
        } else if (action->request == VmEvent::kStart) {
            co_await vim_.vms.StartVm(name);
        } else if (action->request == VmEvent::kReboot) {
            co_await vim_.vms.RebootVm(name, grace);
        }
    } catch (const Error& e) {
        error = e.what();
        vim_failed = true;
    }
    if (vim_failed) {
        vm.state = Next(vm.state, VmEvent::kVimFailed);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
        co_return ApplyResult::kRefused;
    }
    // Monitoring switches have no VIM call: the request state is the end state.
    if (action->request == VmEvent::kStop || action->request == VmEvent::kStart ||
        action->request == VmEvent::kReboot) {
        vm.state = Next(vm.state, VmEvent::kVimDone);
    }
    vm.monitoring = action->request != VmEvent::kDisableMonitoring;
    co_return ApplyResult::kApplied;
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::ServiceOperation(
    const model::Operation& op, const std::string& operation) {
    Context context(op);
    co_await Load(context);
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    if (action == std::end(kVmActions))
        throw Error(ErrorCode::kBadRequest, "unknown service operation " + operation);

    Final final;
    final.outcome.state = model::ResourceState::kActive;
    std::vector<std::string> errors;
    std::vector<model::VmRecord> booting;
    auto vms = context.view.vms;
    for (auto& vm : vms) {
        std::string error;
        const auto result = co_await ApplyToVm(context, operation, vm, error);
        if (result == ApplyResult::kSkipped) {
            // Done by an earlier run; one that still has to prove alive is waited for.
            if (action->then_alive && vm.state == VmState::kInert) booting.push_back(vm);
            continue;
        }
        if (result == ApplyResult::kRefused) {
            errors.push_back(error);
            continue;
        }
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        context.Emit(step, std::string(action->deployment_event), &vm, 200,
                     std::string(action->done_message) + " [" + vm.vm_name + "]");
        co_await Commit(context, step);
        if (action->then_alive) booting.push_back(vm);
    }
    if (!booting.empty()) {
        co_await AwaitAlive(context, booting);
        co_await RecoverNotAlive(context, booting);
    }

    // The service follows its VMs.
    const bool all_alive = context.AllAlive();
    const bool all_stopped =
        std::all_of(context.view.vms.begin(), context.view.vms.end(),
                    [](const model::VmRecord& vm) { return vm.state == VmState::kShutoff; });
    auto service = context.view.service;
    if (all_stopped) {
        service = model::NextState(service, model::ServiceEvent::kAllStopped).value_or(service);
    } else {
        service = model::NextState(service, model::ServiceEvent::kStarted).value_or(service);
        service = model::NextState(service, all_alive ? model::ServiceEvent::kAllAlive
                                                      : model::ServiceEvent::kNotAllAlive)
                      .value_or(service);
    }
    if (service != context.view.service) {
        auto step = context.NewStep();
        step.service_state = service;
        co_await Commit(context, step);
    }
    if (errors.empty()) {
        final.status = 200;
        final.message = "Service " + operation + " completed successfully";
    } else {
        final.status = kFailedStatus;
        final.message = "Service " + operation + " failed: " + errors.front();
    }
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, std::string(action->service_event), nullptr, final.status, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::VmOperation(
    const model::Operation& op, const std::string& operation, const std::string& vm_name) {
    Context context(op);
    co_await Load(context);
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    if (action == std::end(kVmActions))
        throw Error(ErrorCode::kBadRequest, "unknown VM operation " + operation);
    auto* known = context.Vm(vm_name);
    if (!known) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    auto vm = *known;

    Final final;
    final.outcome.state = model::ResourceState::kActive;
    std::string error;
    const bool ok = co_await ApplyToVm(context, operation, vm, error) != ApplyResult::kRefused;
    if (ok) {
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    final.status = ok ? 200 : 500;
    final.message = ok ? std::string(action->done_message) + " [" + vm_name + "]"
                       : "VM " + operation + " failed: " + error;
    // The operation's own callback. When nothing follows it, it commits with the operation's
    // end, so a client that acts on it finds the deployment idle (no 409). After a start or
    // a reboot VM_ALIVE follows once the VM proves alive again, so it goes out first.
    auto done = xml::VmEventDocument(context.view, action->vm_event, *context.Vm(vm_name));
    const bool more = ok && action->then_alive;
    auto step = context.NewStep();
    for (const auto& url : context.urls) {
        (more ? step.events : final.callbacks)
            .push_back({url, std::string(action->vm_event), final.status, final.message, done});
    }
    if (more) co_await Commit(context, step);
    if (more) {
        const std::vector<model::VmRecord> booting{*context.Vm(vm_name)};
        co_await AwaitAlive(context, booting);
        co_await RecoverNotAlive(context, booting);
    }
    co_return final;
}

}  // namespace escd::orchestrator
