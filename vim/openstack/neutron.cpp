#include "vim/openstack/neutron.hpp"
#include "vim/openstack/json_fields.hpp"

#include <boost/json.hpp>
#include <set>

#include "common/log.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
json::array ListIn(const std::string& body, std::string_view kind) {
    const auto parsed = ParseAnswer(body, "Neutron", std::string(kind) + " list");
    const auto* list = parsed.as_object().if_contains(kind);
    if (!list || !list->is_array())
        throw VimError(ErrorCode::kVimError,
                       "Neutron's answer has no " + std::string(kind) + " list");
    return list->as_array();
}

}  // namespace

asio::awaitable<std::optional<std::string>> Neutron::FindNetwork(std::string internal_id) {
    const auto answer = co_await session_.Call("network", http::verb::get,
                                               "/v2.0/networks?name=" + ObjectName(internal_id));
    for (const auto& network : ListIn(answer.body, "networks")) {
        auto id = StringAt(network, "id");
        if (!id.empty()) co_return id;
    }
    co_return std::nullopt;
}

asio::awaitable<std::vector<NeutronSubnet>> Neutron::Subnets(std::string network_id) {
    const auto answer = co_await session_.Call("network", http::verb::get,
                                               "/v2.0/subnets?network_id=" + network_id);
    std::vector<NeutronSubnet> out;
    for (const auto& subnet : ListIn(answer.body, "subnets")) {
        NeutronSubnet s;
        s.id = StringAt(subnet, "id");
        s.name = StringAt(subnet, "name");
        s.cidr = StringAt(subnet, "cidr");
        s.gateway_ip = StringAt(subnet, "gateway_ip");
        if (const auto* dhcp = subnet.as_object().if_contains("enable_dhcp");
            dhcp && dhcp->is_bool())
            s.enable_dhcp = dhcp->as_bool();
        out.push_back(std::move(s));
    }
    co_return out;
}

asio::awaitable<std::string> Neutron::EnsureNetwork(const NetworkRequest& request) {
    auto id = co_await FindNetwork(request.internal_id);
    if (!id) {
        const auto created = co_await session_.Call("network", http::verb::post, "/v2.0/networks",
                                                    NetworkBody(request));
        id = IdIn(created.body, "network");
        ESCD_INFO("vim") << "created Neutron network " << ObjectName(request.internal_id) << " "
                         << *id;
    }
    auto present = co_await Subnets(*id);
    // Neutron cannot change a subnet's CIDR: one whose definition changed is made again.
    for (const auto& existing : present) {
        bool wanted = false;
        for (const auto& subnet : request.subnets) {
            wanted =
                wanted || (existing.name == ObjectName(subnet.internal_id) &&
                           existing.cidr == subnet.cidr && existing.gateway_ip == subnet.gateway &&
                           existing.enable_dhcp == subnet.enable_dhcp);
        }
        if (wanted) continue;
        co_await session_.Call("network", http::verb::delete_, "/v2.0/subnets/" + existing.id,
                               std::string(), kGoneIsAnAnswer);
        ESCD_INFO("vim") << "deleted Neutron subnet " << existing.name << " " << existing.id;
    }
    present = co_await Subnets(*id);
    for (const auto& subnet : request.subnets) {
        const auto name = ObjectName(subnet.internal_id);
        bool there = false;
        for (const auto& existing : present) there = there || existing.name == name;
        if (there) continue;
        const auto created = co_await session_.Call("network", http::verb::post, "/v2.0/subnets",
                                                    SubnetBody(*id, subnet));
        ESCD_INFO("vim") << "created Neutron subnet " << name << " " << IdIn(created.body, "subnet")
                         << " " << subnet.cidr;
    }
    co_return *id;
}

asio::awaitable<void> Neutron::DeleteNetwork(std::string internal_id) {
    const auto id = co_await FindNetwork(internal_id);
    if (!id) co_return;
    // Deleting the network deletes its subnets (and the DHCP ports Neutron made); a port of a
    // VM still on it makes Neutron answer 409, which the caller sees.
    co_await session_.Call("network", http::verb::delete_, "/v2.0/networks/" + *id, std::string(),
                           kGoneIsAnAnswer);
    ESCD_INFO("vim") << "deleted Neutron network " << ObjectName(internal_id) << " " << *id;
}

}  // namespace escd::vim::openstack
