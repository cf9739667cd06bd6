#include "server/handlers/node_handlers.hpp"

#include <pugixml.hpp>

#include "model/xml/xml_doc.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

asio::awaitable<Response> ListNodes(const NodeContext& context) {
    const auto nodes = co_await context.nodes.ListNodes(context.membership.options().lease);
    const auto self = context.membership.node_id();
    pugi::xml_document doc;
    auto root = doc.append_child("nodes");
    for (const auto& node : nodes) {
        auto element = root.append_child("node");
        xml::AppendText(element, "node_id", node.node_id);
        xml::AppendText(element, "name", node.name);
        xml::AppendText(element, "health", ToString(node.health));
        xml::AppendBool(element, "this_node", node.node_id == self);
        xml::AppendText(element, "leases", std::to_string(node.leases));
        xml::AppendText(element, "started_at", xml::Iso8601(node.started_at));
        xml::AppendText(element, "heartbeat_at", xml::Iso8601(node.heartbeat_at));
        if (node.stopped_at) xml::AppendText(element, "stopped_at", xml::Iso8601(*node.stopped_at));
    }
    Response response;
    response.body = xml::Serialize(doc);
    co_return response;
}
}  // namespace

void RegisterNodeRoutes(Router& router, NodeContext context) {
    router.Add(http::verb::get, "/nodes", [context](Request&) { return ListNodes(context); });
}

}  // namespace escd::server::handlers
