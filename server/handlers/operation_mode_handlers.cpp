#include "server/handlers/operation_mode_handlers.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

Response ModeDocument(orchestrator::Mode mode, const std::string& message) {
    pugi::xml_document doc;
    auto root = doc.append_child("operation_mode");
    xml::AppendText(root, "mode", orchestrator::ToString(mode));
    xml::AppendText(root, "message", message);
    Response response;
    response.body = xml::Serialize(doc);
    return response;
}

std::string Describe(orchestrator::Mode mode) {
    return mode == orchestrator::Mode::kMaintenance
               ? "escd is in MAINTENANCE mode: mutating requests are refused (503), running "
                 "operations finish"
               : "escd is in OPERATION mode";
}
}  // namespace

void RegisterOperationModeRoutes(Router& router, orchestrator::OperationMode& mode) {
    router.Add(http::verb::get, "/operationmode", [&mode](Request&) -> asio::awaitable<Response> {
        co_return ModeDocument(mode.Current(), Describe(mode.Current()));
    });
    router.Add(
        http::verb::post, "/operationmode/{escOpMode}",
        [&mode](Request& request) -> asio::awaitable<Response> {
            const auto& text = request.Param("escOpMode");
            auto wanted = orchestrator::ParseMode(text);
            if (!wanted) {
                throw Error(ErrorCode::kBadRequest, "unknown operation mode '" +
                                                        text.substr(0, 40) +
                                                        "': use MAINTENANCE or OPERATION");
            }
            co_await mode.Set(*wanted);
            co_return ModeDocument(*wanted,
                                   "Set mode to " + std::string(orchestrator::ToString(*wanted)));
        },
        RouteOptions{.allowed_in_maintenance = true});
}

}  // namespace escd::server::handlers
