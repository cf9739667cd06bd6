#include "orchestrator/deployment/day0.hpp"

#include <cctype>

#include "model/xml/deployment_docs.hpp"

namespace escd::orchestrator::day0 {
namespace {
bool IsNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
}  // namespace

std::string Substitute(const std::string& text, const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '$') {
            out += text[i++];
            continue;
        }
        const bool braced = i + 1 < text.size() && text[i + 1] == '{';
        std::size_t start = i + (braced ? 2 : 1);
        std::size_t end = start;
        while (end < text.size() && IsNameChar(text[end])) ++end;
        if (braced && (end >= text.size() || text[end] != '}')) {
            out += text[i++];  // "${" without a closing brace: not a variable
            continue;
        }
        auto it = values.find(text.substr(start, end - start));
        if (end == start || it == values.end()) {
            out += text[i++];  // not ours: leave it as written
            continue;
        }
        out += it->second;
        i = end + (braced ? 1 : 0);
    }
    return out;
}

std::map<std::string, std::string> VmValues(const std::string& deployment_name,
                                            const model::VmRecord& vm) {
    std::map<std::string, std::string> values{{"DEPLOYMENT_NAME", deployment_name},
                                              {"VM_NAME", vm.vm_name},
                                              {"VM_GROUP_NAME", vm.vm_group}};
    for (const auto& nic : model::xml::InterfacesFromStored(vm.interfaces)) {
        const auto prefix = "NICID_" + std::to_string(nic.nicid) + "_";
        values[prefix + "IP_ADDRESS"] = nic.ip_address;
        values[prefix + "GATEWAY"] = nic.gateway;
        values[prefix + "NETMASK"] = nic.netmask;
        values[prefix + "MAC_ADDRESS"] = nic.mac_address;
        values[prefix + "NETWORK"] = nic.network;
    }
    return values;
}

}  // namespace escd::orchestrator::day0
