#include "server/handlers/admin_handlers.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/xml/xml_doc.hpp"
#include "server/admin_password.hpp"
#include "server/errors.hpp"
#include "server/query.hpp"
#include "server/tls_context.hpp"

namespace escd::server::handlers {
namespace {

asio::awaitable<Response> SetPassword(const std::shared_ptr<AdminContext>& context,
                                      Request& request) {
    auto query = ParseQuery(request.query);
    auto user = query.find("userName");
    auto password = query.find("password");
    if (user == query.end() || password == query.end()) {
        throw Error(ErrorCode::kBadRequest,
                    "setpassword needs the query parameters userName and password");
    }
    if (user->second != context->auth.user()) {
        throw Error(ErrorCode::kBadRequest, "unknown user '" + user->second.substr(0, 64) + "'");
    }
    const std::string& new_password = password->second;
    auto hash = co_await StoreNewPassword(context->settings, context->blocking_pool, new_password);
    context->auth.SetPasswordHash(hash);
    ESCD_INFO("auth") << "admin password changed";
    pugi::xml_document doc;
    auto root = doc.append_child("authentication");
    model::xml::AppendText(root, "user", context->auth.user());
    model::xml::AppendText(root, "message", "Password changed");
    Response response;
    response.body = model::xml::Serialize(doc);
    co_return response;
}

asio::awaitable<Response> ReloadTls(const std::shared_ptr<AdminContext>& context) {
    try {
        auto tls = co_await Offload(context->blocking_pool, [&context] {
            return MakeServerTlsContext(context->tls_cert, context->tls_key);
        });
        context->server.SetTlsContext(std::move(tls));
    } catch (const std::exception& e) {
        // Not a client mistake: the files on the server are unusable. The old context stays.
        ESCD_ERROR("server") << "TLS reload failed: " << e.what();
        co_return ErrorResponse(
            500, std::string("Failed to reload the TLS certificate and key: ") + e.what());
    }
    ESCD_INFO("server") << "TLS certificate and key reloaded from " << context->tls_cert;
    Response response;
    response.status = http::status::no_content;
    co_return response;
}

}  // namespace

void RegisterAdminRoutes(Router& router, AdminContext context) {
    auto shared = std::make_shared<AdminContext>(std::move(context));
    const RouteOptions admin{.allowed_in_maintenance = true};
    for (auto method : {http::verb::post, http::verb::put}) {
        router.Add(
            method, "/authentication/setpassword",
            [shared](Request& r) { return SetPassword(shared, r); }, admin);
    }
    router.Add(
        http::verb::put, "/internal/ssl/reload", [shared](Request&) { return ReloadTls(shared); },
        admin);
}

}  // namespace escd::server::handlers
