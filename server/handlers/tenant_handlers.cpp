#include "server/handlers/tenant_handlers.hpp"

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/tenant_xml.hpp"
#include "server/handlers/mutation.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;
constexpr const char* kTenantIdParam = "internal_tenant_id";
constexpr auto kTenantKind = model::ResourceKind::kTenant;

xml::TenantView ViewOf(const model::ResourceRecord& record) {
    return {xml::TenantSpecFromStored(record.spec), record.external_id};
}

asio::awaitable<Response> ListTenants(model::ResourceStore& resources) {
    const std::optional<std::string> any_tenant;
    auto records = co_await resources.ListResources(kTenantKind, any_tenant);
    std::vector<xml::TenantView> views;
    views.reserve(records.size());
    for (const auto& record : records) views.push_back(ViewOf(record));
    Response response;
    response.body = xml::TenantListDocument(views);
    co_return response;
}

asio::awaitable<Response> GetTenant(model::ResourceStore& resources, const std::string& id) {
    model::ValidateInternalId(id, kTenantIdParam);
    auto record = co_await resources.GetResource(kTenantKind, id);
    if (!record) throw Error(ErrorCode::kNotFound, "tenant " + id + " not found");
    Response response;
    response.body = xml::TenantDocument(ViewOf(*record), {});
    co_return response;
}

asio::awaitable<Accepted> CreateTenant(model::ResourceStore& resources, Request& request) {
    const auto& id = request.Param(kTenantIdParam);
    RequireXmlBody(request);
    auto spec = xml::ParseTenantRequest(request.Body(), id);
    auto op =
        NewOperation(request, model::OperationKind::kCreateTenant, model::TargetKind::kTenant, id,
                     /*callback_required=*/true);
    auto stored = xml::StoredTenantSpec(spec);
    op.payload = stored;
    model::ResourceRecord record{model::ResourceKind::kTenant,    id, {},     spec.name,
                                 model::ResourceState::kCreating, {}, stored, {}};
    co_await resources.AcceptCreate(record, op);
    co_return ToRun(std::move(op), xml::TenantDocument({spec, {}}, {}));
}

asio::awaitable<Accepted> UpdateTenant(model::ResourceStore& resources, Request& request) {
    const auto& id = request.Param(kTenantIdParam);
    RequireXmlBody(request);
    auto spec = xml::ParseTenantRequest(request.Body(), id);
    auto op =
        NewOperation(request, model::OperationKind::kUpdateTenant, model::TargetKind::kTenant, id,
                     /*callback_required=*/true);
    op.payload = xml::StoredTenantSpec(spec);
    co_await resources.AcceptUpdate(model::ResourceKind::kTenant, op.target_id, op);
    co_return ToRun(std::move(op), xml::TenantDocument({spec, {}}, {}));
}

asio::awaitable<Accepted> DeleteTenant(model::ResourceStore& resources, Request& request) {
    const auto& id = request.Param(kTenantIdParam);
    model::ValidateInternalId(id, kTenantIdParam);
    auto op =
        NewOperation(request, model::OperationKind::kDeleteTenant, model::TargetKind::kTenant, id,
                     /*callback_required=*/true);
    co_await resources.AcceptDelete(model::ResourceKind::kTenant, op.target_id, op);
    // Echo the tenant being deleted (docs/decisions.md#a-delete-echoes-what-it-deletes); it stays
    // stored until the work has run, and the work starts only after this answer.
    auto record = co_await resources.GetResource(kTenantKind, id);
    std::string body = record ? xml::TenantDocument(ViewOf(*record), {}) : std::string();
    co_return ToRun(std::move(op), std::move(body));
}
}  // namespace

void RegisterTenantRoutes(Router& router, model::ResourceStore& resources) {
    const std::string one = std::string("/tenants/{") + kTenantIdParam + "}";
    router.Add(http::verb::get, "/tenants",
               [&resources](Request&) { return ListTenants(resources); });
    router.Add(http::verb::get, one,
               [&resources](Request& r) { return GetTenant(resources, r.Param(kTenantIdParam)); });
    AddMutation(router, http::verb::post, one,
                [&resources](Request& r) { return CreateTenant(resources, r); });
    AddMutation(router, http::verb::put, one,
                [&resources](Request& r) { return UpdateTenant(resources, r); });
    AddMutation(router, http::verb::delete_, one,
                [&resources](Request& r) { return DeleteTenant(resources, r); });
}

}  // namespace escd::server::handlers
