#include "vim/openstack/resources_json.hpp"
#include "vim/openstack/json_fields.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ip_network.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
[[noreturn]] void Malformed(std::string_view what, std::string_view why) {
    throw VimError(ErrorCode::kVimError, "OpenStack's answer for " + std::string(what) +
                                             " is not usable: " + std::string(why));
}

json::object ParseObject(const std::string& body, std::string_view what) {
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) Malformed(what, "not a JSON object");
    return std::move(parsed.as_object());
}

// The `key` member of the root object, which must be an object (ParseX of {"x": {...}}).
json::object Member(const std::string& body, std::string_view key) {
    auto root = ParseObject(body, key);
    auto* member = root.if_contains(key);
    if (!member || !member->is_object()) Malformed(key, "no \"" + std::string(key) + "\"");
    return std::move(member->as_object());
}

// The `key` member of the root object, which must be a list ({"xs": [...]}).
json::array List(const std::string& body, std::string_view key) {
    auto root = ParseObject(body, key);
    auto* member = root.if_contains(key);
    if (!member || !member->is_array()) Malformed(key, "no \"" + std::string(key) + "\" list");
    return std::move(member->as_array());
}

json::object PortObject(const std::string& name,
                        const std::string& network_id,
                        const std::string& mac,
                        const std::vector<FixedIp>& fixed_ips,
                        const std::string& description) {
    json::object port{{"name", name}, {"network_id", network_id}};
    if (!description.empty()) port["description"] = description;
    if (!mac.empty()) port["mac_address"] = mac;
    if (!fixed_ips.empty()) {
        json::array ips;
        for (const auto& ip : fixed_ips) {
            json::object entry;
            if (!ip.ip_address.empty()) entry["ip_address"] = ip.ip_address;
            if (!ip.subnet_id.empty()) entry["subnet_id"] = ip.subnet_id;
            ips.push_back(std::move(entry));
        }
        port["fixed_ips"] = std::move(ips);
    }
    return port;
}

json::object PortObject(const PortRequest& request) {
    return PortObject(PortName(request.vm_name, request.nicid), request.network_id, request.mac,
                      request.fixed_ips, PortOwner(request.vm_name));
}

Port PortFrom(const json::object& object) {
    Port port;
    port.id = StringAt(object, "id");
    port.name = StringAt(object, "name");
    port.description = StringAt(object, "description");
    port.network_id = StringAt(object, "network_id");
    port.mac = StringAt(object, "mac_address");
    port.status = StringAt(object, "status");
    port.device_id = StringAt(object, "device_id");
    port.device_owner = StringAt(object, "device_owner");
    if (const auto* ips = object.if_contains("fixed_ips"); ips && ips->is_array()) {
        for (const auto& ip : ips->as_array())
            port.fixed_ips.push_back({StringAt(ip, "subnet_id"), StringAt(ip, "ip_address")});
    }
    return port;
}

bool BoolAt(const json::object& object, std::string_view key, bool fallback) {
    const auto* value = object.if_contains(key);
    if (!value) return fallback;
    if (value->is_bool()) return value->as_bool();
    // Nova gives a server's config_drive as a string: "True" or "".
    if (value->is_string()) {
        const auto& text = value->as_string();
        return text == "True" || text == "true" || text == "1";
    }
    return fallback;
}

ServerGroup ServerGroupFrom(const json::object& object) {
    ServerGroup group;
    group.id = StringAt(object, "id");
    group.name = StringAt(object, "name");
    group.policy = StringAt(object, "policy");
    // Before 2.64 a group had a list of (one) policies.
    if (const auto* policies = object.if_contains("policies");
        group.policy.empty() && policies && policies->is_array() && !policies->as_array().empty() &&
        policies->as_array()[0].is_string())
        group.policy = policies->as_array()[0].as_string().c_str();
    if (const auto* members = object.if_contains("members"); members && members->is_array()) {
        for (const auto& member : members->as_array())
            if (member.is_string()) group.members.emplace_back(member.as_string());
    }
    return group;
}

Server ServerFrom(const json::object& object) {
    Server server;
    server.id = StringAt(object, "id");
    server.name = StringAt(object, "name");
    server.status = StringAt(object, "status");
    server.host = StringAt(object, "OS-EXT-SRV-ATTR:host");
    server.project_id = StringAt(object, "tenant_id");
    server.task_state = StringAt(object, "OS-EXT-STS:task_state");
    server.config_drive = BoolAt(object, "config_drive", false);
    if (const auto* groups = object.if_contains("server_groups"); groups && groups->is_array()) {
        for (const auto& group : groups->as_array())
            if (group.is_string()) server.server_groups.emplace_back(group.as_string());
    }
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

std::string QueryValue(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        }
    }
    return out;
}

std::string PortBody(const std::string& name,
                     const std::string& network_id,
                     const std::string& mac,
                     const std::vector<FixedIp>& fixed_ips) {
    return json::serialize(
        json::object{{"port", PortObject(name, network_id, mac, fixed_ips, std::string())}});
}

std::string PortName(std::string_view vm_name, int nicid) {
    return ObjectName(vm_name) + "-nic" + std::to_string(nicid);
}

std::string PortOwner(std::string_view vm_name) {
    return "escd-vm:" + std::string(vm_name);
}

std::string PortsBody(const std::vector<PortRequest>& requests) {
    json::array ports;
    for (const auto& request : requests) ports.push_back(PortObject(request));
    return json::serialize(json::object{{"ports", std::move(ports)}});
}

Port ParsePort(const std::string& body) {
    auto port = PortFrom(Member(body, "port"));
    if (port.id.empty()) Malformed("port", "no id");
    return port;
}

std::vector<Port> ParsePorts(const std::string& body) {
    std::vector<Port> out;
    for (const auto& port : List(body, "ports")) {
        if (!port.is_object()) continue;
        out.push_back(PortFrom(port.as_object()));
        if (out.back().id.empty()) Malformed("ports", "a port without id");
    }
    return out;
}

std::string RouterBody(const RouterRequest& request) {
    return json::serialize(json::object{{"router", json::object{
                                                       {"name", ObjectName(request.internal_id)},
                                                       {"admin_state_up", request.admin_state},
                                                   }}});
}

std::string RouterInterfaceBody(const std::string& subnet_id) {
    return json::serialize(json::object{{"subnet_id", subnet_id}});
}

std::vector<Router> ParseRouters(const std::string& body) {
    std::vector<Router> out;
    for (const auto& router : List(body, "routers")) {
        if (!router.is_object()) continue;
        Router r;
        r.id = StringAt(router, "id");
        r.name = StringAt(router, "name");
        r.admin_state_up = BoolAt(router.as_object(), "admin_state_up", true);
        if (r.id.empty()) Malformed("routers", "a router without id");
        out.push_back(std::move(r));
    }
    return out;
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
    json::value networks = "none";
    if (!spec.port_ids.empty()) {
        json::array ports;
        for (const auto& port : spec.port_ids) ports.push_back(json::object{{"port", port}});
        networks = std::move(ports);
    }
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

std::string ExactNameRegex(std::string_view name) {
    std::string out = "^";
    for (const char c : name) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    out += '$';
    return out;
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
    auto out = ServerFrom(Member(body, "server"));
    if (out.id.empty()) Malformed("server", "no id");
    return out;
}

std::vector<Server> ParseServers(const std::string& body) {
    std::vector<Server> out;
    for (const auto& server : List(body, "servers"))
        if (server.is_object()) out.push_back(ServerFrom(server.as_object()));
    return out;
}

std::string NextPageQuery(const std::string& body, std::string_view links_key) {
    const auto root = ParseObject(body, links_key);
    const auto* links = root.if_contains(links_key);
    if (!links || !links->is_array()) return {};
    for (const auto& link : links->as_array()) {
        if (StringAt(link, "rel") != "next") continue;
        const auto href = StringAt(link, "href");
        const auto query = href.find('?');
        return query == std::string::npos ? std::string() : href.substr(query + 1);
    }
    return {};
}

namespace {
// A number of any JSON type; nullopt for null, absent or not a number.
std::optional<double> NumberAt(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value) return std::nullopt;
    if (value->is_int64()) return static_cast<double>(value->as_int64());
    if (value->is_uint64()) return static_cast<double>(value->as_uint64());
    if (value->is_double()) return value->as_double();
    return std::nullopt;
}
}  // namespace

VmStats ParseDiagnostics(const std::string& body) {
    const auto root = ParseObject(body, "diagnostics");
    VmStats stats;
    double percent_sum = 0;
    int percents = 0;
    int cpus = 0;
    if (const auto* details = root.if_contains("cpu_details"); details && details->is_array()) {
        for (const auto& cpu : details->as_array()) {
            if (!cpu.is_object()) continue;
            ++cpus;
            if (const auto time = NumberAt(cpu.as_object(), "time"); time && *time > 0)
                stats.cpu_time_ns += static_cast<std::uint64_t>(*time);
            if (const auto percent = NumberAt(cpu.as_object(), "utilisation")) {
                percent_sum += *percent;
                ++percents;
            }
        }
    }
    if (percents > 0) stats.cpu_percent = percent_sum / percents;
    const auto num_cpus = NumberAt(root, "num_cpus");
    stats.vcpus = std::max(1, num_cpus ? static_cast<int>(*num_cpus) : cpus);
    const auto* memory = ObjectAt(root, "memory_details");
    const auto maximum = memory ? NumberAt(*memory, "maximum") : std::nullopt;
    if (!maximum || *maximum <= 0) Malformed("diagnostics", "no memory_details.maximum");
    stats.max_memory_kb = static_cast<std::uint64_t>(*maximum) * 1024;
    stats.memory_kb = stats.max_memory_kb;
    if (const auto used = NumberAt(*memory, "used"); used && *used >= 0) {
        const auto used_kb =
            std::min(stats.max_memory_kb, static_cast<std::uint64_t>(*used) * 1024);
        stats.unused_kb = stats.max_memory_kb - used_kb;
    }
    return stats;
}

std::string ServerGroupBody(const std::string& name, const std::string& policy) {
    return json::serialize(
        json::object{{"server_group", json::object{{"name", name}, {"policy", policy}}}});
}

ServerGroup ParseServerGroup(const std::string& body) {
    auto group = ServerGroupFrom(Member(body, "server_group"));
    if (group.id.empty()) Malformed("server_group", "no id");
    return group;
}

std::vector<ServerGroup> ParseServerGroups(const std::string& body) {
    std::vector<ServerGroup> out;
    for (const auto& group : List(body, "server_groups"))
        if (group.is_object()) out.push_back(ServerGroupFrom(group.as_object()));
    return out;
}

}  // namespace escd::vim::openstack
