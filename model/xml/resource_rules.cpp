#include "model/xml/resource_rules.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/text.hpp"
#include "common/url.hpp"
#include "model/catalogue/catalogue.hpp"
#include "model/ids.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml::rules {
namespace {
namespace ip = boost::asio::ip;

[[noreturn]] void Bad(const std::string& message) {
    throw Error(ErrorCode::kBadRequest, message);
}

std::string Quoted(std::string_view text) {
    return "'" + std::string(text.substr(0, 80)) + "'";
}

// Sets the text of the child `name`, appending it when absent.
void Set(pugi::xml_node root, std::string_view name, std::string_view value) {
    auto child = Child(root, name);
    if (!child) child = root.append_child(std::string(name).c_str());
    child.text().set(std::string(value).c_str());
}

// Renames an alternative spelling to the canonical one (when only the alternative is present).
void Rename(pugi::xml_node root, std::string_view from, std::string_view to) {
    auto alt = Child(root, from);
    if (alt && !Child(root, to)) alt.set_name(std::string(to).c_str());
}

void Remove(pugi::xml_node root, std::string_view name) {
    while (auto child = Child(root, name)) root.remove_child(child);
}

std::string RequireText(const pugi::xml_node& root, std::string_view name, std::string_view noun) {
    auto text = ChildText(root, name);
    if (!text || text->empty()) Bad(std::string(noun) + " <" + std::string(name) + "> is required");
    return *text;
}

void RequireName(pugi::xml_node root, std::string_view noun) {
    auto name = RequireText(root, "name", noun);
    ValidateName(name, kMaxNameLength, std::string(noun) + " name");
    Set(root, "name", name);  // trimmed
}

// A boolean in canonical form; `fallback` is written when the field is absent.
bool Bool(pugi::xml_node root, std::string_view name, std::optional<bool> fallback) {
    auto value = ChildBool(root, name);
    if (!value && !fallback) return false;
    bool v = value ? *value : *fallback;
    Set(root, name, v ? "true" : "false");
    return v;
}

std::optional<long long> Integer(pugi::xml_node root,
                                 std::string_view name,
                                 long long min,
                                 long long max,
                                 std::optional<long long> fallback) {
    auto text = ChildText(root, name);
    if (!text) {
        if (fallback) Set(root, name, std::to_string(*fallback));
        return fallback;
    }
    long long value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || text->empty())
        Bad("<" + std::string(name) + "> must be an integer, not " + Quoted(*text));
    if (value < min || value > max) {
        Bad("<" + std::string(name) + "> must be between " + std::to_string(min) + " and " +
            std::to_string(max) + ", not " + std::to_string(value));
    }
    Set(root, name, std::to_string(value));
    return value;
}

// One of `allowed` (compared case-insensitively, stored as listed); `fallback` when absent.
std::optional<std::string> OneOf(pugi::xml_node root,
                                 std::string_view name,
                                 std::initializer_list<std::string_view> allowed,
                                 std::optional<std::string_view> fallback) {
    auto text = ChildText(root, name);
    if (!text) {
        if (!fallback) return std::nullopt;
        Set(root, name, *fallback);
        return std::string(*fallback);
    }
    for (auto option : allowed) {
        if (Lower(*text) == Lower(std::string(option))) {
            Set(root, name, option);
            return std::string(option);
        }
    }
    std::string list;
    for (auto option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
    Bad("<" + std::string(name) + "> must be one of " + list + ", not " + Quoted(*text));
}

ip::address Address(std::string_view text, std::string_view field) {
    auto address = ParseIp(text);
    if (!address) Bad("<" + std::string(field) + "> " + Quoted(text) + " is not an IP address");
    return *address;
}

// <properties><property><name/><value/></property>...</properties>: names required and unique.
void Properties(const pugi::xml_node& root, std::string_view noun) {
    auto properties = Child(root, "properties");
    if (!properties) return;
    std::vector<std::string> seen;
    for (auto property : properties.children()) {
        if (property.type() != pugi::node_element) continue;
        if (LocalName(property) != "property")
            Bad(std::string(noun) + " <properties> may only hold <property> elements");
        auto name = ChildText(property, "name");
        if (!name || name->empty()) Bad(std::string(noun) + " <property> without a <name>");
        if (std::find(seen.begin(), seen.end(), *name) != seen.end())
            Bad(std::string(noun) + " property " + Quoted(*name) + " is given twice");
        seen.push_back(*name);
    }
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& root, std::string_view name) {
    std::vector<pugi::xml_node> out;
    for (auto child : root.children())
        if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
    return out;
}

void ValidateUrl(std::string_view text, std::string_view field, bool allow_file) {
    if (allow_file && text.starts_with("catalogue:")) {
        if (!catalogue::CatalogueImageOf(text))
            Bad("<" + std::string(field) + "> " + Quoted(text) +
                " is not catalogue:<the 40 hex GUID of a catalogue image>");
        return;
    }
    if (allow_file && text.starts_with("file:///")) {
        if (text.find("/../") != std::string_view::npos || text.ends_with("/.."))
            Bad("<" + std::string(field) + "> " + Quoted(text) + " must not contain '..'");
        return;
    }
    if (!ParseUrl(text)) {
        Bad("<" + std::string(field) + "> " + Quoted(text) + " is not an absolute http(s)" +
            (allow_file ? " or file:///" : "") + " URL");
    }
}

// --- subnets -----------------------------------------------------------------------------------

IpNetwork SubnetCidr(pugi::xml_node root) {
    Rename(root, "address", "cidr");
    auto text = RequireText(root, "cidr", "subnet");
    std::optional<IpNetwork> net;
    bool host_bits = false;
    if (text.find('/') != std::string::npos) {
        net = IpNetwork::Parse(text, &host_bits);
        if (!net) Bad("subnet <cidr> " + Quoted(text) + " is not a network like 10.0.0.0/24");
    } else {
        auto mask = ChildText(root, "netmask");
        if (!mask) Bad("subnet <cidr> " + Quoted(text) + " needs a prefix length or a <netmask>");
        net = IpNetwork::FromNetmask(text, *mask);
        if (!net) Bad("subnet <netmask> " + Quoted(*mask) + " is not a valid IPv4 netmask");
        host_bits = net->network() != Address(text, "cidr");
    }
    if (host_bits) {
        Bad("subnet <cidr> " + Quoted(text) + " has host bits set; the network is " +
            net->ToString());
    }
    if (net->prefix() > (net->is_v4() ? 30u : 126u))
        Bad("subnet <cidr> " + net->ToString() + " is too small for a gateway and hosts");
    Set(root, "cidr", net->ToString());
    Remove(root, "netmask");
    return *net;
}

// A usable host address of `net`: inside it, not its network address, not its IPv4 broadcast.
void RequireHost(const IpNetwork& net, const ip::address& address, std::string_view field) {
    if (!net.Contains(address))
        Bad("<" + std::string(field) + "> " + address.to_string() + " is outside " +
            net.ToString());
    if (address == net.network() || (net.is_v4() && address == net.last())) {
        Bad("<" + std::string(field) + "> " + address.to_string() + " is the " +
            (address == net.network() ? "network" : "broadcast") + " address of " + net.ToString());
    }
}

struct Pool {
    ip::address start, end;
};

std::vector<Pool> DefaultPools(const IpNetwork& net, const std::optional<ip::address>& gateway) {
    auto first = StepAddress(net.network(), 1);
    auto last = net.is_v4() ? StepAddress(net.last(), -1) : net.last();
    if (!gateway) return {{first, last}};
    std::vector<Pool> pools;
    if (*gateway != first) pools.push_back({first, StepAddress(*gateway, -1)});
    if (*gateway != last) pools.push_back({StepAddress(*gateway, 1), last});
    return pools;
}

void SubnetPools(pugi::xml_node root, const IpNetwork& net, const std::optional<ip::address>& gw) {
    // Accepted: repeated <allocation_pools><start/><end/></allocation_pools> (the reference's
    // list), or <allocation_pools><allocation_pool>...</allocation_pool></allocation_pools>.
    std::vector<Pool> pools;
    for (auto node : Children(root, "allocation_pools")) {
        auto entries = Children(node, "allocation_pool");
        if (entries.empty()) entries.push_back(node);
        for (auto entry : entries) {
            auto start = Address(RequireText(entry, "start", "allocation pool"), "start");
            auto end = Address(RequireText(entry, "end", "allocation pool"), "end");
            RequireHost(net, start, "allocation_pools/start");
            RequireHost(net, end, "allocation_pools/end");
            if (ToBytes(end) < ToBytes(start))
                Bad("allocation pool " + start.to_string() + " - " + end.to_string() +
                    " ends before it starts");
            if (gw && ToBytes(start) <= ToBytes(*gw) && ToBytes(*gw) <= ToBytes(end))
                Bad("allocation pool " + start.to_string() + " - " + end.to_string() +
                    " contains the gateway " + gw->to_string());
            for (const auto& other : pools) {
                if (ToBytes(start) <= ToBytes(other.end) && ToBytes(other.start) <= ToBytes(end))
                    Bad("allocation pools " + start.to_string() + " - " + end.to_string() +
                        " and " + other.start.to_string() + " - " + other.end.to_string() +
                        " overlap");
            }
            pools.push_back({start, end});
        }
    }
    if (pools.empty()) pools = DefaultPools(net, gw);
    Remove(root, "allocation_pools");
    for (const auto& pool : pools) {
        auto node = root.append_child("allocation_pools");
        AppendText(node, "start", pool.start.to_string());
        AppendText(node, "end", pool.end.to_string());
    }
}

void SubnetDns(pugi::xml_node root) {
    auto text = ChildText(root, "dnsServerIps");
    if (!text) return;
    std::string canonical;
    std::size_t pos = 0;
    while (pos < text->size()) {
        auto end = text->find_first_of(", ", pos);
        if (end == std::string::npos) end = text->size();
        if (end > pos) {
            auto address = Address(std::string_view(*text).substr(pos, end - pos), "dnsServerIps");
            canonical += (canonical.empty() ? "" : ",") + address.to_string();
        }
        pos = end + 1;
    }
    Set(root, "dnsServerIps", canonical);
}
}  // namespace

void Network(pugi::xml_node root, ParsedResource&) {
    RequireName(root, "network");
    Bool(root, "shared", false);
    Bool(root, "admin_state_up", true);
    Bool(root, "router_external", std::nullopt);
    Integer(root, "vlan_id", 0, 4094, std::nullopt);
    Integer(root, "number_of_ports", 0, 1 << 20, std::nullopt);
    OneOf(root, "provider_network_type", {"flat", "vlan", "vxlan", "gre", "geneve", "local"},
          std::nullopt);
    Integer(root, "provider_segmentation_id", 0, 16777215, std::nullopt);
}

void Subnet(pugi::xml_node root, ParsedResource& parsed) {
    RequireName(root, "subnet");
    auto network = RequireText(root, "internal_network_id", "subnet");
    ValidateInternalId(network, "internal_network_id");
    parsed.parent_id = network;
    Remove(root, "external_network_id");
    Remove(root, "networkFromCdg");  // the reference's echo of the whole network: not input

    auto net = SubnetCidr(root);
    Rename(root, "ipversion", "ip_version");
    if (auto version = ChildText(root, "ip_version")) {
        auto v = Lower(*version);
        int number = v == "4" || v == "ipv4" ? 4 : v == "6" || v == "ipv6" ? 6 : 0;
        if (number == 0) Bad("subnet <ip_version> must be 4 or 6, not " + Quoted(*version));
        if ((number == 4) != net.is_v4())
            Bad("subnet <ip_version> " + *version + " does not match <cidr> " + net.ToString());
    }
    Set(root, "ip_version", net.is_v4() ? "4" : "6");

    Rename(root, "gateway", "gateway_ip");
    std::optional<ip::address> gateway;
    if (Bool(root, "no_gateway", std::nullopt)) {
        Remove(root, "gateway_ip");
    } else if (auto text = ChildText(root, "gateway_ip"); text && !text->empty()) {
        gateway = Address(*text, "gateway_ip");
        RequireHost(net, *gateway, "gateway_ip");
        Set(root, "gateway_ip", gateway->to_string());
    } else {
        gateway = StepAddress(net.network(), 1);  // the first host, as OpenStack does
        Set(root, "gateway_ip", gateway->to_string());
    }
    Rename(root, "dhcp", "enable_dhcp");
    Bool(root, "enable_dhcp", true);
    SubnetPools(root, net, gateway);
    SubnetDns(root);
}

void Image(pugi::xml_node root, ParsedResource& parsed) {
    RequireName(root, "image");
    auto locator = Child(root, "file_locator");
    auto src = ChildText(root, "src");
    if (!src && !locator) Bad("image <src> (or a <file_locator>) is required");
    if (src) ValidateUrl(*src, "src", /*allow_file=*/true);
    if (locator) {
        auto server = RequireText(locator, "file_server_id", "image file_locator");
        ValidateInternalId(server, "file_locator/file_server_id");
        auto path = RequireText(locator, "remote_path", "image file_locator");
        if (path.find("..") != std::string::npos)
            Bad("image <remote_path> " + Quoted(path) + " must not contain '..'");
        parsed.references.push_back(
            {ResourceKind::kFileServer, server, "file_locator/file_server_id"});
    }
    OneOf(root, "disk_bus", {"virtio", "ide", "scsi", "sata", "usb"}, "virtio");
    std::string_view format = src && (src->ends_with(".raw") || src->ends_with(".img")) ? "raw"
                              : src && src->ends_with(".iso")                           ? "iso"
                                                                                        : "qcow2";
    OneOf(root, "disk_format", {"qcow2", "raw", "vmdk", "vdi", "vhd", "iso"}, format);
    OneOf(root, "container_format", {"bare", "ovf", "ova", "docker"}, "bare");
    Bool(root, "e1000_net", false);
    Bool(root, "virtio_net", std::nullopt);
    Bool(root, "serial_console", std::nullopt);
    Bool(root, "imageisenabled", true);
    OneOf(root, "visibility", {"public", "private", "shared", "community"}, "public");
    Properties(root, "image");
}

void Flavor(pugi::xml_node root, ParsedResource&) {
    RequireName(root, "flavor");
    if (!Child(root, "vcpus")) Bad("flavor <vcpus> is required");
    if (!Child(root, "memory_mb")) Bad("flavor <memory_mb> is required");
    Integer(root, "vcpus", 1, 1024, std::nullopt);
    Integer(root, "memory_mb", 1, 16LL << 20, std::nullopt);  // up to 16 TiB
    Integer(root, "root_disk_mb", 0, 1LL << 40, 0);
    Integer(root, "ephemeral_disk_mb", 0, 1LL << 40, 0);
    Integer(root, "swap_disk_mb", 0, 1LL << 40, 0);
    Properties(root, "flavor");
}

void Volume(pugi::xml_node root, ParsedResource&) {
    RequireName(root, "volume");
    if (!Child(root, "size")) Bad("volume <size> is required");
    Integer(root, "size", 1, 1LL << 30, std::nullopt);
    OneOf(root, "sizeunit", {"MiB", "GiB", "TiB"}, "GiB");
    OneOf(root, "bus", {"virtio", "ide", "scsi", "sata"}, std::nullopt);
}

void Router(pugi::xml_node root, ParsedResource& parsed) {
    RequireName(root, "router");
    Bool(root, "admin_state", true);
    Bool(root, "snat_enable", std::nullopt);
    Bool(root, "isdistributed", std::nullopt);
    for (auto interface : Children(root, "interface")) {
        Rename(interface, "subnetId", "subnet");
        auto subnet = RequireText(interface, "subnet", "router interface");
        ValidateInternalId(subnet, "interface/subnet");
        parsed.references.push_back({ResourceKind::kSubnet, subnet, "interface/subnet"});
    }
    for (auto route : Children(root, "route")) {
        auto destination = RequireText(route, "destination", "router route");
        if (!IpNetwork::Parse(destination))
            Bad("router route <destination> " + Quoted(destination) + " is not a CIDR");
        Address(RequireText(route, "next_hop", "router route"), "next_hop");
    }
}

void FileServer(pugi::xml_node root, ParsedResource&) {
    auto url = RequireText(root, "base_url", "file server");
    ValidateUrl(url, "base_url", /*allow_file=*/true);
    if (auto name = ChildText(root, "name")) ValidateName(*name, kMaxNameLength, "name");
    OneOf(root, "server_type", {"HTTP", "HTTPS", "LOCAL"},
          url.starts_with("https:")  ? "HTTPS"
          : url.starts_with("http:") ? "HTTP"
                                     : "LOCAL");
    Properties(root, "file server");
}

}  // namespace escd::model::xml::rules
