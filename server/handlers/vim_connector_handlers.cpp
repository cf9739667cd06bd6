#include "server/handlers/vim_connector_handlers.hpp"

#include <chrono>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/sync_wait.hpp"
#include "model/xml/vim_connector_xml.hpp"
#include "server/handlers/mutation.hpp"
#include "server/query.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

vim::openstack::Properties Pairs(const std::vector<model::VimProperty>& properties) {
    vim::openstack::Properties out;
    for (const auto& p : properties) out.emplace_back(p.name, p.value);
    return out;
}
using SharedContext = std::shared_ptr<VimConnectorContext>;

constexpr const char* kVimIdParam = "vim_id";
constexpr const char* kUserIdParam = "vim_user_id";

const std::string& VimIdFrom(const Request& request) {
    const auto& id = request.Param(kVimIdParam);
    model::ValidateVimConnectorId(id);
    return id;
}

// Account names may hold characters a client percent-encodes ("svc%40example.com").
std::string UserIdFrom(const Request& request) {
    auto id = PercentDecode(request.Param(kUserIdParam));
    model::ValidateVimUserId(id);
    return id;
}

std::vector<model::OutboxMessage> CallbackFor(const model::Operation& op,
                                              const std::string& message,
                                              std::string body) {
    if (op.callback_url.empty()) return {};
    return {{op.callback_url, std::string(model::KindText(op)), 200, message, std::move(body)}};
}

Response Document(std::string body) {
    Response response;
    response.body = std::move(body);
    return response;
}

asio::awaitable<model::VimConnector> ReadConnector(const SharedContext& context,
                                                   const std::string& id) {
    auto found = co_await context->store.GetVimConnector(id);
    if (!found) throw Error(ErrorCode::kNotFound, "VIM connector " + id + " not found");
    co_return std::move(*found);
}

// Connectors --------------------------------------------------------------------------------

// Awaited results go to named locals: g++ 12 may destroy a temporary of a co_await
// full-expression twice (README, "Coroutine parameters").
asio::awaitable<Response> ListConnectors(const SharedContext& context) {
    const auto connectors = co_await context->store.ListVimConnectors();
    co_return Document(xml::VimConnectorListDocument(connectors));
}

asio::awaitable<Response> GetConnector(const SharedContext& context, Request& request) {
    const auto& id = VimIdFrom(request);
    const auto connector = co_await ReadConnector(context, id);
    co_return Document(xml::VimConnectorDocument(connector, {}));
}

// The engine's set of VIMs reads the change before the answer goes out: a request that follows
// the answer (a deployment on a new connector) finds it.
asio::awaitable<void> VimsChanged(const SharedContext& context) {
    if (context->vims_changed) co_await context->vims_changed();
}

asio::awaitable<Accepted> CreateConnector(const SharedContext& context, Request& request) {
    RequireXmlBody(request);
    const auto connector = xml::ParseVimConnectorRequest(request.Body(), {});
    const auto op = NewOperation(request, model::OperationKind::kCreateVimConnector,
                                 model::TargetKind::kVimConnector, connector.id,
                                 /*callback_required=*/true);
    const std::string message = "VIM Connector successfully created";
    const auto callbacks =
        CallbackFor(op, message, xml::VimConnectorDocument(connector, model::KindText(op)));
    auto rows = co_await context->store.CreateVimConnector(connector, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimConnectorDocument(connector, {}), std::move(rows));
}

asio::awaitable<Accepted> UpdateConnector(const SharedContext& context, Request& request) {
    const auto& id = VimIdFrom(request);
    RequireXmlBody(request);
    const auto connector = xml::ParseVimConnectorRequest(request.Body(), id);
    const auto op = NewOperation(request, model::OperationKind::kUpdateVimConnector,
                                 model::TargetKind::kVimConnector, id,
                                 /*callback_required=*/true);
    const std::string message = "VIM Connector successfully updated";
    const auto callbacks =
        CallbackFor(op, message, xml::VimConnectorDocument(connector, model::KindText(op)));
    auto rows = co_await context->store.UpdateVimConnector(connector, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimConnectorDocument(connector, {}), std::move(rows));
}

asio::awaitable<Accepted> DeleteConnector(const SharedContext& context, Request& request) {
    const auto& id = VimIdFrom(request);
    const auto op = NewOperation(request, model::OperationKind::kDeleteVimConnector,
                                 model::TargetKind::kVimConnector, id,
                                 /*callback_required=*/true);
    // The callback and the answer show what is deleted; the store re-checks under its lock.
    const auto connector = co_await ReadConnector(context, id);
    const std::string message = "VIM Connector successfully deleted";
    const auto callbacks =
        CallbackFor(op, message, xml::VimConnectorDocument(connector, model::KindText(op)));
    auto rows = co_await context->store.DeleteVimConnector(id, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimConnectorDocument(connector, {}), std::move(rows));
}

asio::awaitable<Response> GetDefault(const SharedContext& context) {
    const auto connectors = co_await context->store.ListVimConnectors();
    for (const auto& connector : connectors) {
        if (connector.is_default)
            co_return Document(xml::DefaultVimConnectorDocument(connector.id, {}));
    }
    throw Error(ErrorCode::kNotFound, "no VIM connector is the default");
}

asio::awaitable<Accepted> SetDefault(const SharedContext& context, Request& request) {
    RequireXmlBody(request);
    const auto id = xml::ParseDefaultVimConnectorRequest(request.Body());
    const auto op = NewOperation(request, model::OperationKind::kSetDefaultVimConnector,
                                 model::TargetKind::kVimConnector, id,
                                 /*callback_required=*/true);
    const std::string message = "Default VIM Connector successfully set";
    const auto callbacks =
        CallbackFor(op, message, xml::DefaultVimConnectorDocument(id, model::KindText(op)));
    auto rows = co_await context->store.SetDefaultVimConnector(id, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::DefaultVimConnectorDocument(id, {}), std::move(rows));
}

// The connection status of `connector`, checked now.
asio::awaitable<vim::VimStatus> Probe(const SharedContext& context,
                                      const model::VimConnector& connector) {
    if (connector.type == model::VimType::kOpenstack) {
        if (!context->check_openstack)
            co_return vim::VimStatus{false, "escd cannot check OpenStack VIMs here"};
        // The connector's VIM user authenticates (ESC has one per VIM; the first one counts).
        const auto users = co_await context->store.ListVimUsers(connector.id);
        vim::openstack::Credentials credentials;
        try {
            credentials = CredentialsOf(connector, users, context->openstack_endpoint);
        } catch (const Error& e) {
            co_return vim::VimStatus{false, e.what()};
        }
        co_return co_await context->check_openstack(std::move(credentials));
    }
    const auto uri = model::PlainProperty(connector.properties, "uri").value_or(context->vim_uri);
    // escd's own hypervisor: ask the adapter that serves it rather than opening a second
    // connection.
    if (uri == context->vim_uri) co_return co_await context->vim.CheckStatus();
    if (!context->check_libvirt_uri)
        co_return vim::VimStatus{false, "escd cannot check libvirt URIs other than its own"};
    co_return co_await context->check_libvirt_uri(uri);
}

asio::awaitable<Accepted> CheckStatus(const SharedContext& context, Request& request) {
    const auto& id = VimIdFrom(request);
    const auto op = NewOperation(request, model::OperationKind::kCheckVimConnectorStatus,
                                 model::TargetKind::kVimConnector, id,
                                 /*callback_required=*/false);
    auto connector = co_await ReadConnector(context, id);
    const auto status = co_await Probe(context, connector);
    connector.status = model::VimConnectorStatus{status.reachable, status.message,
                                                 std::chrono::system_clock::now()};
    const auto& recorded = *connector.status;
    const std::string message =
        "VIM Connector " + id + " status: " + std::string(xml::StatusName(recorded));
    const auto callbacks =
        CallbackFor(op, message, xml::VimConnectorDocument(connector, model::KindText(op)));
    auto rows =
        co_await context->store.RecordVimConnectorStatus(id, recorded, op, message, callbacks);
    co_return Finished(op, xml::VimConnectorDocument(connector, {}), std::move(rows));
}

// VIM users ---------------------------------------------------------------------------------

asio::awaitable<Response> ListUsers(const SharedContext& context, Request& request) {
    const auto& vim_id = VimIdFrom(request);
    auto users = co_await context->store.ListVimUsers(vim_id);
    co_return Document(xml::VimUserListDocument(users));
}

asio::awaitable<Response> GetUser(const SharedContext& context, Request& request) {
    const auto& vim_id = VimIdFrom(request);
    const auto user_id = UserIdFrom(request);
    const auto user = co_await context->store.GetVimUser(vim_id, user_id);
    co_return Document(xml::VimUserDocument(user, {}));
}

std::string UserTarget(const model::VimUser& user) {
    return user.vim_id + "/" + user.id;
}

asio::awaitable<Accepted> CreateUser(const SharedContext& context, Request& request) {
    const auto& vim_id = VimIdFrom(request);
    RequireXmlBody(request);
    const auto user = xml::ParseVimUserRequest(request.Body(), vim_id, {});
    const auto op = NewOperation(request, model::OperationKind::kCreateVimUser,
                                 model::TargetKind::kVimUser, UserTarget(user),
                                 /*callback_required=*/true);
    const std::string message = "VIM User successfully created";
    const auto callbacks =
        CallbackFor(op, message, xml::VimUserDocument(user, model::KindText(op)));
    auto rows = co_await context->store.CreateVimUser(user, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimUserDocument(user, {}), std::move(rows));
}

asio::awaitable<Accepted> UpdateUser(const SharedContext& context, Request& request) {
    const auto& vim_id = VimIdFrom(request);
    const auto user_id = UserIdFrom(request);
    RequireXmlBody(request);
    const auto user = xml::ParseVimUserRequest(request.Body(), vim_id, user_id);
    const auto op = NewOperation(request, model::OperationKind::kUpdateVimUser,
                                 model::TargetKind::kVimUser, UserTarget(user),
                                 /*callback_required=*/true);
    const std::string message = "VIM User successfully updated";
    const auto callbacks =
        CallbackFor(op, message, xml::VimUserDocument(user, model::KindText(op)));
    auto rows = co_await context->store.UpdateVimUser(user, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimUserDocument(user, {}), std::move(rows));
}

asio::awaitable<Accepted> DeleteUser(const SharedContext& context, Request& request) {
    const auto& vim_id = VimIdFrom(request);
    const auto user_id = UserIdFrom(request);
    const auto op = NewOperation(request, model::OperationKind::kDeleteVimUser,
                                 model::TargetKind::kVimUser, vim_id + "/" + user_id,
                                 /*callback_required=*/true);
    const auto user = co_await context->store.GetVimUser(vim_id, user_id);
    const std::string message = "VIM User successfully deleted";
    const auto callbacks =
        CallbackFor(op, message, xml::VimUserDocument(user, model::KindText(op)));
    auto rows = co_await context->store.DeleteVimUser(vim_id, user_id, op, message, callbacks);
    co_await VimsChanged(context);
    co_return Finished(op, xml::VimUserDocument(user, {}), std::move(rows));
}

void PreloadOwnVim(VimConnectorContext& context) {
    model::VimConnector own;
    own.id = model::kOwnVimConnectorId;
    own.type = model::VimType::kLibvirt;
    own.properties.push_back({"uri", context.vim_uri, false});
    if (SyncWait(context.store.PreloadVimConnector(own))) {
        ESCD_INFO("vim") << "preloaded VIM connector " << own.id << " for " << context.vim_uri;
    }
}
}  // namespace

vim::openstack::Credentials CredentialsOf(const model::VimConnector& connector,
                                          const std::vector<model::VimUser>& users,
                                          const std::string& interface) {
    return vim::openstack::CredentialsFrom(
        Pairs(connector.properties), users.empty() ? "" : users.front().id,
        users.empty() ? vim::openstack::Properties{} : Pairs(users.front().credentials), interface);
}

void RegisterVimConnectorRoutes(Router& router, VimConnectorContext context) {
    PreloadOwnVim(context);
    auto shared = std::make_shared<VimConnectorContext>(std::move(context));
    const std::string one = std::string("/vims/{") + kVimIdParam + "}";
    const std::string users = one + "/vim_users";
    const std::string user = users + "/{" + kUserIdParam + "}";

    router.Add(http::verb::get, "/vims", [shared](Request&) { return ListConnectors(shared); });
    AddMutation(router, http::verb::post, "/vims",
                [shared](Request& r) { return CreateConnector(shared, r); });
    // Literal segments win over {vim_id} (server/router.cpp).
    router.Add(http::verb::get, "/vims/default_vim_connector",
               [shared](Request&) { return GetDefault(shared); });
    AddMutation(router, http::verb::post, "/vims/default_vim_connector",
                [shared](Request& r) { return SetDefault(shared, r); });
    router.Add(http::verb::get, one, [shared](Request& r) { return GetConnector(shared, r); });
    AddMutation(router, http::verb::put, one,
                [shared](Request& r) { return UpdateConnector(shared, r); });
    AddMutation(router, http::verb::delete_, one,
                [shared](Request& r) { return DeleteConnector(shared, r); });
    AddMutation(router, http::verb::put, one + "/check_status",
                [shared](Request& r) { return CheckStatus(shared, r); });

    router.Add(http::verb::get, users, [shared](Request& r) { return ListUsers(shared, r); });
    AddMutation(router, http::verb::post, users,
                [shared](Request& r) { return CreateUser(shared, r); });
    router.Add(http::verb::get, user, [shared](Request& r) { return GetUser(shared, r); });
    AddMutation(router, http::verb::put, user,
                [shared](Request& r) { return UpdateUser(shared, r); });
    AddMutation(router, http::verb::delete_, user,
                [shared](Request& r) { return DeleteUser(shared, r); });
}

}  // namespace escd::server::handlers
