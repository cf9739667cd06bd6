#include "server/handlers/system_state_handlers.hpp"

#include <cctype>
#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

enum class StateName { kOperationMode, kVimConnection, kNotifierBacklog };

StateName ParseName(const std::string& text) {
    std::string upper;
    for (char c : text.substr(0, 64))
        upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (upper == "OPERATION_MODE") return StateName::kOperationMode;
    if (upper == "VIM_CONNECTION") return StateName::kVimConnection;
    if (upper == "NOTIFIER_BACKLOG") return StateName::kNotifierBacklog;
    throw Error(ErrorCode::kNotFound,
                "no system state named '" + text.substr(0, 64) +
                    "' (known: OPERATION_MODE, VIM_CONNECTION, NOTIFIER_BACKLOG)");
}

Response StateDocument(std::string_view name, std::string_view state, const std::string& details) {
    pugi::xml_document doc;
    auto root = doc.append_child("system_state");
    xml::AppendText(root, "name", name);
    xml::AppendText(root, "state", state);
    xml::AppendText(root, "details", details);
    Response response;
    response.body = xml::Serialize(doc);
    return response;
}

asio::awaitable<Response> Describe(const std::shared_ptr<SystemStateContext>& context,
                                   StateName name) {
    switch (name) {
        case StateName::kOperationMode:
            co_return StateDocument(
                "OPERATION_MODE", orchestrator::ToString(context->mode.Current()),
                context->mode.InMaintenance() ? "mutating requests are refused (503)"
                                              : "serving every request");
        case StateName::kVimConnection: {
            auto status = co_await context->vim.CheckStatus();
            co_return StateDocument(
                "VIM_CONNECTION", status.reachable ? "CONNECTED" : "DISCONNECTED", status.message);
        }
        case StateName::kNotifierBacklog:
            co_return StateDocument(
                "NOTIFIER_BACKLOG", std::to_string(context->notifier.Backlog()),
                "callbacks accepted for delivery and not yet delivered or abandoned");
    }
    throw Error(ErrorCode::kInternal, "unknown system state");
}

asio::awaitable<Response> Reset(const std::shared_ptr<SystemStateContext>& context,
                                StateName name) {
    switch (name) {
        case StateName::kOperationMode:
            co_await context->mode.Set(orchestrator::Mode::kOperation);
            break;
        case StateName::kVimConnection: {
            auto status = co_await context->vim.Reconnect();
            co_return StateDocument(
                "VIM_CONNECTION", status.reachable ? "CONNECTED" : "DISCONNECTED", status.message);
        }
        case StateName::kNotifierBacklog:
            context->notifier.RetryNow();
            break;
    }
    co_return co_await Describe(context, name);
}
}  // namespace

void RegisterSystemStateRoutes(Router& router, SystemStateContext context) {
    auto shared = std::make_shared<SystemStateContext>(context);
    router.Add(http::verb::get, "/systemstate/{name}",
               [shared](Request& r) { return Describe(shared, ParseName(r.Param("name"))); });
    router.Add(
        http::verb::post, "/systemstate/{name}/reset",
        [shared](Request& r) { return Reset(shared, ParseName(r.Param("name"))); },
        RouteOptions{.allowed_in_maintenance = true});
}

}  // namespace escd::server::handlers
