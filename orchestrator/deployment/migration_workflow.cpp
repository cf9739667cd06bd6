#include "orchestrator/deployment/migration_workflow.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
constexpr const char* kEventType = "VM_MIGRATE_COMPLETE";

// The VIM's migration of the client's.
vim::MigrationType VimMigrationType(model::MigrationType type) noexcept {
    return type == model::MigrationType::kLive ? vim::MigrationType::kLive
                                               : vim::MigrationType::kCold;
}
}  // namespace

asio::awaitable<DeploymentWorkflow::Final> MigrationWorkflow::Migrate(const model::Operation& op) {
    const auto plan = xml::MigrationPlanFromPayload(op.payload);
    std::unique_ptr<LoadedDeployment> loaded;
    std::optional<model::VmRecord> vm;
    int status = 200;
    std::string message = "Successfully migrated VM [" + plan.vm_name + "] from host " +
                          plan.source_host + " to host " + plan.target_host + " (" +
                          std::string(model::ToString(plan.type)) + ")";
    try {
        loaded = co_await LoadDeployment(deployments_, op.target_id);
        const auto* known = loaded->Vm(plan.vm_name);
        if (!known) {
            throw Error(ErrorCode::kNotFound,
                        "VM " + plan.vm_name + " is no longer in deployment " + op.target_id);
        }
        vm = *known;
        if (vm->host != plan.target_host) {
            co_await Move(plan, *loaded, *vm);
            model::DeploymentStep step;
            step.transaction_id = op.transaction_id;
            step.deployment_id = op.target_id;
            step.upserts.push_back(*vm);
            co_await CommitStep(deployments_, notifier_, step);
            ESCD_INFO("engine") << message;
            auto vms = loaded->view.vms;
            for (auto& known_vm : vms)
                if (known_vm.vm_name == vm->vm_name) known_vm = *vm;
            workflow_.VmsChanged(loaded->spec, vms);
        }  // else the first run moved it and committed that, not the callback
        // A cold move restarted the guest (a rerun too: it may still be booting).
        if (plan.type == model::MigrationType::kCold && model::VmIsRunning(vm->state)) {
            const bool alive = co_await workflow_.AliveAfterRestart(op, plan.vm_name);
            if (!alive) {
                message += "; the VM was not alive on its new host within its bootup_time";
                ESCD_WARN("engine") << "MIGRATE_VM " << plan.vm_name << ": " << message;
            }
        }
    } catch (const Error& e) {
        if (e.retryable()) throw;  // the engine runs it again later
        status = HttpStatusOf(e, Reply::kCallback);
        message = "VM migration failed: " + std::string(e.what());
        ESCD_WARN("engine") << "MIGRATE_VM " << plan.vm_name << " to " << plan.target_host << ": "
                            << e.what();
    }
    const std::vector<std::pair<std::string, std::string>> details{
        {"source_host", plan.source_host},
        {"target_host", plan.target_host},
        {"migration_type", std::string(model::ToString(plan.type))}};
    const auto body = vm ? xml::VmEventDocument(loaded->view, kEventType, *vm, details)
                         : BareVmEventDocument(kEventType, op.target_id);
    auto final = DeploymentWorkflow::Final::KeepsDeployment(status, message);
    final.callbacks = ToEventUrls(op, kEventType, status, message, body);
    co_return final;
}

asio::awaitable<void> MigrationWorkflow::Move(const model::MigrationPlan& plan,
                                              const LoadedDeployment& loaded,
                                              model::VmRecord& vm) {
    const auto& target = plan.target_host;
    const bool schedulable = co_await hosts_.HostSchedulable(target);
    if (!schedulable) {
        throw Error(ErrorCode::kConflict,
                    "host " + target + " was disabled since the request: it takes no VMs");
    }
    vim::MigrationRequest request;
    request.vm_name = plan.vm_name;
    request.target_host = target;
    request.type = VimMigrationType(plan.type);
    request.block_migration = plan.block_migration;
    request.running = model::VmIsRunning(vm.state);
    for (const auto& group : loaded.spec.vm_groups) {
        if (group.name == vm.vm_group)
            request.grace = std::chrono::seconds(std::clamp(group.reboot_time, 1, 120));
    }
    const auto moved = co_await vim_.MigrateVm(request);
    vm.host = moved.host;
    vm.uuid = moved.uuid;
}

}  // namespace escd::orchestrator
