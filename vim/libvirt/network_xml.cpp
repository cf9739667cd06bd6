#include "vim/libvirt/network_xml.hpp"

#include <sstream>

#include <pugixml.hpp>

#include "common/ip_network.hpp"

namespace escd::vim::libvirt {

std::string NetworkName(const std::string& internal_id) {
    return "escd-" + internal_id;
}

std::string RenderNetworkXml(const NetworkRequest& request, const std::string& uuid) {
    pugi::xml_document doc;
    auto network = doc.append_child("network");
    network.append_child("name").text().set(NetworkName(request.internal_id).c_str());
    if (!uuid.empty()) network.append_child("uuid").text().set(uuid.c_str());
    auto object = network.append_child("metadata").append_child("escd:object");
    object.append_attribute("xmlns:escd").set_value(kMetadataNs);
    object.append_attribute("kind").set_value("network");
    object.append_attribute("id").set_value(request.internal_id.c_str());
    object.append_attribute("tenant").set_value(request.tenant_id.c_str());
    object.append_attribute("name").set_value(request.name.c_str());

    bool dhcp_v4 = false, dhcp_v6 = false;
    for (const auto& subnet : request.subnets) {
        if (subnet.gateway.empty()) continue;  // no host address on the bridge: nothing to define
        auto net = IpNetwork::Parse(subnet.cidr);
        if (!net) continue;  // validated by the model; never stored malformed
        auto ip = network.append_child("ip");
        ip.append_attribute("address").set_value(subnet.gateway.c_str());
        ip.append_attribute("prefix").set_value(net->prefix());
        if (!net->is_v4()) ip.append_attribute("family").set_value("ipv6");
        bool& served = net->is_v4() ? dhcp_v4 : dhcp_v6;
        if (subnet.enable_dhcp && !served && !subnet.pools.empty()) {
            served = true;
            auto dhcp = ip.append_child("dhcp");
            for (const auto& [start, end] : subnet.pools) {
                auto range = dhcp.append_child("range");
                range.append_attribute("start").set_value(start.c_str());
                range.append_attribute("end").set_value(end.c_str());
            }
        }
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

}  // namespace escd::vim::libvirt
