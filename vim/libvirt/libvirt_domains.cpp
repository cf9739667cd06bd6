// LibvirtAdapter: VMs as libvirt domains (see domain_xml.hpp for the mapping).

#include <algorithm>
#include <sstream>
#include <thread>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/domain_xml.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"
#include "vim/libvirt/libvirt_handles.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd::vim {
using namespace libvirt;

namespace {
struct DomainFree {
    void operator()(virDomainPtr p) const { virDomainFree(p); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;

[[noreturn]] void Fail(const std::string& what) {
    throw Error(ErrorCode::kVimError, what + ": " + LastError());
}

VmInfo InfoOf(virConnectPtr conn, virDomainPtr domain) {
    VmInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (virDomainGetUUIDString(domain, uuid) == 0) info.uuid = uuid;
    info.running = virDomainIsActive(domain) == 1;
    info.host = Take(virConnectGetHostname(conn));
    return info;
}
}  // namespace

asio::awaitable<VmInfo> LibvirtAdapter::CreateVm(const VmRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        ConnectionRef conn(Ref());
        Domain domain(virDomainLookupByName(conn.get(), request.name.c_str()));
        const bool existed = static_cast<bool>(domain);
        if (!domain) {
            const std::string type = uri_.rfind("test:", 0) == 0 ? "test" : "qemu";
            auto xml = RenderDomainXml(request, type, options_.storage_pool, options_.instance_id);
            domain.reset(virDomainDefineXML(conn.get(), xml.c_str()));
            if (!domain) Fail("cannot define VM " + request.name);
        }
        if (virDomainIsActive(domain.get()) != 1 && virDomainCreate(domain.get()) != 0) {
            std::string why = LastError();
            if (!existed) virDomainUndefine(domain.get());  // nothing half-made stays
            throw Error(ErrorCode::kVimError, "cannot start VM " + request.name + ": " + why);
        }
        auto info = InfoOf(conn.get(), domain.get());
        ESCD_INFO("vim") << (existed ? "found" : "created") << " VM " << request.name << " "
                         << info.uuid;
        return info;
    });
}

asio::awaitable<void> LibvirtAdapter::DeleteVm(const std::string& name) {
    co_await Offload(pool_, [this, &name] {
        ConnectionRef conn(Ref());
        Domain domain(virDomainLookupByName(conn.get(), name.c_str()));
        if (!domain) {
            if (LastErrorCode() == VIR_ERR_NO_DOMAIN) return 0;  // gone already: done
            Fail("cannot look up VM " + name);
        }
        if (virDomainIsActive(domain.get()) == 1 && virDomainDestroy(domain.get()) != 0)
            Fail("cannot stop VM " + name);
        if (virDomainUndefine(domain.get()) != 0) Fail("cannot undefine VM " + name);
        ESCD_INFO("vim") << "removed VM " << name;
        return 0;
    });
}

namespace {
Domain Find(virConnectPtr conn, const std::string& name) {
    Domain domain(virDomainLookupByName(conn, name.c_str()));
    if (!domain) {
        if (LastErrorCode() == VIR_ERR_NO_DOMAIN)
            throw Error(ErrorCode::kNotFound, "VM " + name + " does not exist on the VIM");
        Fail("cannot look up VM " + name);
    }
    return domain;
}
}  // namespace

asio::awaitable<void> LibvirtAdapter::StopVm(const std::string& name, std::chrono::seconds grace) {
    co_await Offload(pool_, [this, &name, grace] {
        ConnectionRef conn(Ref());
        auto domain = Find(conn.get(), name);
        if (virDomainIsActive(domain.get()) != 1) return 0;
        // Ask the guest first (ACPI); it has `grace` to power off before it is forced. This runs
        // on the VIM pool, so the wait blocks no Asio thread.
        if (virDomainShutdown(domain.get()) == 0) {
            const auto deadline = std::chrono::steady_clock::now() + grace;
            while (virDomainIsActive(domain.get()) == 1 &&
                   std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }
        if (virDomainIsActive(domain.get()) == 1 && virDomainDestroy(domain.get()) != 0)
            Fail("cannot stop VM " + name);
        ESCD_INFO("vim") << "stopped VM " << name;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::StartVm(const std::string& name) {
    co_await Offload(pool_, [this, &name] {
        ConnectionRef conn(Ref());
        auto domain = Find(conn.get(), name);
        if (virDomainIsActive(domain.get()) == 1) return 0;
        if (virDomainCreate(domain.get()) != 0) Fail("cannot start VM " + name);
        ESCD_INFO("vim") << "started VM " << name;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::RebootVm(const std::string& name) {
    co_await Offload(pool_, [this, &name] {
        ConnectionRef conn(Ref());
        auto domain = Find(conn.get(), name);
        if (virDomainIsActive(domain.get()) != 1)
            throw Error(ErrorCode::kConflict, "VM " + name + " is not running");
        if (virDomainReboot(domain.get(), 0) != 0) Fail("cannot reboot VM " + name);
        ESCD_INFO("vim") << "rebooted VM " << name;
        return 0;
    });
}

namespace {
// Whether the domain's persistent definition has a NIC with `mac` (libvirt writes MACs in
// lower case; escd generates them so).
bool HasNic(virDomainPtr domain, const std::string& mac) {
    auto xml = Take(virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE));
    return xml.find("address='" + mac + "'") != std::string::npos;
}

// The domain's persistent definition with the NIC added or removed, defined again: for drivers
// that cannot hot-plug (the test driver); a running domain gets the change at its next start.
void RedefineWithNic(virConnectPtr conn, virDomainPtr domain, const VmNic& nic, bool attach) {
    auto xml = Take(virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE));
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) Fail("cannot read the definition of a VM");
    auto devices = doc.document_element().child("devices");
    if (attach) {
        pugi::xml_document device;
        device.load_string(RenderInterfaceXml(nic).c_str());
        devices.append_copy(device.document_element());
    } else {
        for (auto interface : devices.children("interface")) {
            if (nic.mac == interface.child("mac").attribute("address").value()) {
                devices.remove_child(interface);
                break;
            }
        }
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    Domain defined(virDomainDefineXML(conn, out.str().c_str()));
    if (!defined) Fail("cannot define the changed VM");
}

// Attaches or detaches a NIC: live too when the domain runs, always in its definition so that
// it survives a restart of the domain.
void ChangeNic(virConnectPtr conn,
               virDomainPtr domain,
               const std::string& name,
               const VmNic& nic,
               bool attach) {
    if (HasNic(domain, nic.mac) == attach) return;  // done already (a rerun)
    const auto xml = RenderInterfaceXml(nic);
    unsigned flags = VIR_DOMAIN_AFFECT_CONFIG;
    if (virDomainIsActive(domain) == 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
    const int rc = attach ? virDomainAttachDeviceFlags(domain, xml.c_str(), flags)
                          : virDomainDetachDeviceFlags(domain, xml.c_str(), flags);
    if (rc != 0) {
        if (LastErrorCode() != VIR_ERR_NO_SUPPORT) {
            Fail(std::string(attach ? "cannot attach" : "cannot detach") + " NIC " + nic.mac +
                 " of VM " + name);
        }
        RedefineWithNic(conn, domain, nic, attach);
        ESCD_INFO("vim") << "the driver cannot hot-plug NICs: VM " << name
                         << " gets the change at its next start";
    }
    ESCD_INFO("vim") << (attach ? "attached" : "detached") << " NIC " << nic.mac << " (nicid "
                     << nic.nicid << ") of VM " << name;
}
}  // namespace

asio::awaitable<void> LibvirtAdapter::AttachNic(const std::string& name, const VmNic& nic) {
    co_await Offload(pool_, [this, &name, &nic] {
        ConnectionRef conn(Ref());
        auto domain = Find(conn.get(), name);
        ChangeNic(conn.get(), domain.get(), name, nic, true);
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::DetachNic(const std::string& name, const VmNic& nic) {
    co_await Offload(pool_, [this, &name, &nic] {
        ConnectionRef conn(Ref());
        Domain domain(virDomainLookupByName(conn.get(), name.c_str()));
        if (!domain) {
            if (LastErrorCode() == VIR_ERR_NO_DOMAIN) return 0;
            Fail("cannot look up VM " + name);
        }
        ChangeNic(conn.get(), domain.get(), name, nic, false);
        return 0;
    });
}

asio::awaitable<std::optional<VmInfo>> LibvirtAdapter::GetVm(const std::string& name) {
    co_return co_await Offload(pool_, [this, &name]() -> std::optional<VmInfo> {
        ConnectionRef conn(Ref());
        Domain domain(virDomainLookupByName(conn.get(), name.c_str()));
        if (!domain) {
            if (LastErrorCode() == VIR_ERR_NO_DOMAIN) return std::nullopt;
            Fail("cannot look up VM " + name);
        }
        return InfoOf(conn.get(), domain.get());
    });
}

asio::awaitable<std::optional<VmStats>> LibvirtAdapter::GetVmStats(const std::string& name) {
    co_return co_await Offload(pool_, [this, &name]() -> std::optional<VmStats> {
        ConnectionRef conn(Ref());
        Domain domain(virDomainLookupByName(conn.get(), name.c_str()));
        if (!domain) {
            if (LastErrorCode() == VIR_ERR_NO_DOMAIN) return std::nullopt;
            Fail("cannot look up VM " + name);
        }
        virDomainInfo info{};
        if (virDomainGetInfo(domain.get(), &info) < 0) Fail("cannot read the state of VM " + name);
        VmStats stats;
        stats.cpu_time_ns = info.cpuTime;
        stats.vcpus = std::max<int>(1, info.nrVirtCpu);
        stats.memory_kb = info.memory;
        stats.max_memory_kb = info.maxMem;
        if (info.state == VIR_DOMAIN_RUNNING) {
            virDomainMemoryStatStruct memory[VIR_DOMAIN_MEMORY_STAT_NR];
            const int count =
                virDomainMemoryStats(domain.get(), memory, VIR_DOMAIN_MEMORY_STAT_NR, 0);
            for (int i = 0; i < count; ++i)
                if (memory[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED) stats.unused_kb = memory[i].val;
            if (count < 0) virResetLastError();  // no balloon statistics: not an error
        }
        return stats;
    });
}

asio::awaitable<std::vector<std::string>> LibvirtAdapter::ListVmNames() {
    co_return co_await Offload(pool_, [this] {
        ConnectionRef conn(Ref());
        virDomainPtr* domains = nullptr;
        const int count = virConnectListAllDomains(conn.get(), &domains, 0);
        if (count < 0) Fail("cannot list the VMs of " + uri_);
        std::vector<std::string> names;
        for (int i = 0; i < count; ++i) {
            Domain domain(domains[i]);
            // escd's VMs carry its metadata element; anything else on the hypervisor is not ours.
            char* metadata = virDomainGetMetadata(domain.get(), VIR_DOMAIN_METADATA_ELEMENT,
                                                  kMetadataNs, VIR_DOMAIN_AFFECT_CONFIG);
            if (!metadata) continue;
            const std::string text = metadata;
            free(metadata);
            if (!options_.instance_id.empty() &&
                text.find("instance=\"" + options_.instance_id + "\"") == std::string::npos)
                continue;  // another escd's
            if (const char* name = virDomainGetName(domain.get())) names.emplace_back(name);
        }
        free(domains);
        return names;
    });
}

}  // namespace escd::vim
