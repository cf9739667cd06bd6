#include "vim/openstack/routers.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "common/log.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
// The device_owner of a router's interface ports: plain, DVR and HA routers.
bool IsInterface(const Port& port) {
    return port.device_owner == "network:router_interface" ||
           port.device_owner == "network:router_interface_distributed" ||
           port.device_owner == "network:ha_router_replicated_interface";
}
}  // namespace

asio::awaitable<std::optional<Router>> Routers::FindRouter(std::string internal_id) {
    const auto token = co_await session_.keystone().Current();
    const auto answer =
        co_await session_.Call("network", http::verb::get,
                               "/v2.0/routers?name=" + QueryValue(ObjectName(internal_id)) +
                                   "&project_id=" + QueryValue(token.project_id));
    auto routers = ParseRouters(answer.body);
    if (routers.empty()) co_return std::nullopt;
    co_return std::move(routers.front());
}

asio::awaitable<std::vector<Port>> Routers::Interfaces(std::string router_id) {
    const auto answer = co_await session_.Call("network", http::verb::get,
                                               "/v2.0/ports?device_id=" + QueryValue(router_id));
    auto ports = ParsePorts(answer.body);
    std::erase_if(ports, [](const Port& port) { return !IsInterface(port); });
    co_return ports;
}

asio::awaitable<std::vector<std::string>> Routers::InterfaceSubnets(std::string router_id) {
    std::vector<std::string> out;
    const auto ports = co_await Interfaces(router_id);
    for (const auto& port : ports)
        for (const auto& ip : port.fixed_ips) out.push_back(ip.subnet_id);
    co_return out;
}

asio::awaitable<std::string> Routers::EnsureRouter(RouterRequest request) {
    const auto name = ObjectName(request.internal_id);
    auto router = co_await FindRouter(request.internal_id);
    if (!router) {
        const auto created = co_await session_.Call("network", http::verb::post, "/v2.0/routers",
                                                    RouterBody(request));
        router = Router{IdIn(created.body, "router"), name, request.admin_state};
        ESCD_INFO("vim") << "created Neutron router " << name << " " << router->id;
    } else if (router->admin_state_up != request.admin_state) {
        const auto body = json::serialize(
            json::object{{"router", json::object{{"admin_state_up", request.admin_state}}}});
        co_await session_.Call("network", http::verb::put, "/v2.0/routers/" + router->id, body);
    }
    const auto path = "/v2.0/routers/" + router->id;
    const std::set<std::string> wanted(request.subnet_external_ids.begin(),
                                       request.subnet_external_ids.end());
    std::set<std::string> present;
    // Extra interfaces go first: a subnet replaced by one of an overlapping range can then be
    // added (Neutron refuses overlapping subnets on one router).
    const auto subnets = co_await InterfaceSubnets(router->id);
    for (const auto& subnet : subnets) {
        if (wanted.contains(subnet)) {
            present.insert(subnet);
            continue;
        }
        co_await session_.Call("network", http::verb::put, path + "/remove_router_interface",
                               RouterInterfaceBody(subnet), kGoneIsAnAnswer);
        ESCD_INFO("vim") << "removed the interface on subnet " << subnet << " of router " << name;
    }
    for (const auto& subnet : request.subnet_external_ids) {
        if (present.contains(subnet)) continue;
        co_await session_.Call("network", http::verb::put, path + "/add_router_interface",
                               RouterInterfaceBody(subnet));
        present.insert(subnet);
        ESCD_INFO("vim") << "added an interface on subnet " << subnet << " to router " << name;
    }
    co_return router->id;
}

asio::awaitable<void> Routers::DeleteRouter(std::string router_id) {
    const auto path = "/v2.0/routers/" + QueryValue(router_id);
    const auto subnets = co_await InterfaceSubnets(router_id);
    for (const auto& subnet : subnets) {
        co_await session_.Call("network", http::verb::put, path + "/remove_router_interface",
                               RouterInterfaceBody(subnet), kGoneIsAnAnswer);
    }
    co_await session_.Call("network", http::verb::delete_, path, std::string(), kGoneIsAnAnswer);
    ESCD_INFO("vim") << "deleted Neutron router " << router_id;
}

}  // namespace escd::vim::openstack
