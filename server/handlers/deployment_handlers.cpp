#include "server/handlers/deployment_handlers.hpp"

#include <pugixml.hpp>

#include <map>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/deployment_docs.hpp"
#include "model/xml/deployment_xml.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/deployment_workflow.hpp"
#include "server/handlers/deployment_references.hpp"
#include "server/handlers/mutation.hpp"
#include "server/handlers/vm_lookup.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;
constexpr const char* kDeploymentIdParam = "internal_deployment_id";
constexpr auto kDeploymentKind = model::ResourceKind::kDeployment;

// What GET shows of one deployment: its datamodel, service state and VMs.
struct Loaded : model::StoredDeployment {
    model::DeploymentSpec spec;
};

Loaded Parsed(model::StoredDeployment stored) {
    Loaded loaded{std::move(stored), {}};
    loaded.spec = xml::DeploymentSpecFromStored(loaded.record.spec, loaded.record.internal_id);
    return loaded;
}

xml::DeploymentView ViewOf(const Loaded& loaded) {
    xml::DeploymentView view;
    view.spec = &loaded.spec;
    view.external_id = loaded.record.external_id;
    view.tenant_external_id = loaded.tenant_external_id;
    view.service = model::ServiceStateOf(loaded.service);
    view.vms = loaded.vms;
    return view;
}

// One read whatever the number of deployments (DeploymentStore::ReadDeployments).
asio::awaitable<Response> List(const DeploymentContext& c) {
    auto stored = co_await c.deployments.ReadDeployments();
    std::vector<Loaded> all;
    for (auto& deployment : stored) all.push_back(Parsed(std::move(deployment)));
    std::vector<xml::DeploymentView> views;
    for (const auto& loaded : all) views.push_back(ViewOf(loaded));
    Response response;
    response.body = xml::DeploymentListDocument(views);
    co_return response;
}

asio::awaitable<std::optional<Loaded>> Find(const DeploymentContext& c, const std::string& id) {
    model::ValidateInternalId(id, kDeploymentIdParam);
    auto stored = co_await c.deployments.ReadDeployment(id);
    if (!stored) co_return std::nullopt;
    co_return Parsed(std::move(*stored));
}

asio::awaitable<Response> Get(const DeploymentContext& c, Request& request) {
    const auto& id = request.Param(kDeploymentIdParam);
    auto loaded = co_await Find(c, id);
    if (!loaded) throw Error(ErrorCode::kNotFound, "deployment " + id + " not found");
    Response response;
    response.body = xml::DeploymentDocument(ViewOf(*loaded));
    co_return response;
}

asio::awaitable<Response> GetConfig(const DeploymentContext& c, Request& request) {
    const auto& id = request.Param(kDeploymentIdParam);
    model::ValidateInternalId(id, kDeploymentIdParam);
    auto record = co_await c.resources.GetResource(kDeploymentKind, id);
    if (!record) throw Error(ErrorCode::kNotFound, "deployment " + id + " not found");
    Response response;
    response.body = xml::DeploymentConfigDocument(record->spec);
    co_return response;
}

// What a deployment uses: the images, flavors and networks it names, and its own networks
// (deleting one of those by itself is refused too).
std::vector<model::ResourceKey> UsesOf(const xml::ParsedDeployment& parsed) {
    std::vector<model::ResourceKey> uses;
    for (const auto& ref : parsed.references) uses.emplace_back(ref.kind, ref.internal_id);
    for (const auto& declared : parsed.declared)
        if (declared.kind == model::ResourceKind::kNetwork)
            uses.emplace_back(declared.kind, declared.internal_id);
    return uses;
}

asio::awaitable<Accepted> Create(const DeploymentContext& c, Request& request) {
    const auto& id = request.Param(kDeploymentIdParam);
    RequireXmlBody(request);
    auto parsed = xml::ParseDeploymentRequest(request.Body(), id);
    auto op = NewOperation(request, model::OperationKind::kCreateDeployment,
                           model::TargetKind::kDeployment, id,
                           /*callback_required=*/true);
    const auto& tenant = parsed.spec.tenant;
    const auto lookup = co_await LookUpReferences(c.resources, parsed);
    RequireResolved(lookup, tenant);
    RecordReferences(parsed, lookup);
    co_await c.engine.RequireVim();
    op.payload = parsed.stored;
    model::ResourceRecord record{
        model::ResourceKind::kDeployment, id, tenant,        parsed.spec.name,
        model::ResourceState::kCreating,  {}, parsed.stored, tenant};
    const auto uses = UsesOf(parsed);
    co_await c.deployments.AcceptDeployment(record, op, uses, parsed.declared);
    co_return ToRun(std::move(op), xml::DeploymentConfigDocument(parsed.stored));
}

asio::awaitable<Accepted> Update(const DeploymentContext& c, Request& request) {
    const auto& id = request.Param(kDeploymentIdParam);
    RequireXmlBody(request);
    auto parsed = xml::ParseDeploymentRequest(request.Body(), id);
    auto op = NewOperation(request, model::OperationKind::kUpdateDeployment,
                           model::TargetKind::kDeployment, id,
                           /*callback_required=*/true);
    auto loaded = co_await Find(c, id);
    if (!loaded) throw Error(ErrorCode::kNotFound, "deployment " + id + " not found");
    // Resolved first: what may not change (a group's image, flavor, an interface's network) is
    // compared by the internal ids the references mean, not by their text. A reference that
    // does not resolve stays as its text and is refused after those checks, as before.
    const auto lookup = co_await LookUpReferences(c.resources, parsed,
                                                  xml::ResolvedReferencesOf(loaded->record.spec));
    RecordReferences(parsed, lookup);
    xml::CheckDeploymentUpdate(loaded->spec, parsed.spec);
    std::map<std::string, int> vms_per_group;
    for (const auto& vm : loaded->vms) ++vms_per_group[vm.vm_group];
    xml::CheckRollingUpgrades(loaded->spec, parsed.spec, vms_per_group);
    const auto added = xml::DeclaredAddedByUpdate(loaded->record.spec, parsed);
    const auto service = model::ServiceStateOf(loaded->service);
    if (!model::ServiceAcceptsUpdate(service)) {
        throw Error(ErrorCode::kConflict, "deployment " + id + " is " +
                                              std::string(model::ToString(service)) +
                                              "; it cannot be updated now");
    }
    RequireResolved(lookup, parsed.spec.tenant);
    co_await c.engine.RequireVim();
    op.payload = parsed.stored;
    const auto uses = UsesOf(parsed);
    co_await c.deployments.AcceptDeploymentUpdate(op, uses, added);
    co_return ToRun(std::move(op), xml::DeploymentConfigDocument(parsed.stored));
}

asio::awaitable<Accepted> Delete(const DeploymentContext& c, Request& request) {
    const auto& id = request.Param(kDeploymentIdParam);
    model::ValidateInternalId(id, kDeploymentIdParam);
    auto op = NewOperation(request, model::OperationKind::kDeleteDeployment,
                           model::TargetKind::kDeployment, id,
                           /*callback_required=*/true);
    co_await c.deployments.AcceptUndeploy(op);
    auto loaded = co_await Find(c, id);
    std::string body = loaded ? xml::DeploymentDocument(ViewOf(*loaded)) : std::string();
    co_return ToRun(std::move(op), std::move(body));
}
// <service_operation>/<vm_operation> bodies: the operation, and force.
struct OperationRequest {
    std::string operation;
    bool force = false;
};

OperationRequest ParseOperation(const Request& request) {
    RequireXmlBody(request);
    auto doc = xml::ParseBody(request.Body());
    auto root = doc->document_element();
    OperationRequest out;
    out.operation = xml::ChildText(root, "operation").value_or("");
    if (out.operation.empty()) throw Error(ErrorCode::kBadRequest, "<operation> is required");
    if (!orchestrator::IsVmOperation(out.operation)) {
        throw Error(ErrorCode::kBadRequest,
                    "operation '" + out.operation.substr(0, 40) +
                        "' is not one of stop, start, reboot, enable_monitoring, "
                        "disable_monitoring");
    }
    out.force = xml::ChildBool(root, "force").value_or(false);
    return out;
}

asio::awaitable<Accepted> ServiceOperation(const DeploymentContext& c, Request& request) {
    const auto& tenant = request.Param("internal_tenant_id");
    const auto& id = request.Param(kDeploymentIdParam);
    model::ValidateInternalId(tenant, "internal_tenant_id");
    auto parsed = ParseOperation(request);
    auto op = NewOperation(request, model::OperationKind::kServiceOperation,
                           model::TargetKind::kDeployment, id,
                           /*callback_required=*/true);
    auto loaded = co_await Find(c, id);
    if (!loaded || loaded->record.tenant_id != tenant)
        throw Error(ErrorCode::kNotFound, "deployment " + id + " not found in tenant " + tenant);
    const auto service = model::ServiceStateOf(loaded->service);
    const auto vm_request = orchestrator::VmOperationEvent(parsed.operation);
    if (!vm_request || !model::ServiceAcceptsOperation(service, *vm_request)) {
        throw Error(ErrorCode::kConflict, "deployment " + id + " is " +
                                              std::string(model::ToString(service)) + "; cannot " +
                                              parsed.operation + " it now");
    }
    op.payload = xml::ToPayload(model::DeploymentAction{.operation = parsed.operation});
    co_await c.resources.AcceptUpdate(model::ResourceKind::kDeployment, op.target_id, op);
    co_return ToRun(std::move(op), xml::DeploymentDocument(ViewOf(*loaded)));
}

// The VM a VM-level route names (vm_lookup.hpp: validated, 404 unless it is in `tenant`),
// with its deployment as GET shows it.
asio::awaitable<std::pair<model::VmRecord, Loaded>> FindVm(const DeploymentContext& c,
                                                           const std::string& tenant,
                                                           const std::string& vm_name) {
    auto found = co_await FindTenantVm(c.resources, c.deployments, tenant, vm_name);
    auto stored = co_await c.deployments.ReadDeployment(found.vm.deployment_id);
    if (!stored) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    co_return std::make_pair(std::move(found.vm), Parsed(std::move(*stored)));
}

asio::awaitable<Accepted> VmOperation(const DeploymentContext& c, Request& request) {
    const auto& tenant = request.Param("internal_tenant_id");
    const auto& vm_name = request.Param("vm_name");
    auto parsed = ParseOperation(request);
    auto [vm, loaded] = co_await FindVm(c, tenant, vm_name);
    auto op = NewOperation(request, model::OperationKind::kVmOperation,
                           model::TargetKind::kDeployment, vm.deployment_id,
                           /*callback_required=*/true);
    const auto event = orchestrator::VmOperationEvent(parsed.operation);
    if (!event || !model::NextState(vm.state, *event)) {
        throw Error(ErrorCode::kBadRequest, "VM operation " + parsed.operation +
                                                " is not applicable: VM " + vm_name + " is " +
                                                std::string(model::ToString(vm.state)));
    }
    if (parsed.operation == "stop" && !parsed.force) {
        int running = 0;
        int min_active = 0;
        for (const auto& group : loaded.spec.vm_groups)
            if (group.name == vm.vm_group) min_active = group.scaling.min_active;
        for (const auto& other : loaded.vms) {
            if (other.vm_group == vm.vm_group && model::VmIsRunning(other.state)) ++running;
        }
        if (running - 1 < min_active) {
            throw Error(ErrorCode::kBadRequest, "stopping " + vm_name + " would leave vm_group " +
                                                    vm.vm_group + " with " +
                                                    std::to_string(running - 1) +
                                                    " running VM(s), under its "
                                                    "min_active " +
                                                    std::to_string(min_active) +
                                                    "; send <force>true</force> to stop it anyway");
        }
    }
    op.payload =
        xml::ToPayload(model::DeploymentAction{.operation = parsed.operation, .vm_name = vm_name});
    co_await c.resources.AcceptUpdate(model::ResourceKind::kDeployment, op.target_id, op);
    co_return ToRun(std::move(op), xml::DeploymentDocument(ViewOf(loaded)));
}

// POST /{tenant}/deployments/recovery-vm/{vm}: <operation>recovery_do</operation>, optional
// <checkVmBeforeRecovery> (a VM found alive is then left alone). Runs the recovery a down VM
// gets (orchestrator/deployment/deployment_recovery.cpp), whatever its group's recovery_type.
asio::awaitable<Accepted> RecoveryVm(const DeploymentContext& c, Request& request) {
    const auto& tenant = request.Param("internal_tenant_id");
    const auto& vm_name = request.Param("vm_name");
    RequireXmlBody(request);
    auto doc = xml::ParseBody(request.Body());
    auto root = doc->document_element();
    auto operation = xml::ChildText(root, "operation").value_or("");
    for (auto& ch : operation) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (operation != "recovery_do" && operation != "do") {
        throw Error(ErrorCode::kBadRequest,
                    "<operation> must be recovery_do, not '" + operation.substr(0, 40) + "'");
    }
    const bool check_first = xml::ChildBool(root, "checkVmBeforeRecovery").value_or(false);
    auto [vm, loaded] = co_await FindVm(c, tenant, vm_name);
    auto op = NewOperation(request, model::OperationKind::kRecoverVm,
                           model::TargetKind::kDeployment, vm.deployment_id,
                           /*callback_required=*/true);
    const auto service = model::ServiceStateOf(loaded.service);
    if (!model::ServiceIsUp(service)) {
        throw Error(ErrorCode::kBadRequest,
                    "recovery of VM " + vm_name + " is not applicable: deployment " +
                        vm.deployment_id + " is " + std::string(model::ToString(service)));
    }
    if (!model::NextState(vm.state, model::VmEvent::kRecover)) {
        throw Error(ErrorCode::kBadRequest, "recovery of VM " + vm_name +
                                                " is not applicable: it is " +
                                                std::string(model::ToString(vm.state)));
    }
    op.payload = xml::ToPayload(model::DeploymentAction{.operation = "recover",
                                                        .vm_name = vm_name,
                                                        .trigger = "manual",
                                                        .check_first = check_first});
    co_await c.resources.AcceptUpdate(model::ResourceKind::kDeployment, op.target_id, op);
    co_return ToRun(std::move(op), xml::DeploymentDocument(ViewOf(loaded)));
}
}  // namespace

void RegisterDeploymentRoutes(Router& router, DeploymentContext context) {
    // Each route holds its copy of the references.
    const std::string one = std::string("/deployments/{") + kDeploymentIdParam + "}";
    router.Add(http::verb::get, "/deployments", [context](Request&) { return List(context); });
    router.Add(http::verb::get, one, [context](Request& r) { return Get(context, r); });
    router.Add(http::verb::get, std::string("/deployments/config/{") + kDeploymentIdParam + "}",
               [context](Request& r) { return GetConfig(context, r); });
    AddMutation(router, http::verb::post, one,
                [context](Request& r) { return Create(context, r); });
    AddMutation(router, http::verb::put, one, [context](Request& r) { return Update(context, r); });
    AddMutation(router, http::verb::delete_, one,
                [context](Request& r) { return Delete(context, r); });
    AddMutation(
        router, http::verb::post,
        std::string("/{internal_tenant_id}/deployments/service/{") + kDeploymentIdParam + "}",
        [context](Request& r) { return ServiceOperation(context, r); });
    AddMutation(router, http::verb::post, "/{internal_tenant_id}/deployments/vm/{vm_name}",
                [context](Request& r) { return VmOperation(context, r); });
    AddMutation(router, http::verb::post, "/{internal_tenant_id}/deployments/recovery-vm/{vm_name}",
                [context](Request& r) { return RecoveryVm(context, r); });
}

}  // namespace escd::server::handlers
