#include "server/handlers/snapshot_handlers.hpp"

#include <pugixml.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/snapshot_workflow.hpp"
#include "server/handlers/mutation.hpp"
#include "server/handlers/vm_lookup.hpp"
#include "server/query.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;
constexpr const char* kIdOrNameParam = "snapshotIdOrName";

// operations.payload of a snapshot operation (model/operation_payload.hpp, SnapshotTask).
std::string TaskPayload(const model::VmSnapshot& snapshot, const std::string& volume_id = {}) {
    return xml::ToPayload(
        model::SnapshotTask{snapshot.snapshot_id, snapshot.name, snapshot.vm_name, volume_id});
}

void FillSnapshot(pugi::xml_node node, const model::VmSnapshot& snapshot) {
    xml::AppendText(node, "snapshot_id", snapshot.snapshot_id);
    xml::AppendText(node, "name", snapshot.name);
    xml::AppendText(node, "internal_tenant_id", snapshot.tenant_id);
    xml::AppendText(node, "internal_deployment_id", snapshot.deployment_id);
    xml::AppendText(node, "generated_vm_name", snapshot.vm_name);
    xml::AppendText(node, "state", model::ToString(snapshot.state));
    if (!snapshot.created_at.empty()) xml::AppendText(node, "created_at", snapshot.created_at);
}

std::string SnapshotDocument(const model::VmSnapshot& snapshot) {
    pugi::xml_document doc;
    FillSnapshot(doc.append_child("vm_snapshot"), snapshot);
    return xml::Serialize(doc);
}

asio::awaitable<Response> ListSnapshots(const SnapshotContext& c, Request& request) {
    auto query = ParseQuery(request.query);
    const std::string tenant = query.count("internalTenantId") ? query["internalTenantId"] : "";
    const std::string vm = query.count("generatedVMName") ? query["generatedVMName"] : "";
    if (!tenant.empty()) model::ValidateInternalId(tenant, "internalTenantId");
    if (!vm.empty()) model::ValidateName(vm, model::kMaxNameLength, "generatedVMName");
    auto snapshots = co_await c.snapshots.ListVmSnapshots(tenant, vm);
    pugi::xml_document doc;
    auto list = doc.append_child("vm_snapshots");
    for (const auto& snapshot : snapshots) FillSnapshot(list.append_child("vm_snapshot"), snapshot);
    Response response;
    response.body = xml::Serialize(doc);
    co_return response;
}

// The root element of a request body, after the media type and the XML were checked (400).
std::unique_ptr<pugi::xml_document> ParseRequestBody(const Request& request) {
    RequireXmlBody(request);
    return xml::ParseBody(request.Body());
}

asio::awaitable<Accepted> SnapshotVm(const SnapshotContext& c, Request& request) {
    const auto& tenant = request.Param("internal_tenant_id");
    const auto& vm_name = request.Param("vm_name");
    model::ValidateInternalId(tenant, "internal_tenant_id");
    model::ValidateName(vm_name, 1024, "vm_name");
    auto doc = ParseRequestBody(request);
    auto root = doc->document_element();
    const auto operation = xml::ChildText(root, "operation").value_or("");
    if (operation.empty()) throw Error(ErrorCode::kBadRequest, "<operation> is required");
    if (operation != "snapshot") {
        throw Error(ErrorCode::kBadRequest,
                    "operation '" + operation.substr(0, 40) + "' is not snapshot");
    }
    model::VmSnapshot snapshot;
    snapshot.name = xml::ChildText(root, "name").value_or("");
    if (snapshot.name.empty()) throw Error(ErrorCode::kBadRequest, "<name> is required");
    model::ValidateName(snapshot.name, model::kMaxNameLength, "name");
    snapshot.snapshot_id = xml::ChildText(root, "id").value_or("");
    if (snapshot.snapshot_id.empty()) snapshot.snapshot_id = NewUuid();
    model::ValidateInternalId(snapshot.snapshot_id, "id");
    auto op = NewOperation(request, model::OperationKind::kSnapshotVm,
                           model::TargetKind::kDeployment, {}, /*callback_required=*/true);

    auto found = co_await FindTenantVm(c.resources, c.deployments, tenant, vm_name);
    RequireSettledVm(found.vm, operation);
    snapshot.tenant_id = tenant;
    snapshot.vm_name = vm_name;
    snapshot.deployment_id = found.vm.deployment_id;
    op.target_id = found.vm.deployment_id;
    op.payload = TaskPayload(snapshot);
    co_await c.snapshots.AcceptVmSnapshot(snapshot, op);
    auto response = ToRun(std::move(op), SnapshotDocument(snapshot));
    response.status = http::status::created;
    co_return response;
}

// The snapshot a path names: by id, else by a name exactly one snapshot has.
asio::awaitable<model::VmSnapshot> Resolve(const SnapshotContext& c, const Request& request) {
    const auto id_or_name = PercentDecode(request.Param(kIdOrNameParam));
    model::ValidateName(id_or_name, model::kMaxNameLength, "snapshotIdOrName");
    auto found = co_await c.snapshots.FindVmSnapshots(id_or_name);
    for (const auto& snapshot : found)
        if (snapshot.snapshot_id == id_or_name) co_return snapshot;
    if (found.empty()) throw Error(ErrorCode::kNotFound, "snapshot " + id_or_name + " not found");
    if (found.size() > 1) {
        throw Error(ErrorCode::kConflict, "snapshot name " + id_or_name + " is not unique (" +
                                              std::to_string(found.size()) +
                                              " snapshots have it); name the snapshot by its id");
    }
    co_return found.front();
}

// The snapshot's VM, which must be settled for a revert or a volume (400 otherwise).
asio::awaitable<void> RequireSettledVmOf(const SnapshotContext& c,
                                         const model::VmSnapshot& snapshot,
                                         const std::string& operation) {
    const auto& vm_name = snapshot.vm_name;
    auto vm = co_await c.deployments.GetVm(vm_name);
    if (!vm) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    RequireSettledVm(*vm, operation);
}

asio::awaitable<Accepted> Revert(const SnapshotContext& c, Request& request) {
    auto op = NewOperation(request, model::OperationKind::kRevertSnapshot,
                           model::TargetKind::kDeployment, {}, /*callback_required=*/true);
    auto snapshot = co_await Resolve(c, request);
    co_await RequireSettledVmOf(c, snapshot, "revert");
    op.target_id = snapshot.deployment_id;
    op.payload = TaskPayload(snapshot);
    co_await c.snapshots.AcceptVmSnapshotRequest(
        snapshot.snapshot_id, model::SnapshotEvent::kRevertRequested, std::nullopt, op);
    snapshot.state = model::SnapshotState::kReverting;
    auto response = ToRun(std::move(op), SnapshotDocument(snapshot));
    response.status = http::status::accepted;
    co_return response;
}

asio::awaitable<Accepted> Delete(const SnapshotContext& c, Request& request) {
    auto op = NewOperation(request, model::OperationKind::kDeleteSnapshot,
                           model::TargetKind::kDeployment, {}, /*callback_required=*/true);
    auto snapshot = co_await Resolve(c, request);
    op.target_id = snapshot.deployment_id;
    op.payload = TaskPayload(snapshot);
    co_await c.snapshots.AcceptVmSnapshotRequest(
        snapshot.snapshot_id, model::SnapshotEvent::kDeleteRequested, std::nullopt, op);
    snapshot.state = model::SnapshotState::kDeleting;
    co_return ToRun(std::move(op), SnapshotDocument(snapshot));
}

asio::awaitable<Accepted> MakeVolume(const SnapshotContext& c, Request& request) {
    auto doc = ParseRequestBody(request);
    auto root = doc->document_element();
    const auto name = xml::ChildText(root, "name").value_or("");
    if (name.empty()) throw Error(ErrorCode::kBadRequest, "the volume's <name> is required");
    model::ValidateName(name, model::kMaxNameLength, "name");
    auto volume_id = xml::ChildText(root, "internal_volume_id").value_or("");
    if (volume_id.empty()) volume_id = NewUuid();
    model::ValidateInternalId(volume_id, "internal_volume_id");
    auto op = NewOperation(request, model::OperationKind::kSnapshotVolume,
                           model::TargetKind::kDeployment, {}, /*callback_required=*/true);
    auto snapshot = co_await Resolve(c, request);
    co_await RequireSettledVmOf(c, snapshot, "volume from snapshot");

    // Stored as the volume routes store a volume; its size is the disk's, known once made.
    pugi::xml_document spec;
    auto volume_node = spec.append_child("volume");
    xml::AppendText(volume_node, "name", name);
    xml::AppendText(volume_node, "snapshot_id", snapshot.snapshot_id);
    model::ResourceRecord volume{
        model::ResourceKind::kVolume,    volume_id, snapshot.tenant_id, name,
        model::ResourceState::kCreating, {},        xml::Compact(spec), snapshot.tenant_id};
    op.target_id = snapshot.deployment_id;
    op.payload = TaskPayload(snapshot, volume_id);
    co_await c.snapshots.AcceptVmSnapshotRequest(
        snapshot.snapshot_id, model::SnapshotEvent::kVolumeRequested, volume, op);
    auto response =
        ToRun(std::move(op),
              xml::ResourceDocument(*xml::FindKindXml(model::ResourceKind::kVolume), volume, {}));
    response.status = http::status::accepted;
    co_return response;
}
}  // namespace

void RegisterSnapshotRoutes(Router& router, SnapshotContext context) {
    for (const std::string prefix : {"", "/internal"}) {
        router.Add(http::verb::get, prefix + "/snapshots",
                   [context](Request& r) { return ListSnapshots(context, r); });
        AddMutation(router, http::verb::post,
                    prefix + "/{internal_tenant_id}/deployments/snapshot-vm/{vm_name}",
                    [context](Request& r) { return SnapshotVm(context, r); });
        const std::string one = prefix + "/snapshots/{" + kIdOrNameParam + "}";
        AddMutation(router, http::verb::post, one,
                    [context](Request& r) { return Revert(context, r); });
        AddMutation(router, http::verb::delete_, one,
                    [context](Request& r) { return Delete(context, r); });
        AddMutation(router, http::verb::post, one + "/volumes",
                    [context](Request& r) { return MakeVolume(context, r); });
    }
}

}  // namespace escd::server::handlers
