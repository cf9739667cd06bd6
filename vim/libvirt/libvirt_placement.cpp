// LibvirtAdapter: which host holds each VM. A name → host cache answers first and is verified
// by the lookup itself; on a miss (a VM created before a restart, or moved) every host is asked.

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "vim/libvirt/libvirt_host.hpp"

namespace escd::vim {
using namespace libvirt;

void LibvirtAdapter::Remember(const std::string& vm_name, Host& host) {
    std::lock_guard lock(placement_mutex_);
    placement_[vm_name] = &host;
}

void LibvirtAdapter::Forget(const std::string& vm_name) {
    std::lock_guard lock(placement_mutex_);
    placement_.erase(vm_name);
}

LibvirtAdapter::Host* LibvirtAdapter::Remembered(const std::string& vm_name) {
    std::lock_guard lock(placement_mutex_);
    auto it = placement_.find(vm_name);
    return it == placement_.end() ? nullptr : it->second;
}

LibvirtAdapter::Located LibvirtAdapter::Locate(const std::string& vm_name) {
    Host* remembered = Remembered(vm_name);
    std::string unanswered;  // why a host that may hold the VM could not be asked
    const auto ask = [&](Host& host) -> Located {
        ConnectionRef connection;
        try {
            connection.reset(Ref(host));
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kUnavailable) throw;
            if (unanswered.empty()) unanswered = e.what();
            return {};
        }
        Domain domain(virDomainLookupByName(connection.get(), vm_name.c_str()));
        if (!domain) {
            if (LastErrorCode() != VIR_ERR_NO_DOMAIN)
                Fail("cannot look up VM " + vm_name + " on " + host.uri);
            return {};
        }
        return {&host, std::move(connection), std::move(domain)};
    };
    if (remembered) {
        if (auto found = ask(*remembered); found.host) return found;
    }
    for (auto& host : hosts_) {
        if (host.get() == remembered) continue;  // asked already
        if (auto found = ask(*host); found.host) {
            Remember(vm_name, *host);
            return found;
        }
    }
    Forget(vm_name);
    // Gone from every host that answered; one that did not may still hold it.
    if (!unanswered.empty()) throw VimError(ErrorCode::kUnavailable, unanswered);
    return {};
}

LibvirtAdapter::Located LibvirtAdapter::FindVm(const std::string& vm_name) {
    auto found = Locate(vm_name);
    if (!found.host)
        throw VimError(ErrorCode::kNotFound, "VM " + vm_name + " does not exist on the VIM");
    return found;
}

VmInfo LibvirtAdapter::InfoOf(const Host& host, virDomainPtr domain) {
    VmInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (virDomainGetUUIDString(domain, uuid) == 0) info.uuid = uuid;
    info.running = virDomainIsActive(domain) == 1;
    info.host = host.name;
    return info;
}

std::vector<std::string> LibvirtAdapter::HostsOfVmForTest(const std::string& vm_name) {
    std::vector<std::string> out;
    for (auto& host : hosts_) {
        ConnectionRef connection(Ref(*host));
        Domain domain(virDomainLookupByName(connection.get(), vm_name.c_str()));
        if (domain) out.push_back(host->name);
    }
    return out;
}

}  // namespace escd::vim
