// LibvirtAdapter: networks and subnets (see network_xml.hpp for the mapping), defined on every
// host with one UUID: a VM on any host reaches the same escd network.

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_host.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd::vim {
using namespace libvirt;

namespace {
std::string UuidOf(virNetworkPtr network) {
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (virNetworkGetUUIDString(network, uuid) != 0) Fail("cannot read a network's UUID");
    return uuid;
}

// Defines (or redefines) the network on one connection; `uuid` "" lets libvirt choose one (or
// keeps the existing network's). Returns its UUID.
std::string EnsureNetworkOn(virConnectPtr conn, const NetworkRequest& request, std::string uuid) {
    const auto name = NetworkName(request.internal_id);
    Network existing(virNetworkLookupByName(conn, name.c_str()));
    if (existing && uuid.empty()) uuid = UuidOf(existing.get());

    // A running network picks up a new definition only when restarted; stop it first, since
    // some drivers (the test driver) keep the running definition across a stop otherwise.
    if (existing && virNetworkIsActive(existing.get()) == 1 &&
        virNetworkDestroy(existing.get()) != 0) {
        Fail("cannot restart libvirt network " + name);
    }
    // Define (or redefine: the same name and UUID replace the persistent definition).
    Network network(virNetworkDefineXML(conn, RenderNetworkXml(request, uuid).c_str()));
    if (!network) Fail("cannot define libvirt network " + name);
    uuid = UuidOf(network.get());
    if (request.admin_state_up) {
        if (virNetworkCreate(network.get()) != 0) {
            std::string why = LastError();
            if (!existing) virNetworkUndefine(network.get());  // nothing half-made stays
            throw VimError(ErrorCode::kVimError,
                           "cannot start libvirt network " + name + ": " + why);
        }
        virNetworkSetAutostart(network.get(), 1);
    }
    ESCD_INFO("vim") << (existing ? "redefined" : "defined") << " libvirt network " << name << " "
                     << uuid << " with " << request.subnets.size() << " subnet(s)";
    return uuid;
}
}  // namespace

EnsuredNetwork LibvirtAdapter::EnsureNetworkNow(const NetworkRequest& request) {
    // The first host's UUID (its own, or libvirt's choice) is the network's on every host.
    EnsuredNetwork made;
    for (auto& host : hosts_) {
        ConnectionRef conn(Ref(*host));
        made.external_id = EnsureNetworkOn(conn.get(), request, made.external_id);
    }
    // libvirt has no subnet objects: an id derived from the network's and escd's is stable.
    for (const auto& subnet : request.subnets) {
        made.subnet_external_ids[subnet.internal_id] =
            NameUuid("subnet/" + made.external_id + "/" + subnet.internal_id);
    }
    return made;
}

asio::awaitable<EnsuredNetwork> LibvirtAdapter::EnsureNetwork(const NetworkRequest& request) {
    co_return co_await Offload(pool_, [this, &request] { return EnsureNetworkNow(request); });
}

asio::awaitable<void> LibvirtAdapter::DeleteNetwork(const std::string& internal_id) {
    co_await Offload(pool_, [this, &internal_id] {
        const auto name = NetworkName(internal_id);
        for (auto& host : hosts_) {
            ConnectionRef conn(Ref(*host));
            Network network(virNetworkLookupByName(conn.get(), name.c_str()));
            if (!network) {
                if (LastErrorCode() == VIR_ERR_NO_NETWORK) continue;  // gone already: done
                Fail("cannot look up libvirt network " + name);
            }
            if (virNetworkIsActive(network.get()) == 1 && virNetworkDestroy(network.get()) != 0)
                Fail("cannot stop libvirt network " + name);
            if (virNetworkUndefine(network.get()) != 0)
                Fail("cannot undefine libvirt network " + name);
            ESCD_INFO("vim") << "removed libvirt network " << name;
        }
        return 0;
    });
}

asio::awaitable<bool> LibvirtAdapter::HasNetwork(const std::string& internal_id) {
    co_return co_await Offload(pool_, [this, &internal_id] {
        // Every host must have it; EnsureNetwork makes it so where one lacks it.
        for (auto& host : hosts_) {
            ConnectionRef conn(Ref(*host));
            Network network(virNetworkLookupByName(conn.get(), NetworkName(internal_id).c_str()));
            if (!network) return false;
        }
        return true;
    });
}

}  // namespace escd::vim
