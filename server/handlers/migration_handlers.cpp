#include "server/handlers/migration_handlers.hpp"

#include <algorithm>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/migration_workflow.hpp"
#include "server/handlers/mutation.hpp"
#include "server/handlers/vm_lookup.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

// The reference's camelCase names, or escd's snake_case ones.
std::optional<std::string> Field(const pugi::xml_node& root,
                                 std::string_view camel,
                                 std::string_view snake) {
    auto value = xml::ChildText(root, camel);
    return value ? value : xml::ChildText(root, snake);
}

model::MigrationPlan ParseMigration(const Request& request, const std::string& vm_name) {
    RequireXmlBody(request);
    auto doc = xml::ParseBody(request.Body());
    auto root = doc->document_element();
    const auto operation = xml::ChildText(root, "operation").value_or("");
    if (operation.empty()) throw Error(ErrorCode::kBadRequest, "<operation> is required");
    if (operation != "migrate") {
        throw Error(ErrorCode::kBadRequest,
                    "operation '" + operation.substr(0, 40) + "' is not migrate");
    }
    model::MigrationPlan plan;
    plan.vm_name = vm_name;
    const auto type_text = Field(root, "migrationType", "migration_type").value_or("live");
    const auto type = model::ParseMigrationType(type_text);
    if (!type) {
        throw Error(ErrorCode::kBadRequest,
                    "migrationType '" + type_text.substr(0, 40) + "' is not live or cold");
    }
    plan.type = *type;
    plan.target_host = xml::ChildText(root, "host").value_or("");
    if (!plan.target_host.empty())
        model::ValidateName(plan.target_host, model::kMaxNameLength, "host");
    const auto block = Field(root, "blockMigration", "block_migration").value_or("auto");
    if (block != "auto" && block != "true" && block != "false") {
        throw Error(ErrorCode::kBadRequest,
                    "blockMigration '" + block.substr(0, 40) + "' is not auto, true or false");
    }
    plan.block_migration = block != "false";
    return plan;
}

std::string PlanDocument(const model::MigrationPlan& plan) {
    pugi::xml_document doc;
    auto root = doc.append_child("vm_operation");
    root.append_attribute("xmlns").set_value(xml::kNetconfNs);
    xml::AppendText(root, "operation", "migrate");
    xml::AppendText(root, "vm_name", plan.vm_name);
    xml::AppendText(root, "migrationType", model::ToString(plan.type));
    xml::AppendText(root, "host", plan.target_host);
    xml::AppendBool(root, "blockMigration", plan.block_migration);
    return xml::Serialize(doc);
}

asio::awaitable<Accepted> MigrateVm(const MigrationContext& c, Request& request) {
    const auto& tenant = request.Param("internal_tenant_id");
    const auto& vm_name = request.Param("vm_name");
    model::ValidateInternalId(tenant, "internal_tenant_id");
    model::ValidateName(vm_name, 1024, "vm_name");
    auto plan = ParseMigration(request, vm_name);
    auto op = NewOperation(request, model::OperationKind::kMigrateVm,
                           model::TargetKind::kDeployment, {}, /*callback_required=*/true);
    auto found = co_await FindTenantVm(c.resources, c.deployments, tenant, vm_name);
    RequireSettledVm(found.vm, "migrate");

    // Where to: the host asked for, or the first other one that takes VMs.
    const auto hosts = co_await c.vim.ListHosts();
    const auto enabled = co_await c.hosts.SchedulableHosts(hosts);
    const auto& current = found.vm.host;
    if (plan.target_host.empty()) {
        for (const auto& host : enabled) {
            if (host == current) continue;
            plan.target_host = host;
            break;
        }
        if (plan.target_host.empty()) {
            throw Error(ErrorCode::kBadRequest,
                        "VM operation migrate is not applicable: no enabled host other than " +
                            current + " to move VM " + vm_name + " to");
        }
    } else if (std::find(hosts.begin(), hosts.end(), plan.target_host) == hosts.end()) {
        throw Error(ErrorCode::kNotFound, "host " + plan.target_host + " is not known to the VIM");
    } else if (plan.target_host == current) {
        throw Error(ErrorCode::kBadRequest, "VM operation migrate is not applicable: VM " +
                                                vm_name + " is on host " + current + " already");
    } else if (std::find(enabled.begin(), enabled.end(), plan.target_host) == enabled.end()) {
        throw Error(ErrorCode::kBadRequest, "VM operation migrate is not applicable: host " +
                                                plan.target_host + " is disabled and takes no VMs");
    }
    plan.source_host = current;
    op.target_id = found.vm.deployment_id;
    op.payload = xml::ToPayload(plan);
    co_await c.resources.AcceptUpdate(model::ResourceKind::kDeployment, op.target_id, op);
    co_return ToRun(std::move(op), PlanDocument(plan));
}
}  // namespace

void RegisterMigrationRoutes(Router& router, MigrationContext context) {
    AddMutation(router, http::verb::post, "/{internal_tenant_id}/deployments/migrate-vm/{vm_name}",
                [context](Request& r) { return MigrateVm(context, r); });
}

}  // namespace escd::server::handlers
