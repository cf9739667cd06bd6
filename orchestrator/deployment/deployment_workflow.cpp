// DeploymentWorkflow's common helpers and its two main paths (docs/behaviour.md, "Deploy" and
// "Undeploy"): the failure and VIM-wait reports (Failed, Waiting), committing a step (Commit),
// the tenant a datamodel names (EnsureTenant), loading a deployment (Load), POST
// /v0/deployments (Deploy: plan every VM, launch them together, await them alive) and DELETE
// (Undeploy, UndeployAll, UndeployVm). Addresses and declared networks are in
// deployment_addresses.cpp, planning and launching VMs in deployment_launch.cpp, the alive
// checks in deployment_alive.cpp, and the service and VM operations in
// deployment_operations.cpp.

#include "orchestrator/deployment/deployment_workflow.hpp"

#include <algorithm>
#include <numeric>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "model/xml/tenant_xml.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"
#include "orchestrator/engine/await_all.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::ServiceState;
using model::VmEvent;
using model::VmState;
}  // namespace

std::vector<std::string> EventUrls(const model::Operation& op) {
    std::vector<std::string> urls;
    if (!op.callback_url.empty()) urls.push_back(op.callback_url);
    if (!op.events_url.empty() && op.events_url != op.callback_url) urls.push_back(op.events_url);
    return urls;
}

DeploymentWorkflow::Final DeploymentWorkflow::Failed(const model::Operation& op,
                                                     int status,
                                                     const std::string& why) {
    const bool undeploy = op.kind == model::OperationKind::kDeleteDeployment;
    const bool update = op.kind == model::OperationKind::kUpdateDeployment;
    const std::string stage = undeploy ? "SERVICE_UNDEPLOYED"
                              : update ? "SERVICE_UPDATED"
                                       : "SERVICE_ALIVE";
    Final final;
    final.outcome.state = model::ResourceState::kActive;  // undeploy is the way out
    final.status = status;
    final.message = (undeploy ? "Service group undeployment failed: "
                     : update ? "Service group update failed: "
                              : "Service group deployment failed: ") +
                    why;
    const auto body = xml::DeploymentStageDocument(stage, op.target_id);
    for (const auto& url : EventUrls(op))
        final.callbacks.push_back({url, stage, status, final.message, body});
    return final;
}

std::vector<model::OutboxMessage> DeploymentWorkflow::Waiting(const model::Operation& op,
                                                              const std::string& why,
                                                              std::chrono::seconds retry_in) {
    using K = model::OperationKind;
    const std::string what = op.kind == K::kCreateDeployment   ? "Service group deployment"
                             : op.kind == K::kDeleteDeployment ? "Service group undeployment"
                             : op.kind == K::kUpdateDeployment ? "Service group update"
                                                               : std::string(model::KindText(op));
    const std::string stage = "VIM_UNAVAILABLE";
    const int status = HttpStatusOf(ErrorOrigin::kVim, ErrorCode::kUnavailable, Reply::kCallback);
    const auto message = what + " waits for the VIM: " + why + "; will retry in " +
                         std::to_string(retry_in.count()) + " s";
    const auto body = xml::DeploymentStageDocument(stage, op.target_id);
    std::vector<model::OutboxMessage> events;
    for (const auto& url : EventUrls(op)) events.push_back({url, stage, status, message, body});
    return events;
}

asio::awaitable<void> DeploymentWorkflow::Commit(Context& context, model::DeploymentStep& step) {
    std::vector<model::OutboxRow> rows;
    try {
        rows = co_await deployments_.RecordDeploymentStep(step);
    } catch (const model::AddressTaken& taken) {
        // Another node's VM has it: what this node knows of the network is stale. The operation
        // runs again (the error is retryable) and reads the network's allocations anew.
        claims_.Forget(taken.network_id());
        throw;
    }
    if (step.service_state) context.view.service = *step.service_state;
    for (const auto& vm : step.upserts) {
        if (auto* known = context.Vm(vm.vm_name)) {
            *known = vm;
        } else {
            context.view.vms.push_back(vm);
        }
    }
    std::erase_if(context.view.vms, [&](const model::VmRecord& vm) {
        return std::find(step.removed.begin(), step.removed.end(), vm.vm_name) !=
               step.removed.end();
    });
    notifier_.Enqueue(std::move(rows));
    if (!step.upserts.empty() || !step.removed.empty()) VmsChanged(context.spec, context.view.vms);
}

asio::awaitable<void> DeploymentWorkflow::EnsureTenant(Context& context) {
    const auto& tenant_id = context.spec.tenant;
    const auto tenant_kind = model::ResourceKind::kTenant;
    auto tenant = co_await resources_.GetResource(tenant_kind, tenant_id);
    if (!tenant) throw Error(ErrorCode::kInternal, "tenant " + tenant_id + " vanished");
    if (tenant->state != model::ResourceState::kCreating) {
        context.view.tenant_external_id = tenant->external_id;
        co_return;
    }
    // The datamodel named a tenant that did not exist: it is created first (CREATE_TENANT).
    vim::TenantRequest request{tenant_id, tenant_id, true};
    auto external_id = co_await vim_.tenants.CreateTenant(request);
    auto step = context.NewStep();
    step.resources.push_back({model::ResourceKind::kTenant, tenant_id, "ACTIVE", external_id});
    model::TenantSpec spec;
    spec.internal_id = tenant_id;
    spec.name = tenant_id;
    const std::string event(ToString(model::OperationKind::kCreateTenant));
    auto body = xml::TenantDocument({spec, external_id}, event);
    if (!context.op.callback_url.empty()) {
        step.events.push_back(
            {context.op.callback_url, event, 200, "Tenant successfully created", body});
    }
    co_await Commit(context, step);
    context.view.tenant_external_id = external_id;
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Deploy(const model::Operation& op) {
    Context context(op);
    co_await Load(context);
    context.view.external_id = NameUuid("deployment/" + op.target_id);

    Final final;
    final.outcome.external_id = context.view.external_id;
    co_await EnsureTenant(context);
    co_await CreateDeclaredNetworks(context);

    bool failed = false;
    std::string failure;
    // Every VM is planned first, in index order (names, addresses and MACs claimed one after
    // another), then all are created on the VIM together: a deployment of N VMs costs about one
    // VIM launch, not N end to end (the VIM pool bounds how many calls run at once).
    struct Launch {
        const model::VmGroupSpec* group;
        model::VmRecord vm;
        bool created = false;
    };
    std::vector<Launch> launches;
    for (const auto& group : context.spec.vm_groups) {
        for (int index = 0; index < group.scaling.min_active && !failed; ++index) {
            model::VmRecord vm;
            bool known = false;
            for (const auto& existing : context.view.vms) {
                if (existing.vm_group == group.name && existing.vm_index == index) {
                    vm = existing;
                    known = true;
                }
            }
            if (!known) vm = co_await PlanVm(context, group, index);
            if (model::VmIsBeingDeployed(vm.state)) {
                launches.push_back({&group, vm});
            } else if (vm.state == VmState::kError) {
                failed = true;
                failure = "VM " + vm.vm_name + " is in error";
            }
        }
    }
    if (!failed) {
        if (!launches.empty()) co_await ReadFlavors(context);  // one read for all of them
        std::vector<std::size_t> indexes(launches.size());
        std::iota(indexes.begin(), indexes.end(), std::size_t{0});
        LaunchOrder order(co_await asio::this_coro::executor);
        co_await AwaitAll(indexes, [&](std::size_t i) -> asio::awaitable<void> {
            auto& launch = launches[i];
            launch.created =
                co_await CreateOnVim(context, *launch.group, launch.vm, "VM_DEPLOYED", &order, i);
        });
        for (const auto& launch : launches) {
            if (launch.created || failed) continue;
            failed = true;
            failure = "VM " + launch.vm.vm_name + " could not be deployed";
        }
    }
    if (failed) {
        auto step = context.NewStep();
        step.service_state = Next(context.view.service, model::ServiceEvent::kFailed);
        co_await Commit(context, step);
        final.status = kFailedStatus;
        final.message = "Service group deployment failed: " + failure;
        final.outcome.state = model::ResourceState::kActive;  // undeploy is the way out
    } else {
        if (context.view.service == ServiceState::kDeploying) {
            auto step = context.NewStep();
            step.service_state =
                *model::NextState(context.view.service, model::ServiceEvent::kAllDeployed);
            co_await Commit(context, step);
        }
        std::vector<model::VmRecord> booting;
        std::vector<model::VmRecord> unhealthy;  // not alive in time, or (a rerun) recovering
        for (const auto& vm : context.view.vms) {
            if (vm.state == VmState::kInert) booting.push_back(vm);
            if (vm.state == VmState::kRecovering) unhealthy.push_back(vm);
        }
        co_await AwaitAlive(context, booting);
        unhealthy.insert(unhealthy.end(), booting.begin(), booting.end());
        co_await RecoverNotAlive(context, unhealthy);
        const bool all_alive = context.AllAlive();
        auto activate = context.NewStep();
        context.ActivateServiceIfAllAlive(activate);
        if (activate.service_state) co_await Commit(context, activate);
        final.status = 200;
        final.message = all_alive ? "Service group deployment completed successfully!"
                        : context.view.service == ServiceState::kError
                            ? "Service group deployment failed: a VM could not be recovered"
                            : "Service group deployment failed: not every VM became alive "
                              "within its bootup_time";
        if (!all_alive) final.status = kFailedStatus;
        final.outcome.state = model::ResourceState::kActive;
    }
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, "SERVICE_ALIVE", nullptr, final.status, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<void> DeploymentWorkflow::UndeployVm(Context& context,
                                                     model::VmRecord vm,
                                                     std::string_view event) {
    if (vm.state != VmState::kUndeploying) {
        vm.state = Next(vm.state, VmEvent::kUndeploy);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    const auto& name = vm.vm_name;
    co_await vim_.vms.DeleteVm(name);  // with its config drive, if it had one
    auto step = context.NewStep();
    step.removed.push_back(vm.vm_name);
    if (!event.empty()) context.Emit(step, std::string(event), &vm, 200, "VM Undeployed");
    co_await Commit(context, step);
}

asio::awaitable<void> DeploymentWorkflow::UndeployAll(Context& context,
                                                      std::vector<model::VmRecord> vms) {
    // A guest can take seconds to be destroyed: all at once. Each VM's steps still commit one
    // by one on the strand.
    co_await AwaitAll(vms, [&](const model::VmRecord& vm) { return UndeployVm(context, vm); });
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Undeploy(
    const model::Operation& op) {
    Context context(op);
    co_await Load(context);

    if (context.view.service != ServiceState::kUndeploying) {
        auto step = context.NewStep();
        step.service_state = Next(context.view.service, model::ServiceEvent::kUndeploy);
        co_await Commit(context, step);
    }
    co_await UndeployAll(context, context.view.vms);
    co_await RemoveDeclaredNetworks(context, context.spec.declared_networks);

    Final final;
    final.outcome.state = model::ResourceState::kRemoved;
    final.message = "Service group undeployment completed successfully!";
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, "SERVICE_UNDEPLOYED", nullptr, 200, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<void> DeploymentWorkflow::Load(Context& context) {
    auto loaded = co_await LoadDeployment(deployments_, context.op.target_id);
    context.record = std::move(loaded->record);
    context.spec = std::move(loaded->spec);
    context.view = std::move(loaded->view);
    context.view.spec = &context.spec;
}

}  // namespace escd::orchestrator
