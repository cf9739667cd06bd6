#include "vim/openstack/resources_json.hpp"
#include "vim/openstack/json_fields.hpp"

#include <boost/json.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ip_network.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
[[noreturn]] void Malformed(std::string_view what, std::string_view why) {
    throw Error(ErrorCode::kVimError, "OpenStack's answer for " + std::string(what) +
                                          " is not usable: " + std::string(why));
}

json::object ParseObject(const std::string& body, std::string_view what) {
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) Malformed(what, "not a JSON object");
    return std::move(parsed.as_object());
}

Server ServerFrom(const json::object& object) {
    Server server;
    server.id = StringAt(object, "id");
    server.name = StringAt(object, "name");
    server.status = StringAt(object, "status");
    server.host = StringAt(object, "OS-EXT-SRV-ATTR:host");
    if (const auto* fault = object.if_contains("fault"); fault && fault->is_object())
        server.fault = StringAt(fault->as_object(), "message");
    if (const auto* metadata = object.if_contains("metadata"); metadata && metadata->is_object()) {
        for (const auto& [key, value] : metadata->as_object())
            if (value.is_string()) server.metadata[std::string(key)] = value.as_string().c_str();
    }
    return server;
}
}  // namespace

std::string ObjectName(std::string_view internal_id) {
    return "escd-" + std::string(internal_id);
}

std::string NetworkBody(const NetworkRequest& request) {
    return json::serialize(json::object{{"network", json::object{
                                                        {"name", ObjectName(request.internal_id)},
                                                        {"admin_state_up", request.admin_state_up},
                                                        {"shared", request.shared},
                                                    }}});
}

std::string SubnetBody(const std::string& network_id, const SubnetDefinition& subnet) {
    const auto net = IpNetwork::Parse(subnet.cidr);
    json::object body{
        {"network_id", network_id},
        {"name", ObjectName(subnet.internal_id)},
        {"cidr", subnet.cidr},
        {"ip_version", net && !net->is_v4() ? 6 : 4},
        {"enable_dhcp", subnet.enable_dhcp},
    };
    // No gateway is an explicit null: an absent gateway_ip makes Neutron pick the first host.
    if (subnet.gateway.empty()) {
        body["gateway_ip"] = nullptr;
    } else {
        body["gateway_ip"] = subnet.gateway;
    }
    if (!subnet.pools.empty()) {
        json::array pools;
        for (const auto& [start, end] : subnet.pools)
            pools.push_back(json::object{{"start", start}, {"end", end}});
        body["allocation_pools"] = std::move(pools);
    }
    return json::serialize(json::object{{"subnet", std::move(body)}});
}

std::string PortBody(const std::string& name,
                     const std::string& network_id,
                     const std::string& mac,
                     const std::vector<FixedIp>& fixed_ips) {
    json::object port{{"name", name}, {"network_id", network_id}};
    if (!mac.empty()) port["mac_address"] = mac;
    if (!fixed_ips.empty()) {
        json::array ips;
        for (const auto& ip : fixed_ips) {
            json::object entry{{"ip_address", ip.ip_address}};
            if (!ip.subnet_id.empty()) entry["subnet_id"] = ip.subnet_id;
            ips.push_back(std::move(entry));
        }
        port["fixed_ips"] = std::move(ips);
    }
    return json::serialize(json::object{{"port", std::move(port)}});
}

std::string IdIn(const std::string& body, std::string_view kind) {
    const auto root = ParseObject(body, kind);
    const auto* object = root.if_contains(kind);
    if (!object || !object->is_object()) Malformed(kind, "no \"" + std::string(kind) + "\"");
    auto id = StringAt(object->as_object(), "id");
    if (id.empty()) Malformed(kind, "no id");
    return id;
}

std::string ServerBody(const ServerSpec& spec) {
    json::array networks;
    for (const auto& port : spec.port_ids) networks.push_back(json::object{{"port", port}});
    json::object metadata;
    for (const auto& [key, value] : spec.metadata) metadata[key] = value;
    json::object server{
        {"name", spec.name},
        {"imageRef", spec.image_ref},
        {"flavorRef", spec.flavor_ref},
        {"networks", std::move(networks)},
        {"config_drive", true},
        {"metadata", std::move(metadata)},
    };
    if (!spec.availability_zone.empty()) server["availability_zone"] = spec.availability_zone;
    if (!spec.files.empty()) {
        json::array personality;
        for (const auto& [path, content] : spec.files)
            personality.push_back(
                json::object{{"path", path}, {"contents", Base64Encode(content)}});
        server["personality"] = std::move(personality);
    }
    json::object body{{"server", std::move(server)}};
    if (!spec.server_group.empty())
        body["os:scheduler_hints"] = json::object{{"group", spec.server_group}};
    return json::serialize(body);
}

std::string FlavorBody(const FlavorRequest& request) {
    // Nova counts disks in GB: a size in MB is rounded up, never down to nothing.
    const auto gb = [](long long mb) { return mb <= 0 ? 0 : (mb + 1023) / 1024; };
    return json::serialize(
        json::object{{"flavor", json::object{
                                    {"name", ObjectName(request.internal_id)},
                                    {"ram", request.memory_mb},
                                    {"vcpus", request.vcpus},
                                    {"disk", gb(request.root_disk_mb)},
                                    {"OS-FLV-EXT-DATA:ephemeral", gb(request.ephemeral_disk_mb)},
                                }}});
}

std::string ServerActionBody(std::string_view action) {
    if (action == "stop") return R"({"os-stop": null})";
    if (action == "start") return R"({"os-start": null})";
    if (action == "soft-reboot") return R"({"reboot": {"type": "SOFT"}})";
    if (action == "hard-reboot") return R"({"reboot": {"type": "HARD"}})";
    throw Error(ErrorCode::kInternal, "no server action '" + std::string(action) + "'");
}

Server ParseServer(const std::string& body) {
    const auto root = ParseObject(body, "server");
    const auto* server = root.if_contains("server");
    if (!server || !server->is_object()) Malformed("server", "no \"server\"");
    auto out = ServerFrom(server->as_object());
    if (out.id.empty()) Malformed("server", "no id");
    return out;
}

std::vector<Server> ParseServers(const std::string& body) {
    const auto root = ParseObject(body, "servers");
    const auto* servers = root.if_contains("servers");
    if (!servers || !servers->is_array()) Malformed("servers", "no \"servers\" list");
    std::vector<Server> out;
    for (const auto& server : servers->as_array())
        if (server.is_object()) out.push_back(ServerFrom(server.as_object()));
    return out;
}

}  // namespace escd::vim::openstack
