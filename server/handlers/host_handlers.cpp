#include "server/handlers/host_handlers.hpp"

#include <algorithm>
#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/xml_doc.hpp"
#include "server/handlers/mutation.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

std::string StatusDocument(const std::string& host, bool schedulable) {
    pugi::xml_document doc;
    auto root = doc.append_child("host_status");
    xml::AppendText(root, "host_name", host);
    xml::AppendText(root, "status", schedulable ? "ENABLED" : "DISABLED");
    xml::AppendBool(root, "schedulable", schedulable);
    return xml::Serialize(doc);
}

std::string EventDocument(const std::string& host, bool schedulable, const std::string& message) {
    pugi::xml_document doc;
    auto root = doc.append_child("esc_event");
    root.append_attribute("xmlns").set_value(xml::kEscNs);
    xml::AppendText(root, "status", "SUCCESS");
    xml::AppendText(root, "status_code", "200");
    xml::AppendText(root, "status_message", message);
    xml::AppendText(root, "host_name", host);
    auto event = root.append_child("event");
    xml::AppendText(event, "type", schedulable ? "HOST_ENABLED" : "HOST_DISABLED");
    return xml::Serialize(doc);
}

// The VIM must know the host: escd never invents hosts.
asio::awaitable<void> RequireHost(HostContext& context, const std::string& host) {
    model::ValidateName(host, model::kMaxNameLength, "hostName");
    auto hosts = co_await context.vim.ListHosts();
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
        throw Error(ErrorCode::kNotFound, "host " + host + " is not known to the VIM");
    }
}

asio::awaitable<Response> Status(const std::shared_ptr<HostContext>& context,
                                 const std::string& host) {
    co_await RequireHost(*context, host);
    bool schedulable = co_await context->hosts.HostSchedulable(host);
    Response response;
    response.body = StatusDocument(host, schedulable);
    co_return response;
}

asio::awaitable<Accepted> Switch(const std::shared_ptr<HostContext>& context,
                                 Request& request,
                                 bool schedulable) {
    const auto& host = request.Param("hostName");
    auto op = NewOperation(
        request,
        schedulable ? model::OperationKind::kHostEnabled : model::OperationKind::kHostDisabled,
        model::TargetKind::kHost, host,
        /*callback_required=*/false);
    if (op.events_url.empty())
        throw Error(ErrorCode::kBadRequest, "missing Callback-ESC-Events header");
    co_await RequireHost(*context, host);
    const std::string message = "Host " + host + (schedulable ? " enabled" : " disabled");
    const std::vector<model::OutboxMessage> events{{op.events_url, std::string(model::KindText(op)),
                                                    200, message,
                                                    EventDocument(host, schedulable, message)}};
    auto rows = co_await context->hosts.SetHostSchedulable(host, schedulable, op, events);
    co_return Finished(op, StatusDocument(host, schedulable), std::move(rows));
}
}  // namespace

void RegisterHostRoutes(Router& router, HostContext context) {
    auto shared = std::make_shared<HostContext>(context);
    router.Add(http::verb::get, "/hosts/{hostName}/status",
               [shared](Request& r) { return Status(shared, r.Param("hostName")); });
    AddMutation(router, http::verb::post, "/hosts/{hostName}/disable",
                [shared](Request& r) { return Switch(shared, r, false); });
    AddMutation(router, http::verb::post, "/hosts/{hostName}/enable",
                [shared](Request& r) { return Switch(shared, r, true); });
}

}  // namespace escd::server::handlers
