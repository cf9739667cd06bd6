#include "orchestrator/deployment/migration_workflow.hpp"

#include <algorithm>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
constexpr const char* kEventType = "VM_MIGRATE_COMPLETE";
}  // namespace

std::string_view MigrationTypeName(vim::MigrationType type) noexcept {
    return type == vim::MigrationType::kLive ? "live" : "cold";
}

std::string MigrationPayload(const MigrationPlan& plan) {
    pugi::xml_document doc;
    auto root = doc.append_child("migration");
    xml::AppendText(root, "vm_name", plan.vm_name);
    xml::AppendText(root, "migration_type", MigrationTypeName(plan.type));
    xml::AppendText(root, "source_host", plan.source_host);
    xml::AppendText(root, "host", plan.target_host);
    xml::AppendBool(root, "block_migration", plan.block_migration);
    return xml::Compact(doc);
}

MigrationPlan MigrationFromPayload(const std::string& payload) {
    auto doc = xml::ParseBody(payload);
    auto root = doc->document_element();
    MigrationPlan plan;
    plan.vm_name = xml::ChildText(root, "vm_name").value_or("");
    plan.type = xml::ChildText(root, "migration_type").value_or("") == "cold"
                    ? vim::MigrationType::kCold
                    : vim::MigrationType::kLive;
    plan.source_host = xml::ChildText(root, "source_host").value_or("");
    plan.target_host = xml::ChildText(root, "host").value_or("");
    plan.block_migration = xml::ChildBool(root, "block_migration").value_or(false);
    return plan;
}

asio::awaitable<DeploymentWorkflow::Final> MigrationWorkflow::Migrate(const model::Operation& op) {
    const auto plan = MigrationFromPayload(op.payload);
    std::unique_ptr<LoadedDeployment> loaded;
    std::optional<model::VmRecord> vm;
    int status = 200;
    std::string message = "Successfully migrated VM [" + plan.vm_name + "] from host " +
                          plan.source_host + " to host " + plan.target_host + " (" +
                          std::string(MigrationTypeName(plan.type)) + ")";
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
        }  // else the first run moved it and committed that, not the callback
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
        {"migration_type", std::string(MigrationTypeName(plan.type))}};
    const auto body = vm ? xml::VmEventDocument(loaded->view, kEventType, *vm, details)
                         : BareVmEventDocument(kEventType, op.target_id);
    auto final = DeploymentWorkflow::Final::KeepsDeployment(status, message);
    final.callbacks = ToEventUrls(op, kEventType, status, message, body);
    co_return final;
}

asio::awaitable<void> MigrationWorkflow::Move(const MigrationPlan& plan,
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
    request.type = plan.type;
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
