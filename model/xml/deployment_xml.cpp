#include "model/xml/deployment_xml.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/url.hpp"
#include "model/ids.hpp"
#include "model/resource.hpp"
#include "model/vim_connector.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

[[noreturn]] void Bad(const std::string& message) {
    throw Error(ErrorCode::kBadRequest, message);
}

std::string Quoted(std::string_view text) {
    return "'" + std::string(text.substr(0, 80)) + "'";
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& node, std::string_view name) {
    std::vector<pugi::xml_node> out;
    for (auto child : node.children())
        if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
    return out;
}

// Exactly one child `name`; `where` names the parent in messages.
pugi::xml_node One(const pugi::xml_node& node, std::string_view name, const std::string& where) {
    auto all = Children(node, name);
    if (all.empty()) Bad(where + " needs a <" + std::string(name) + ">");
    if (all.size() > 1)
        Bad(where + " has " + std::to_string(all.size()) + " <" + std::string(name) +
            "> elements; one request carries exactly one");
    return all.front();
}

// The text of `node` itself, without the layout whitespace around it.
std::string OwnText(const pugi::xml_node& node) {
    std::string_view text = node.child_value();
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::string Text(const pugi::xml_node& node, std::string_view name) {
    return ChildText(node, name).value_or("");
}

std::string Required(const pugi::xml_node& node, std::string_view name, const std::string& where) {
    auto text = ChildText(node, name);
    if (!text || text->empty()) Bad(where + " <" + std::string(name) + "> is required");
    return *text;
}

int Int(const pugi::xml_node& node,
        std::string_view name,
        int min,
        int max,
        int fallback,
        const std::string& where) {
    auto text = ChildText(node, name);
    if (!text) return fallback;
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || text->empty())
        Bad(where + " <" + std::string(name) + "> must be an integer, not " + Quoted(*text));
    if (value < min || value > max) {
        Bad(where + " <" + std::string(name) + "> must be between " + std::to_string(min) +
            " and " + std::to_string(max) + ", not " + std::to_string(value));
    }
    return value;
}

std::string Upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string OneOf(const pugi::xml_node& node,
                  std::string_view name,
                  std::initializer_list<std::string_view> allowed,
                  std::string fallback,
                  const std::string& where) {
    auto text = ChildText(node, name);
    if (!text) return fallback;
    for (auto option : allowed)
        if (Upper(*text) == Upper(std::string(option))) return std::string(option);
    std::string list;
    for (auto option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
    Bad(where + " <" + std::string(name) + "> must be one of " + list + ", not " + Quoted(*text));
}

// The reference spells <nicid> four ways (nicid, nicaid, nictid, nivid); the stored form uses
// nicid, so that one spelling is read back.
void NormaliseNicid(pugi::xml_node node) {
    for (auto child : node.children()) {
        if (child.type() != pugi::node_element) continue;
        std::string_view name = child.name();
        if (name == "nicaid" || name == "nictid" || name == "nivid") child.set_name("nicid");
        NormaliseNicid(child);
    }
}

bool IsMac(std::string_view mac) {
    if (mac.size() != 17) return false;
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i % 3 == 2) {
            if (mac[i] != ':') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(mac[i]))) {
            return false;
        }
    }
    return true;
}

InterfaceSpec ParseInterface(const pugi::xml_node& node, const std::string& where) {
    InterfaceSpec nic;
    if (!Child(node, "nicid")) Bad(where + " <nicid> is required");
    nic.nicid = Int(node, "nicid", 0, 63, 0, where);
    const auto at = where + " nicid " + std::to_string(nic.nicid);
    nic.network = Required(node, "network", at);
    ValidateName(nic.network, kMaxNameLength, at + " network");
    nic.ip_address = Text(node, "ip_address");
    if (!nic.ip_address.empty() && !ParseIp(nic.ip_address))
        Bad(at + " <ip_address> " + Quoted(nic.ip_address) + " is not an IP address");
    nic.mac_address = Text(node, "mac_address");
    if (!nic.mac_address.empty() && !IsMac(nic.mac_address))
        Bad(at + " <mac_address> " + Quoted(nic.mac_address) + " is not like fa:16:3e:00:00:01");
    nic.model = OneOf(node, "model", {"virtio", "e1000", "rtl8139", "vmxnet3"}, "virtio", at);
    nic.type = OneOf(node, "type", {"virtual", "direct", "passthru"}, "virtual", at);
    return nic;
}

ScalingSpec ParseScaling(const pugi::xml_node& node, const std::string& where) {
    ScalingSpec scaling;
    if (!node) return scaling;
    const auto at = where + " scaling";
    scaling.min_active = Int(node, "min_active", 0, 10000, 1, at);
    scaling.max_active = Int(node, "max_active", 1, 10000, std::max(1, scaling.min_active), at);
    if (scaling.min_active > scaling.max_active) {
        Bad(at + " <min_active> " + std::to_string(scaling.min_active) +
            " is larger than <max_active> " + std::to_string(scaling.max_active));
    }
    scaling.elastic = ChildBool(node, "elastic").value_or(false);
    for (auto pool_node : Children(node, "static_ip_address_pool")) {
        ScalingSpec::Pool pool;
        pool.network = Required(pool_node, "network", at + " static_ip_address_pool");
        for (auto address : Children(pool_node, "ip_address")) {
            std::string text = OwnText(address);
            if (!ParseIp(text))
                Bad(at + " static_ip_address_pool address " + Quoted(text) + " is not an IP");
            pool.addresses.push_back(text);
        }
        scaling.static_pools.push_back(std::move(pool));
    }
    return scaling;
}

KpiSpec ParseKpi(const pugi::xml_node& node,
                 const std::set<int>& nicids,
                 const std::string& where) {
    KpiSpec kpi;
    kpi.event_name = Required(node, "event_name", where + " kpi");
    const auto at = where + " kpi " + kpi.event_name;
    kpi.metric_value = Text(node, "metric_value");
    kpi.metric_cond = OneOf(node, "metric_cond", {"GT", "GE", "LT", "LE", "EQ", "NE"}, "GT", at);
    kpi.metric_type =
        OneOf(node, "metric_type",
              {"UINT32", "INT32", "UINT64", "INT64", "FLOAT", "DOUBLE", "BOOLEAN", "STRING"},
              "UINT32", at);
    kpi.occurrences_true = Int(node, "metric_occurrences_true", 1, 1000, 1, at);
    kpi.occurrences_false = Int(node, "metric_occurrences_false", 1, 1000, 3, at);
    auto collector = Child(node, "metric_collector");
    if (!collector) Bad(at + " needs a <metric_collector>");
    kpi.collector_type = Required(collector, "type", at + " metric_collector");
    kpi.nicid = Int(collector, "nicid", 0, 63, 0, at + " metric_collector");
    if (Child(collector, "nicid") && !nicids.contains(kpi.nicid))
        Bad(at + " monitors nicid " + std::to_string(kpi.nicid) + ", which the group lacks");
    kpi.poll_frequency = Int(collector, "poll_frequency", 1, 86400, 3, at);
    kpi.polling_unit = OneOf(collector, "polling_unit", {"seconds", "minutes"}, "seconds", at);
    kpi.continuous_alarm = ChildBool(collector, "continuous_alarm").value_or(false);
    return kpi;
}

std::string StripQuotes(std::string text) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
    return text;
}

ConfigurationSpec ParseConfiguration(const pugi::xml_node& node, const std::string& where) {
    ConfigurationSpec config;
    config.dst = Required(node, "dst", where + " configuration");
    const auto at = where + " configuration " + config.dst;
    if (config.dst.find('/') != std::string::npos || config.dst == ".." || config.dst == ".")
        Bad(at + ": <dst> must be a plain file name");
    config.file = Text(node, "file");
    config.data = Text(node, "data");
    if (config.file.empty() == config.data.empty())
        Bad(at + " needs exactly one of <file> (a URL) and <data> (inline content)");
    if (!config.file.empty() && !config.file.starts_with("file:///") && !ParseUrl(config.file))
        Bad(at + " <file> " + Quoted(config.file) + " is not an http(s) or file:/// URL");
    for (auto variable : Children(node, "variable")) {
        auto name = Required(variable, "name", at + " variable");
        std::vector<std::string> values;
        for (auto val : Children(variable, "val")) values.emplace_back(OwnText(val));
        config.variables.emplace_back(name, std::move(values));
    }
    return config;
}

// The csm_host extension's properties (CsmHostSpec): every name known, the interface one of
// the group's, a username and a password given.
CsmHostSpec ParseCsmHost(const pugi::xml_node& node,
                         const VmGroupSpec& group,
                         const std::string& at) {
    CsmHostSpec host;
    std::set<std::string> seen;
    for (auto property : Children(Child(node, "properties"), "property")) {
        const auto name = Required(property, "name", at + " property");
        const auto value = ChildText(property, "value").value_or("");
        if (!seen.insert(name).second) Bad(at + ": property " + name + " given twice");
        if (name == "interface") {
            int nicid = -1;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), nicid);
            const bool known =
                std::any_of(group.interfaces.begin(), group.interfaces.end(),
                            [&](const InterfaceSpec& nic) { return nic.nicid == nicid; });
            if (ec != std::errc() || end != value.data() + value.size() || !known)
                Bad(at + ": property interface " + Quoted(value) + " is not a nicid of the group");
            host.nicid = nicid;
        } else if (name == "connection_type") {
            if (value != "ssh" && value != "telnet")
                Bad(at + ": property connection_type must be ssh or telnet, not " + Quoted(value));
            host.connection_type = value;
        } else if (name == "port") {
            host.port = value;
        } else if (name == "username") {
            host.username = value;
        } else if (name == "password") {
            host.password = value;
        } else if (name == "enable_password") {
            host.enable_password = value;
        } else if (name == "region") {
            host.region = value;
        } else {
            Bad(at + ": unknown property " + Quoted(name) +
                " (interface, connection_type, port, username, password, enable_password, "
                "region)");
        }
    }
    if (host.username.empty() || host.password.empty())
        Bad(at + ": properties username and password are required");
    if (!seen.contains("interface") &&
        std::none_of(group.interfaces.begin(), group.interfaces.end(),
                     [](const InterfaceSpec& nic) { return nic.nicid == 0; }))
        Bad(at + ": the group has no interface 0: name one with property interface");
    return host;
}

// A vm_group's <volume> (GroupVolumeSpec): <size> in <sizeunit> (GiB unless said) makes it an
// ephemeral disk of each VM; <volid> orders a VM's volumes (absent: after those before it).
GroupVolumeSpec ParseVolume(const pugi::xml_node& node,
                            const std::string& where,
                            const std::vector<GroupVolumeSpec>& before) {
    GroupVolumeSpec volume;
    volume.name = Required(node, "name", where + " volume");
    const auto at = where + " volume " + volume.name;
    int next = 0;  // after every volid given before
    for (const auto& other : before) next = std::max(next, other.volid + 1);
    volume.volid = Int(node, "volid", 0, 63, std::min(next, 63), at);
    for (const auto& other : before) {
        if (other.volid == volume.volid)
            Bad(at + ": <volid> " + std::to_string(volume.volid) + " is also volume " + other.name +
                "'s");
    }
    volume.bus = OneOf(node, "bus", {"virtio", "scsi", "sata", "ide"}, "virtio", at);
    volume.type = ChildText(node, "type").value_or("");
    const int size = Int(node, "size", 1, 1 << 20, 0, at);
    // The units of a volume resource (model::VolumeSpec).
    const auto unit = OneOf(node, "sizeunit", {"MiB", "GiB", "TiB"}, "GiB", at);
    if (size == 0 && ChildText(node, "sizeunit")) Bad(at + ": <sizeunit> without a <size>");
    const int shift = unit == "MiB" ? 20 : unit == "GiB" ? 30 : 40;
    volume.size_bytes = static_cast<std::uint64_t>(size) << shift;
    if (volume.size_bytes > (std::uint64_t{64} << 40))
        Bad(at + ": " + std::to_string(size) + " " + unit + " is over 64 TiB");
    return volume;
}

VmGroupSpec ParseGroup(const pugi::xml_node& node, std::vector<Reference>& references) {
    VmGroupSpec group;
    group.name = Required(node, "name", "vm_group");
    ValidateName(group.name, kMaxNameLength, "vm_group name");
    const auto at = "vm_group " + group.name;
    group.image = Required(node, "image", at);
    ValidateName(group.image, kMaxNameLength, at + " image");
    references.push_back({ResourceKind::kImage, group.image, at + " image"});
    group.flavor = Text(node, "flavor");
    // <locator><vim_id>: the VIM connector the group's VMs go to (ESC's multi-VIM deployments);
    // none = the default connector. Whether it is registered is checked when the VMs are made.
    if (auto locator = node.child("locator")) {
        group.vim_id = Text(locator, "vim_id");
        if (!group.vim_id.empty()) ValidateVimConnectorId(group.vim_id);
    }
    group.vcpus = Int(node, "vim_vcpus", 1, 1024, 0, at);
    group.memory_mb = Int(node, "vim_memory_mb", 1, 1 << 24, 0, at);
    if (!group.flavor.empty()) {
        ValidateName(group.flavor, kMaxNameLength, at + " flavor");
        references.push_back({ResourceKind::kFlavor, group.flavor, at + " flavor"});
    } else if ((group.vcpus == 0) != (group.memory_mb == 0)) {
        Bad(at + " needs both <vim_vcpus> and <vim_memory_mb> (or a <flavor>)");
    }
    // Neither (as in the reference's example, written for a VIM that sizes VMs from the image):
    // the VM gets kDefaultVcpus and kDefaultMemoryMb.
    group.bootup_time = Int(node, "bootup_time", 0, 86400, 300, at);
    group.reboot_time = Int(node, "reboot_time", 0, 86400, 300, at);
    group.recovery_wait_time = Int(node, "recovery_wait_time", 0, 86400, 0, at);
    if (auto policy = Child(node, "recovery_policy")) {
        auto& rp = group.recovery_policy;
        rp.recovery_type = OneOf(policy, "recovery_type", {"AUTO", "MANUAL"}, "AUTO", at);
        rp.action_on_recovery = OneOf(policy, "action_on_recovery",
                                      {"REBOOT_ONLY", "REDEPLOY_ONLY", "REBOOT_THEN_REDEPLOY"},
                                      "REBOOT_THEN_REDEPLOY", at);
        if (Child(policy, "max_retries"))
            rp.max_retries = Int(policy, "max_retries", 0, 100, 0, at);
    }

    std::set<int> nicids;
    if (auto interfaces = Child(node, "interfaces")) {
        for (auto nic_node : Children(interfaces, "interface")) {
            auto nic = ParseInterface(nic_node, at + " interface");
            if (!nicids.insert(nic.nicid).second)
                Bad(at + " has two interfaces with nicid " + std::to_string(nic.nicid));
            group.interfaces.push_back(std::move(nic));
        }
    }
    group.scaling = ParseScaling(Child(node, "scaling"), at);
    if (!group.scaling.static_pools.empty() || group.scaling.max_active > 1) {
        for (const auto& nic : group.interfaces) {
            if (!nic.ip_address.empty() && group.scaling.max_active > 1 &&
                group.scaling.static_pools.empty()) {
                Bad(at + " fixes ip_address " + nic.ip_address + " on nicid " +
                    std::to_string(nic.nicid) + " but may run " +
                    std::to_string(group.scaling.max_active) +
                    " VMs; give a static_ip_address_pool");
            }
        }
    }
    if (auto kpi_data = Child(node, "kpi_data")) {
        for (auto kpi : Children(kpi_data, "kpi")) group.kpis.push_back(ParseKpi(kpi, nicids, at));
    }
    if (auto rules = Child(node, "rules")) {
        for (auto holder : rules.children()) {
            if (holder.type() != pugi::node_element) continue;  // admin_rules, ...
            for (auto rule_node : Children(holder, "rule")) {
                RuleSpec rule;
                rule.event_name = Required(rule_node, "event_name", at + " rule");
                for (auto action : Children(rule_node, "action"))
                    rule.actions.push_back(StripQuotes(OwnText(action)));
                group.rules.push_back(std::move(rule));
            }
        }
    }
    if (auto config_data = Child(node, "config_data")) {
        for (auto config : Children(config_data, "configuration"))
            group.config_data.push_back(ParseConfiguration(config, at));
    }
    for (auto placement : Children(node, "placement")) {
        PlacementSpec p;
        p.type = OneOf(placement, "type", {"zone_host", "affinity", "anti_affinity"}, "zone_host",
                       at + " placement");
        p.enforcement = OneOf(placement, "enforcement", {"strict", "loose"}, "strict", at);
        p.zone = Text(placement, "zone");
        p.host = Text(placement, "host");
        group.placement.push_back(std::move(p));
    }
    if (auto volumes = Child(node, "volumes")) {
        for (auto volume : Children(volumes, "volume"))
            group.volumes.push_back(ParseVolume(volume, at, group.volumes));
    }
    if (auto extensions = Child(node, "extensions")) {
        for (auto extension : Children(extensions, "extension")) {
            // Other extensions (NSO keeps its VNF-INFO there) are the client's own.
            if (ChildText(extension, "name").value_or("") != "csm_host") continue;
            if (group.csm_host) Bad(at + ": two csm_host extensions");
            group.csm_host = ParseCsmHost(extension, group, at + " extension csm_host");
        }
    }
    return group;
}

// The element of a stored datamodel that records what its references mean, when a reference's
// text is not the internal id it resolved to (a name, a VIM UUID). escd's, never the client's:
// dropped from requests and from what GET /deployments/config shows.
constexpr const char* kResolvedElement = "escd_resolved_references";

void DropResolved(pugi::xml_node root) {
    while (auto table = Child(root, kResolvedElement)) root.remove_child(table);
}

// (kind, text) -> internal id, from the stored datamodel's kResolvedElement.
// Ordered as the stored text reads: by the kind's name, then the text.
struct ByKindName {
    bool operator()(const std::pair<ResourceKind, std::string>& a,
                    const std::pair<ResourceKind, std::string>& b) const {
        return std::pair(ToString(a.first), std::string_view(a.second)) <
               std::pair(ToString(b.first), std::string_view(b.second));
    }
};
using ResolvedMap = std::map<std::pair<ResourceKind, std::string>, std::string, ByKindName>;

ResolvedMap ReadResolved(const pugi::xml_node& root) {
    ResolvedMap resolved;
    for (auto entry : Children(Child(root, kResolvedElement), "reference")) {
        const auto text = Text(entry, "kind");
        const auto kind = ParseResourceKind(text);
        if (!kind)
            throw Error(
                ErrorCode::kInternal,
                "a stored datamodel's resolved reference names unknown kind '" + text + "'");
        resolved[{*kind, Text(entry, "text")}] = Text(entry, "internal_id");
    }
    return resolved;
}

// The internal id `text` of `kind` means: what was resolved, else the text itself (an internal
// id, or a datamodel stored before references were resolved).
std::string Canonical(const ResolvedMap& resolved, ResourceKind kind, const std::string& text) {
    auto it = resolved.find({kind, text});
    return it == resolved.end() ? text : it->second;
}

// Walks a canonical datamodel: validates (throws kBadRequest) and fills the typed view, its
// references as the internal ids they were resolved to.
DeploymentSpec Extract(const pugi::xml_node& root,
                       std::string_view internal_id,
                       std::vector<Reference>& references) {
    const auto resolved = ReadResolved(root);
    DeploymentSpec spec;
    spec.internal_id = std::string(internal_id);
    auto tenants = One(root, "tenants", "esc_datamodel");
    auto tenant = One(tenants, "tenant", "<tenants>");
    spec.tenant = Required(tenant, "name", "tenant");
    ValidateInternalId(spec.tenant, "tenant name");
    auto deployments = One(tenant, "deployments", "tenant " + spec.tenant);
    auto deployment = One(deployments, "deployment", "<deployments>");
    spec.name = Required(deployment, "name", "deployment");
    ValidateName(spec.name, kMaxNameLength, "deployment name");

    if (auto networks = Child(deployment, "networks")) {
        for (auto network : Children(networks, "network")) {
            auto name = Required(network, "name", "deployment network");
            ValidateInternalId(name, "deployment network name");
            spec.declared_networks.push_back(name);
        }
    }
    std::set<std::string> names;
    for (auto group_node : Children(deployment, "vm_group")) {
        auto group = ParseGroup(group_node, references);
        if (!names.insert(group.name).second) Bad("two vm_groups are named " + group.name);
        spec.vm_groups.push_back(std::move(group));
    }
    if (spec.vm_groups.empty()) Bad("deployment " + spec.name + " has no <vm_group>");

    // Affinity between groups (deployment policies) must name groups of this deployment.
    // Each group a policy names gets a placement rule relating it to the others it names.
    if (auto policies = Child(deployment, "policies")) {
        for (auto placement : Children(policies, "placement")) {
            std::vector<std::string> named;
            for (std::string_view ref : {"target_vm_group_ref", "vm_group_ref"}) {
                for (auto group : Children(placement, ref)) {
                    std::string name = OwnText(group);
                    if (!names.contains(name))
                        Bad("placement policy names vm_group " + Quoted(name) +
                            ", which the deployment lacks");
                    named.push_back(std::move(name));
                }
            }
            PlacementSpec rule;
            rule.type = OneOf(placement, "type", {"affinity", "anti_affinity"}, "affinity",
                              "placement policy");
            rule.enforcement =
                OneOf(placement, "enforcement", {"strict", "loose"}, "strict", "placement policy");
            for (auto& group : spec.vm_groups) {
                if (std::find(named.begin(), named.end(), group.name) == named.end()) continue;
                auto own = rule;
                for (const auto& other : named)
                    if (other != group.name) own.target_groups.push_back(other);
                group.placement.push_back(std::move(own));
            }
        }
    }

    // Networks the groups use: declared here, or existing ones of the tenant (404 otherwise).
    std::set<std::string> referenced;
    for (const auto& group : spec.vm_groups) {
        for (const auto& nic : group.interfaces) {
            const bool declared =
                std::find(spec.declared_networks.begin(), spec.declared_networks.end(),
                          nic.network) != spec.declared_networks.end();
            if (!declared && referenced.insert(nic.network).second) {
                references.push_back({ResourceKind::kNetwork, nic.network,
                                      "vm_group " + group.name + " interface network"});
            }
        }
    }
    if (resolved.empty()) return spec;
    for (auto& ref : references) ref.internal_id = Canonical(resolved, ref.kind, ref.internal_id);
    for (auto& group : spec.vm_groups) {
        group.image = Canonical(resolved, ResourceKind::kImage, group.image);
        if (!group.flavor.empty())
            group.flavor = Canonical(resolved, ResourceKind::kFlavor, group.flavor);
        for (auto& nic : group.interfaces)
            nic.network = Canonical(resolved, ResourceKind::kNetwork, nic.network);
        for (auto& pool : group.scaling.static_pools)
            pool.network = Canonical(resolved, ResourceKind::kNetwork, pool.network);
    }
    return spec;
}
}  // namespace

namespace {
// A <network> of the deployment (and its <subnet>s) as the resources escd creates for it: the
// same rules as POST /{tenant}/networks and /{tenant}/subnets, ids their <name>s.
void AddDeclared(pugi::xml_node network, const std::string& tenant, ParsedDeployment& parsed) {
    const auto name = ChildText(network, "name").value_or("");
    pugi::xml_document network_doc;
    auto network_root = network_doc.append_copy(network);
    std::vector<pugi::xml_node> subnets;
    for (auto subnet : network_root.children())
        if (LocalName(subnet) == "subnet") subnets.push_back(subnet);
    for (auto subnet : subnets) network_root.remove_child(subnet);
    auto net = ParseResourceRequest(*FindKindXml(ResourceKind::kNetwork), Compact(network_doc),
                                    tenant, name);
    parsed.declared.push_back({ResourceKind::kNetwork,
                               name,
                               tenant,
                               net.name,
                               ResourceState::kCreating,
                               {},
                               net.spec,
                               tenant});
    for (auto subnet : network.children()) {
        if (LocalName(subnet) != "subnet") continue;
        const auto subnet_id = ChildText(subnet, "name").value_or("");
        if (subnet_id.empty()) Bad("a <subnet> of deployment network " + name + " has no <name>");
        ValidateInternalId(subnet_id, "deployment subnet name");
        pugi::xml_document subnet_doc;
        auto subnet_root = subnet_doc.append_copy(subnet);
        if (!Child(subnet_root, "internal_network_id"))
            AppendText(subnet_root, "internal_network_id", name);
        auto sub = ParseResourceRequest(*FindKindXml(ResourceKind::kSubnet), Compact(subnet_doc),
                                        tenant, subnet_id);
        parsed.declared.push_back({ResourceKind::kSubnet,
                                   subnet_id,
                                   tenant,
                                   sub.name,
                                   ResourceState::kCreating,
                                   {},
                                   sub.spec,
                                   name});
    }
}
}  // namespace

ParsedDeployment ParseDeploymentRequest(std::string_view body, std::string_view path_id) {
    ValidateInternalId(path_id, "internal_deployment_id");
    auto request = ParseBody(body);
    auto request_root = RootElement(*request, "esc_datamodel");
    pugi::xml_document doc;
    auto root = doc.append_child("esc_datamodel");
    CopyCanonical(request_root, root);
    DropLayout(root);
    NormaliseNicid(root);
    if (auto opdata = Child(root, "opdata")) root.remove_child(opdata);  // escd's, not input
    DropResolved(root);

    ParsedDeployment parsed;
    parsed.spec = Extract(root, path_id, parsed.references);
    auto deployment =
        Child(Child(Child(Child(root, "tenants"), "tenant"), "deployments"), "deployment");
    std::set<std::string> ids;
    for (auto network : Children(Child(deployment, "networks"), "network"))
        AddDeclared(network, parsed.spec.tenant, parsed);
    for (const auto& record : parsed.declared) {
        if (record.internal_id == path_id || !ids.insert(record.internal_id).second)
            Bad("the deployment declares internal id " + record.internal_id + " twice");
    }
    parsed.stored = Compact(doc);
    return parsed;
}

DeploymentSpec DeploymentSpecFromStored(std::string_view stored, std::string_view internal_id) {
    auto doc = ParseBody(stored);
    std::vector<Reference> ignored;
    return Extract(doc->document_element(), internal_id, ignored);
}

std::vector<Reference> DeploymentReferences(std::string_view stored, std::string_view internal_id) {
    auto doc = ParseBody(stored);
    std::vector<Reference> references;
    Extract(doc->document_element(), internal_id, references);
    return references;
}

namespace {
[[noreturn]] void RefuseChange(const std::string& what) {
    throw Error(ErrorCode::kBadRequest, what + " cannot be changed by an update");
}
}  // namespace

void CheckDeploymentUpdate(const DeploymentSpec& current, const DeploymentSpec& next) {
    if (next.tenant != current.tenant)
        RefuseChange("the tenant of deployment " + current.internal_id + " (" + current.tenant +
                     ")");
    if (next.name != current.name)
        RefuseChange("the name of deployment " + current.internal_id + " (" + current.name + ")");
    for (const auto& was : current.vm_groups) {
        auto it = std::find_if(next.vm_groups.begin(), next.vm_groups.end(),
                               [&](const VmGroupSpec& g) { return g.name == was.name; });
        if (it == next.vm_groups.end()) continue;  // removed: allowed
        const std::string at = "vm_group " + was.name + ": ";
        // A VM's size is fixed once it exists: a new vm_group is the way to change it. Another
        // image is a rolling upgrade of the group's VMs (deployment_rolling.cpp).
        if (it->flavor != was.flavor || it->vcpus != was.vcpus || it->memory_mb != was.memory_mb)
            RefuseChange(at + "the flavor (or vim_vcpus, vim_memory_mb)");
        if (it->volumes != was.volumes) RefuseChange(at + "the volumes");
        for (const auto& nic : was.interfaces) {
            for (const auto& now : it->interfaces) {
                if (now.nicid != nic.nicid) continue;
                if (now.network != nic.network || now.ip_address != nic.ip_address ||
                    now.mac_address != nic.mac_address || now.model != nic.model) {
                    RefuseChange(at + "interface " + std::to_string(nic.nicid) +
                                 " (remove it and add one with another nicid)");
                }
            }
        }
    }
}

void CheckRollingUpgrades(const DeploymentSpec& current,
                          const DeploymentSpec& next,
                          const std::map<std::string, int>& vms) {
    for (const auto& group : next.vm_groups) {
        const auto was = std::find_if(current.vm_groups.begin(), current.vm_groups.end(),
                                      [&](const VmGroupSpec& g) { return g.name == group.name; });
        if (was == current.vm_groups.end() || was->image == group.image) continue;
        const auto found = vms.find(group.name);
        const int now = found == vms.end() ? 0 : found->second;
        // The update first brings the group within its new bounds, then upgrades it.
        const int count = std::clamp(now, group.scaling.min_active,
                                     std::max(group.scaling.min_active, group.scaling.max_active));
        if (count - 1 < group.scaling.min_active) {
            Bad("vm_group " + group.name +
                ": another image is a rolling upgrade that takes its VMs down one at a time; "
                "with " +
                std::to_string(count) + " VM(s) and min_active " +
                std::to_string(group.scaling.min_active) +
                ", fewer than min_active would be alive (lower min_active, or raise max_active, "
                "for the upgrade)");
        }
    }
}

std::vector<ResourceRecord> DeclaredAddedByUpdate(std::string_view current,
                                                  const ParsedDeployment& next) {
    // What the stored datamodel declares, as its deploy created it.
    ParsedDeployment was;
    {
        auto doc = ParseBody(current);
        auto tenant = Child(Child(doc->document_element(), "tenants"), "tenant");
        auto deployment = Child(Child(tenant, "deployments"), "deployment");
        const auto tenant_id = ChildText(tenant, "name").value_or("");
        for (auto network : Children(Child(deployment, "networks"), "network"))
            AddDeclared(network, tenant_id, was);
    }
    const auto& id = next.spec.internal_id;
    const auto declared_before = [&](const ResourceRecord& record) -> const ResourceRecord* {
        for (const auto& old : was.declared)
            if (old.internal_id == record.internal_id && old.kind == record.kind) return &old;
        return nullptr;
    };
    const auto kept = [&](const std::string& network) {
        return std::find(next.spec.declared_networks.begin(), next.spec.declared_networks.end(),
                         network) != next.spec.declared_networks.end();
    };
    std::vector<ResourceRecord> added;
    for (const auto& record : next.declared) {
        const auto* old = declared_before(record);
        const auto& network =
            record.kind == ResourceKind::kNetwork ? record.internal_id : record.parent_id;
        const bool network_before =
            std::any_of(was.declared.begin(), was.declared.end(), [&](const ResourceRecord& r) {
                return r.kind == ResourceKind::kNetwork && r.internal_id == network;
            });
        if (!network_before) {
            added.push_back(record);
        } else if (!old || old->spec != record.spec || old->name != record.name) {
            RefuseChange("network " + network + " that deployment " + id +
                         " declares (declare one of another name instead)");
        }
    }
    for (const auto& old : was.declared) {
        if (old.kind == ResourceKind::kSubnet && kept(old.parent_id) &&
            std::none_of(next.declared.begin(), next.declared.end(),
                         [&](const ResourceRecord& r) { return r.internal_id == old.internal_id; }))
            RefuseChange("network " + old.parent_id + " that deployment " + id +
                         " declares (declare one of another name instead)");
        if (old.kind != ResourceKind::kNetwork || kept(old.internal_id)) continue;
        // Removed with the update: nothing of the new datamodel may still use it.
        for (const auto& ref : next.references) {
            if (ref.kind == ResourceKind::kNetwork && ref.internal_id == old.internal_id)
                Bad("network " + old.internal_id + " is no longer declared by deployment " + id +
                    " (it is removed with the update) but its " + ref.field + " still names it");
        }
        for (const auto& group : next.spec.vm_groups) {
            for (const auto& pool : group.scaling.static_pools) {
                if (pool.network == old.internal_id)
                    Bad("network " + old.internal_id + " is no longer declared by deployment " +
                        id + " (it is removed with the update) but vm_group " + group.name +
                        "'s static_ip_address_pool still names it");
            }
        }
    }
    return added;
}

std::vector<ResolvedReference> ResolvedReferencesOf(std::string_view stored) {
    auto doc = ParseBody(stored);
    std::vector<ResolvedReference> out;
    for (const auto& [key, internal_id] : ReadResolved(doc->document_element()))
        out.push_back({key.first, key.second, internal_id});
    return out;
}

void RecordResolvedReferences(ParsedDeployment& parsed,
                              const std::vector<ResolvedReference>& resolved) {
    auto doc = ParseBody(parsed.stored);
    auto root = doc->document_element();
    DropResolved(root);
    pugi::xml_node table;
    for (const auto& entry : resolved) {
        if (entry.text == entry.internal_id) continue;  // by internal id: nothing to remember
        if (!table) table = root.append_child(kResolvedElement);
        auto node = table.append_child("reference");
        AppendText(node, "kind", ToString(entry.kind));
        AppendText(node, "text", entry.text);
        AppendText(node, "internal_id", entry.internal_id);
    }
    parsed.stored = Compact(*doc);
    parsed.references.clear();
    parsed.spec = Extract(root, parsed.spec.internal_id, parsed.references);
}

std::string DeploymentConfigDocument(std::string_view stored) {
    auto doc = ParseBody(stored);
    auto root = doc->document_element();
    DropResolved(root);
    root.prepend_attribute("xmlns").set_value(kEscNs);
    return Serialize(*doc);
}

}  // namespace escd::model::xml
