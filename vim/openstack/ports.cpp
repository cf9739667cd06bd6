#include "vim/openstack/ports.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/log.hpp"

namespace escd::vim::openstack {

namespace {
std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The same address however it is written ("fd00::0a" and Neutron's "fd00::a").
bool SameAddress(const std::string& a, const std::string& b) {
    const auto pa = ParseIp(a);
    const auto pb = ParseIp(b);
    return pa && pb ? *pa == *pb : a == b;
}

// Whether the port's address `have` is one the request's `want` allows: an empty field of
// `want` is "any" (Neutron chose).
bool Covers(const FixedIp& want, const FixedIp& have) {
    return (want.subnet_id.empty() || want.subnet_id == have.subnet_id) &&
           (want.ip_address.empty() || SameAddress(want.ip_address, have.ip_address));
}
}  // namespace

bool Ports::Matches(const PortRequest& request, const Port& port) {
    if (port.network_id != request.network_id) return false;
    if (!request.mac.empty() && Lower(request.mac) != Lower(port.mac)) return false;
    if (request.fixed_ips.empty()) return true;
    if (request.fixed_ips.size() != port.fixed_ips.size()) return false;
    // Same count, each wanted address present and each present one wanted.
    for (const auto& want : request.fixed_ips) {
        if (std::none_of(port.fixed_ips.begin(), port.fixed_ips.end(),
                         [&](const FixedIp& have) { return Covers(want, have); }))
            return false;
    }
    for (const auto& have : port.fixed_ips) {
        if (std::none_of(request.fixed_ips.begin(), request.fixed_ips.end(),
                         [&](const FixedIp& want) { return Covers(want, have); }))
            return false;
    }
    return true;
}

asio::awaitable<std::vector<Port>> Ports::FindPorts(std::string vm_name) {
    const auto answer = co_await session_.Call(
        "network", http::verb::get, "/v2.0/ports?description=" + QueryValue(PortOwner(vm_name)));
    co_return ParsePorts(answer.body);
}

asio::awaitable<std::optional<Port>> Ports::GetPort(std::string port_id) {
    const auto answer =
        co_await session_.Call("network", http::verb::get, "/v2.0/ports/" + QueryValue(port_id),
                               std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    co_return ParsePort(answer.body);
}

asio::awaitable<Port> Ports::EnsurePort(PortRequest request) {
    std::vector<PortRequest> one;
    one.push_back(std::move(request));
    auto ports = co_await EnsurePorts(std::move(one));
    co_return std::move(ports.front());
}

asio::awaitable<std::vector<Port>> Ports::EnsurePorts(std::vector<PortRequest> requests) {
    std::vector<std::optional<Port>> chosen(requests.size());
    std::vector<std::string> doomed;  // port ids to delete before creating
    std::vector<std::string> listed;  // VMs whose ports were listed
    std::vector<Port> existing;
    for (const auto& request : requests) {
        if (std::find(listed.begin(), listed.end(), request.vm_name) != listed.end()) continue;
        listed.push_back(request.vm_name);
        auto ports = co_await FindPorts(request.vm_name);
        existing.insert(existing.end(), std::make_move_iterator(ports.begin()),
                        std::make_move_iterator(ports.end()));
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto name = PortName(requests[i].vm_name, requests[i].nicid);
        for (const auto& port : existing) {
            if (port.name != name) continue;
            if (!chosen[i] && Matches(requests[i], port)) {
                chosen[i] = port;
            } else {
                doomed.push_back(port.id);
            }
        }
    }
    // Deleted first: a port made again usually wants the MAC or address of the one it replaces.
    for (const auto& id : doomed) {
        co_await DeletePort(id);
        ESCD_INFO("vim") << "deleted Neutron port " << id
                         << " (not what escd asks, or a duplicate)";
    }
    std::vector<PortRequest> missing;
    for (std::size_t i = 0; i < requests.size(); ++i)
        if (!chosen[i]) missing.push_back(requests[i]);
    if (!missing.empty()) {
        const auto answer =
            co_await session_.Call("network", http::verb::post, "/v2.0/ports", PortsBody(missing));
        auto made = ParsePorts(answer.body);
        if (made.size() != missing.size())
            throw VimError(ErrorCode::kVimError, "Neutron made " + std::to_string(made.size()) +
                                                     " ports of the " +
                                                     std::to_string(missing.size()) + " asked");
        // Neutron answers a bulk create in the order asked.
        std::size_t next = 0;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            if (chosen[i]) continue;
            auto& port = made[next++];
            ESCD_INFO("vim") << "created Neutron port " << port.name << " " << port.id << " "
                             << port.mac;
            chosen[i] = std::move(port);
        }
    }
    std::vector<Port> out;
    out.reserve(chosen.size());
    for (auto& port : chosen) out.push_back(std::move(*port));
    co_return out;
}

asio::awaitable<void> Ports::DeletePort(std::string port_id) {
    co_await session_.Call("network", http::verb::delete_, "/v2.0/ports/" + QueryValue(port_id),
                           std::string(), kGoneIsAnAnswer);
}

asio::awaitable<void> Ports::DeletePorts(std::string vm_name) {
    const auto ports = co_await FindPorts(vm_name);
    for (const auto& port : ports) {
        co_await DeletePort(port.id);
        ESCD_INFO("vim") << "deleted Neutron port " << port.name << " " << port.id;
    }
}

}  // namespace escd::vim::openstack
