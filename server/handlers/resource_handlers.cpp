#include "server/handlers/resource_handlers.hpp"

#include <memory>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/resource_xml.hpp"
#include "orchestrator/engine/operation_catalog.hpp"
#include "server/handlers/mutation.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;
using model::ResourceRecord;
using model::ResourceState;
constexpr const char* kTenantParam = "internalTenantId";
constexpr const char* kResourceIdParam = "id";

// How a kind is exposed: its path segment, whether it lives under a tenant, its verbs.
struct Exposure {
    model::ResourceKind kind;
    const char* segment;  ///< "networks"
    bool tenant_scoped;
    bool updatable;      ///< has PUT (others answer PUT with 406, see Immutable)
    bool on_vim;         ///< a create needs the VIM to answer
    const char* filter;  ///< list filter header ("internalNetworkId") or nullptr
};
constexpr Exposure kExposures[] = {
    {model::ResourceKind::kNetwork, "networks", true, true, true, nullptr},
    {model::ResourceKind::kSubnet, "subnets", true, true, true, "internalNetworkId"},
    {model::ResourceKind::kVolume, "volumes", true, false, true, nullptr},
    {model::ResourceKind::kRouter, "routers", true, true, true, nullptr},
    {model::ResourceKind::kImage, "images", false, false, false, nullptr},
    {model::ResourceKind::kFlavor, "flavors", false, false, false, nullptr},
    {model::ResourceKind::kFileServer, "fileserver", false, true, false, nullptr},
};

struct Context {
    orchestrator::Engine& engine;
    model::ResourceStore& resources;
    const Exposure& exposure;
    const xml::KindXml& kind;
};
using ContextPtr = std::shared_ptr<const Context>;

std::string TenantOf(const Context& c, const Request& request) {
    if (!c.exposure.tenant_scoped) return {};
    const auto& tenant = request.Param(kTenantParam);
    model::ValidateInternalId(tenant, "internal_tenant_id");
    return tenant;
}

std::string Noun(const Context& c) {
    return std::string(c.kind.noun);
}

[[noreturn]] void NotFound(const Context& c, const std::string& id, const std::string& tenant) {
    throw Error(ErrorCode::kNotFound,
                Noun(c) + " " + id + " not found" + (tenant.empty() ? "" : " in tenant " + tenant));
}

// The record of `id`, which must belong to `tenant` (tenant-scoped kinds); 404 otherwise.
asio::awaitable<ResourceRecord> Existing(const Context& c,
                                         const std::string& id,
                                         const std::string& tenant) {
    model::ValidateInternalId(id, c.kind.id_element);
    auto record = co_await c.resources.GetResource(c.kind.kind, id);
    if (!record || record->tenant_id != tenant) NotFound(c, id, tenant);
    co_return std::move(*record);
}

asio::awaitable<void> RequireTenant(const Context& c, const std::string& tenant) {
    if (tenant.empty()) co_return;
    const auto tenant_kind = model::ResourceKind::kTenant;
    auto record = co_await c.resources.GetResource(tenant_kind, tenant);
    if (!record) throw Error(ErrorCode::kNotFound, "tenant " + tenant + " not found");
}

model::OperationKind KindOfOperation(const Context& c, ResourceState running) {
    return *orchestrator::ResourceOperationKind(running, c.kind.kind);
}

asio::awaitable<Response> List(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    co_await RequireTenant(*c, tenant);
    const auto kind = c->kind.kind;
    std::string parent;
    if (c->exposure.filter) {
        parent = std::string(request.Header(c->exposure.filter));
        if (!parent.empty()) {
            model::ValidateInternalId(parent, c->exposure.filter);
            const auto network_kind = model::ResourceKind::kNetwork;
            auto network = co_await c->resources.GetResource(network_kind, parent);
            if (!network || network->tenant_id != tenant) {
                throw Error(ErrorCode::kNotFound,
                            "network " + parent + " not found in tenant " + tenant);
            }
        }
    }
    std::vector<ResourceRecord> records;
    if (!parent.empty()) {
        records = co_await c->resources.ListChildren(kind, parent);
    } else {
        const auto of_tenant = tenant.empty() ? std::nullopt : std::optional<std::string>(tenant);
        records = co_await c->resources.ListResources(kind, of_tenant);
    }
    Response response;
    response.body = xml::ResourceListDocument(c->kind, records);
    co_return response;
}

asio::awaitable<Response> Get(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    auto record = co_await Existing(*c, request.Param(kResourceIdParam), tenant);
    Response response;
    response.body = xml::ResourceDocument(c->kind, record, {});
    co_return response;
}

asio::awaitable<Accepted> Create(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    const auto& id = request.Param(kResourceIdParam);
    RequireXmlBody(request);
    auto parsed = xml::ParseResourceRequest(c->kind, request.Body(), tenant, id);
    auto op = NewOperation(request, KindOfOperation(*c, ResourceState::kCreating),
                           model::TargetOf(c->kind.kind), id, /*callback_required=*/true);
    co_await RequireReferences(c->resources, parsed.references, tenant);
    if (c->exposure.on_vim) co_await c->engine.RequireVim();
    op.payload = parsed.spec;
    ResourceRecord record{
        c->kind.kind, id,          tenant,          parsed.name, ResourceState::kCreating,
        {},           parsed.spec, parsed.parent_id};
    co_await c->resources.AcceptCreate(record, op);
    co_return ToRun(std::move(op), xml::ResourceDocument(c->kind, record, {}));
}

asio::awaitable<Accepted> Update(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    const auto& id = request.Param(kResourceIdParam);
    RequireXmlBody(request);
    auto parsed = xml::ParseResourceRequest(c->kind, request.Body(), tenant, id);
    auto op = NewOperation(request, KindOfOperation(*c, ResourceState::kUpdating),
                           model::TargetOf(c->kind.kind), id, /*callback_required=*/true);
    auto record = co_await Existing(*c, id, tenant);
    if (record.parent_id != parsed.parent_id) {
        // A subnet stays in its network (the VIM cannot move one).
        throw Error(ErrorCode::kBadRequest, Noun(*c) + " " + id + " belongs to " +
                                                record.parent_id + "; it cannot move to " +
                                                parsed.parent_id);
    }
    co_await RequireReferences(c->resources, parsed.references, tenant);
    op.payload = parsed.spec;
    co_await c->resources.AcceptUpdate(c->kind.kind, op.target_id, op);
    record.spec = parsed.spec;
    record.name = parsed.name;
    co_return ToRun(std::move(op), xml::ResourceDocument(c->kind, record, {}));
}

// Images, flavors and volumes cannot be changed in place on a VIM (an OpenStack flavor is
// immutable, an image's bytes are fixed once uploaded): the reference's 406 "Operation not
// supported on VIM", with the way forward.
asio::awaitable<Response> Immutable(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    co_await Existing(*c, request.Param(kResourceIdParam), tenant);
    throw Error(ErrorCode::kNotSupported, "Operation not supported on VIM: a " +
                                              std::string(c->kind.root) +
                                              " cannot be updated; delete it and create it again");
}

asio::awaitable<Accepted> Delete(const ContextPtr& c, Request& request) {
    auto tenant = TenantOf(*c, request);
    const auto& id = request.Param(kResourceIdParam);
    auto op = NewOperation(request, KindOfOperation(*c, ResourceState::kDeleting),
                           model::TargetOf(c->kind.kind), id, /*callback_required=*/true);
    auto record = co_await Existing(*c, id, tenant);
    co_await c->resources.AcceptDelete(c->kind.kind, op.target_id, op);
    // Echo what is being deleted; it stays stored until the work has run.
    co_return ToRun(std::move(op), xml::ResourceDocument(c->kind, record, {}));
}
}  // namespace

void RegisterResourceRoutes(Router& router,
                            orchestrator::Engine& engine,
                            model::ResourceStore& resources) {
    for (const auto& exposure : kExposures) {
        const auto* kind = xml::FindKindXml(exposure.kind);
        if (!kind)
            throw std::logic_error(std::string("no XML mapping for ") +
                                   std::string(ToString(exposure.kind)));
        auto context = std::make_shared<const Context>(Context{engine, resources, exposure, *kind});
        const std::string list =
            (exposure.tenant_scoped ? std::string("/{") + kTenantParam + "}/" : std::string("/")) +
            exposure.segment;
        const std::string one = list + "/{" + kResourceIdParam + "}";
        router.Add(http::verb::get, list, [context](Request& r) { return List(context, r); });
        router.Add(http::verb::get, one, [context](Request& r) { return Get(context, r); });
        AddMutation(router, http::verb::post, one,
                    [context](Request& r) { return Create(context, r); });
        if (exposure.updatable) {
            AddMutation(router, http::verb::put, one,
                        [context](Request& r) { return Update(context, r); });
        } else {
            router.Add(http::verb::put, one,
                       [context](Request& r) { return Immutable(context, r); });
        }
        AddMutation(router, http::verb::delete_, one,
                    [context](Request& r) { return Delete(context, r); });
    }
}

}  // namespace escd::server::handlers
