#include "server/handlers/snapshot_handlers.hpp"

#include <pugixml.hpp>

#include "model/ids.hpp"
#include "model/xml/xml_doc.hpp"
#include "server/query.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

asio::awaitable<Response> ListSnapshots(orchestrator::Engine& engine, Request& request) {
    auto query = ParseQuery(request.query);
    const std::string tenant = query.count("internalTenantId") ? query["internalTenantId"] : "";
    const std::string vm = query.count("generatedVMName") ? query["generatedVMName"] : "";
    if (!tenant.empty()) model::ValidateInternalId(tenant, "internalTenantId");
    if (!vm.empty()) model::ValidateName(vm, model::kMaxNameLength, "generatedVMName");
    auto snapshots = co_await engine.WithStore(
        [&tenant, &vm](model::Store& store) { return store.ListVmSnapshots(tenant, vm); });
    pugi::xml_document doc;
    auto list = doc.append_child("vm_snapshots");
    for (const auto& snapshot : snapshots) {
        auto node = list.append_child("vm_snapshot");
        xml::AppendText(node, "snapshot_id", snapshot.snapshot_id);
        xml::AppendText(node, "name", snapshot.name);
        xml::AppendText(node, "internal_tenant_id", snapshot.tenant_id);
        xml::AppendText(node, "internal_deployment_id", snapshot.deployment_id);
        xml::AppendText(node, "generated_vm_name", snapshot.vm_name);
        xml::AppendText(node, "state", model::ToString(snapshot.state));
        xml::AppendText(node, "created_at", snapshot.created_at);
    }
    Response response;
    response.body = xml::Serialize(doc);
    co_return response;
}
}  // namespace

void RegisterSnapshotRoutes(Router& router, orchestrator::Engine& engine) {
    for (const char* path : {"/snapshots", "/internal/snapshots"}) {
        router.Add(http::verb::get, path,
                   [&engine](Request& r) { return ListSnapshots(engine, r); });
    }
}

}  // namespace escd::server::handlers
