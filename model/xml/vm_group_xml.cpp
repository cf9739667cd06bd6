#include "model/xml/vm_group_xml.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "common/ip_network.hpp"
#include "common/url.hpp"
#include "model/ids.hpp"
#include "model/vim_connector.hpp"
#include "model/xml/datamodel_fields.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

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

}  // namespace

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

}  // namespace escd::model::xml
