// LibvirtAdapter: VMs as libvirt domains (see domain_xml.hpp for the mapping), each on the host
// that holds it (libvirt_placement.cpp).

#include <algorithm>
#include <sstream>
#include <thread>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/config_drive.hpp"
#include "vim/libvirt/domain_xml.hpp"
#include "vim/libvirt/libvirt_host.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd::vim {
using namespace libvirt;

namespace libvirt {
void StopDomain(virDomainPtr domain, const std::string& name, std::chrono::seconds grace) {
    if (virDomainIsActive(domain) != 1) return;
    // Ask the guest first (ACPI); it has `grace` to power off before it is forced. This runs
    // on the VIM pool, so the wait blocks no Asio thread.
    if (virDomainShutdown(domain) == 0) {
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (virDomainIsActive(domain) == 1 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    if (virDomainIsActive(domain) != 1) return;
    ESCD_WARN("vim") << "VM " << name << " did not power off within " << grace.count()
                     << " s of the ACPI request: forcing it off";
    if (virDomainDestroy(domain) != 0) Fail("cannot stop VM " + name);
}
}  // namespace libvirt

void LibvirtAdapter::MakeConfigDrive(Host& host, const VmRequest& request) {
    const auto archive = TarArchive(request.day0_files);
    const VolumeRequest drive{VolumeKind::kConfigDrive, request.name, request.tenant_id,
                              archive.size(),           "raw",        {}};
    CreateVolumeOn(host, drive, archive);
}

void LibvirtAdapter::MakeDisks(Host& host, const VmRequest& request) {
    for (const auto& disk : request.disks) {
        const VolumeRequest volume{VolumeKind::kVmDisk,
                                   request.name + "-" + std::to_string(disk.volid),
                                   request.tenant_id,
                                   disk.size_bytes,
                                   "raw",
                                   {}};
        CreateVolumeOn(host, volume);
    }
}

void LibvirtAdapter::DeleteOwnVolumes(const std::string& name,
                                      const std::vector<std::string>& disks) {
    for (auto& host : hosts_) {
        DeleteVolumeOn(*host, VolumeName(VolumeKind::kConfigDrive, name));
        for (const auto& disk : disks) DeleteVolumeOn(*host, disk);
    }
}

asio::awaitable<VmInfo> LibvirtAdapter::CreateVm(const VmRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        // A rerun after a crash finds the VM wherever it was made (or moved) before.
        auto found = Locate(request.name);
        const bool existed = found.host != nullptr;
        if (!existed) {
            // Placement named a host (PlaceVm); one unnamed host takes every VM.
            Host* host = &DefaultHost();
            if (DefaultHost().named && !request.host.empty()) {
                host = FindHost(request.host);
                if (!host) {
                    throw VimError(ErrorCode::kVimError, "cannot create VM " + request.name +
                                                             ": no VIM host " + request.host);
                }
            }
            found.host = host;
            found.connection.reset(Ref(*host));
        }
        Host& host = *found.host;
        // The drive and disks are made before the VM that uses them: a VM found by a rerun
        // has its own.
        if (!existed && request.HasConfigDrive()) MakeConfigDrive(host, request);
        if (!existed) MakeDisks(host, request);
        if (!existed) {
            const std::string type = host.uri.rfind("test:", 0) == 0 ? "test" : "qemu";
            auto xml = RenderDomainXml(request, type, options_.storage_pool, options_.instance_id);
            found.domain.reset(virDomainDefineXML(found.connection.get(), xml.c_str()));
            if (!found.domain) Fail("cannot define VM " + request.name);
            Remember(request.name, host);
        }
        auto* domain = found.domain.get();
        if (virDomainIsActive(domain) != 1 && virDomainCreate(domain) != 0) {
            std::string why = LastError();
            if (!existed) {  // nothing half-made stays
                virDomainUndefine(domain);
                Forget(request.name);
            }
            throw VimError(ErrorCode::kVimError, "cannot start VM " + request.name + ": " + why);
        }
        auto info = InfoOf(host, domain);
        ESCD_INFO("vim") << (existed ? "found" : "created") << " VM " << request.name << " "
                         << info.uuid << " on host " << host.name;
        return info;
    });
}

asio::awaitable<void> LibvirtAdapter::DeleteVm(const std::string& name) {
    co_await Offload(pool_, [this, &name] {
        auto found = Locate(name);
        if (!found.host) {
            // Gone already: what a create cut short may have left of it, wherever it is.
            std::vector<std::string> disks;
            for (auto& host : hosts_)
                for (auto& disk : VolumesStartingWith(*host, VmDiskPrefix(name)))
                    disks.push_back(std::move(disk));
            DeleteOwnVolumes(name, disks);
            return 0;
        }
        auto* domain = found.domain.get();
        const auto disks = VolumesOfDomain(
            Take(virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE)), VmDiskPrefix(name));
        if (virDomainIsActive(domain) == 1 && virDomainDestroy(domain) != 0)
            Fail("cannot stop VM " + name);
        // Its snapshots go with it (a driver refuses to undefine a domain that has some).
        DeleteSnapshots(domain, name);
        if (virDomainUndefineFlags(domain, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) != 0)
            Fail("cannot undefine VM " + name);
        Forget(name);
        ESCD_INFO("vim") << "removed VM " << name << " from host " << found.host->name;
        DeleteOwnVolumes(name, disks);
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::StopVm(const std::string& name, std::chrono::seconds grace) {
    co_await Offload(pool_, [this, &name, grace] {
        auto found = FindVm(name);
        if (virDomainIsActive(found.domain.get()) != 1) return 0;
        StopDomain(found.domain.get(), name, grace);
        ESCD_INFO("vim") << "stopped VM " << name;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::StartVm(const std::string& name) {
    co_await Offload(pool_, [this, &name] {
        auto found = FindVm(name);
        if (virDomainIsActive(found.domain.get()) == 1) return 0;
        if (virDomainCreate(found.domain.get()) != 0) Fail("cannot start VM " + name);
        ESCD_INFO("vim") << "started VM " << name;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::RebootVm(const std::string& name,
                                               std::chrono::seconds grace) {
    co_await Offload(pool_, [this, &name, grace] {
        auto found = FindVm(name);
        if (virDomainIsActive(found.domain.get()) != 1)
            throw VimError(ErrorCode::kConflict, "VM " + name + " is not running");
        // Not virDomainReboot: it returns once the guest was asked (ACPI), and a check of the
        // guest that follows at once still finds the old boot answering. Shut down, then start:
        // the reboot is over when this returns, as with Nova.
        StopDomain(found.domain.get(), name, grace);
        if (virDomainCreate(found.domain.get()) != 0) Fail("cannot start VM " + name + " again");
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
        auto found = FindVm(name);
        ChangeNic(found.connection.get(), found.domain.get(), name, nic, true);
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::DetachNic(const std::string& name, const VmNic& nic) {
    co_await Offload(pool_, [this, &name, &nic] {
        auto found = Locate(name);
        if (!found.host) return 0;
        ChangeNic(found.connection.get(), found.domain.get(), name, nic, false);
        return 0;
    });
}

asio::awaitable<std::optional<VmInfo>> LibvirtAdapter::GetVm(const std::string& name) {
    co_return co_await Offload(pool_, [this, &name]() -> std::optional<VmInfo> {
        auto found = Locate(name);
        if (!found.host) return std::nullopt;
        return InfoOf(*found.host, found.domain.get());
    });
}

asio::awaitable<std::optional<VmStats>> LibvirtAdapter::GetVmStats(const std::string& name) {
    co_return co_await Offload(pool_, [this, &name]() -> std::optional<VmStats> {
        auto found = Locate(name);
        if (!found.host) return std::nullopt;
        const auto& domain = found.domain;
        virDomainInfo info{};
        if (virDomainGetInfo(domain.get(), &info) < 0) Fail("cannot read the state of VM " + name);
        VmStats stats;
        stats.sampled_at = std::chrono::steady_clock::now();
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
        std::vector<std::string> names;
        for (auto& host : hosts_) {
            ConnectionRef conn(Ref(*host));
            virDomainPtr* domains = nullptr;
            const int count = virConnectListAllDomains(conn.get(), &domains, 0);
            if (count < 0) Fail("cannot list the VMs of " + host->uri);
            for (int i = 0; i < count; ++i) {
                Domain domain(domains[i]);
                // escd's VMs carry its metadata element; anything else on the hypervisor is not
                // ours.
                char* metadata = virDomainGetMetadata(domain.get(), VIR_DOMAIN_METADATA_ELEMENT,
                                                      kMetadataNs, VIR_DOMAIN_AFFECT_CONFIG);
                if (!metadata) continue;
                const std::string text = metadata;
                free(metadata);
                if (!options_.instance_id.empty() &&
                    text.find("instance=\"" + options_.instance_id + "\"") == std::string::npos)
                    continue;  // another escd's
                const char* name = virDomainGetName(domain.get());
                if (!name) continue;
                // A VM a cut migration left on two hosts is listed once; its move finishes it.
                if (std::find(names.begin(), names.end(), name) != names.end()) continue;
                names.emplace_back(name);
                Remember(name, *host);
            }
            free(domains);
        }
        return names;
    });
}

}  // namespace escd::vim
