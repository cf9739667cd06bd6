// LibvirtAdapter: moving a VM between hosts (see libvirt_adapter.hpp, "Migration").
//
// A move is staged so that a rerun after a crash can tell how far the first run got: the VM on
// the target only (done), on the target and the source (the target copy is complete: finish by
// removing the source), on the source only (start again). The name → host cache points at the
// target before the source copy is stopped, so the source's lifecycle events are not taken for
// the VM's own; a failed move points it back.

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/domain_xml.hpp"
#include "vim/libvirt/libvirt_host.hpp"

namespace escd::vim {
using namespace libvirt;

namespace {
// A domain's snapshot definitions, parents first, and the current one's name: what another host
// needs to know them (libvirt's own migration does not carry them).
struct SnapshotDefinitions {
    std::vector<std::pair<std::string, std::string>> snapshots;  ///< name, XML
    std::string current;
};

SnapshotDefinitions ReadSnapshots(virDomainPtr domain, const std::string& vm_name) {
    virDomainSnapshotPtr* listed = nullptr;
    const int count =
        virDomainListAllSnapshots(domain, &listed, VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL);
    if (count < 0) Fail("cannot list the snapshots of VM " + vm_name);
    SnapshotDefinitions out;
    std::vector<Snapshot> owned;
    for (int i = 0; i < count; ++i) owned.emplace_back(listed[i]);
    free(listed);
    for (const auto& snapshot : owned) {
        std::string name = virDomainSnapshotGetName(snapshot.get());
        auto xml =
            Take(virDomainSnapshotGetXMLDesc(snapshot.get(), VIR_DOMAIN_SNAPSHOT_XML_SECURE));
        if (xml.empty()) Fail("cannot read snapshot " + name + " of VM " + vm_name);
        if (virDomainSnapshotIsCurrent(snapshot.get(), 0) == 1) out.current = name;
        out.snapshots.emplace_back(std::move(name), std::move(xml));
    }
    return out;
}

// Defines on `domain` the snapshots of `definitions` it does not know yet.
void Redefine(virDomainPtr domain,
              const SnapshotDefinitions& definitions,
              const std::string& vm_name) {
    for (const auto& [name, xml] : definitions.snapshots) {
        if (Snapshot known{virDomainSnapshotLookupByName(domain, name.c_str(), 0)}) continue;
        unsigned flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
        if (name == definitions.current) flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
        Snapshot defined(virDomainSnapshotCreateXML(domain, xml.c_str(), flags));
        if (!defined) Fail("cannot carry snapshot " + name + " of VM " + vm_name);
    }
}

// Forgets the domain's snapshot metadata, leaving whatever data a driver keeps in the disks.
// False, with nothing forgotten, when the driver keeps no metadata apart (the test driver).
bool ForgetSnapshots(virDomainPtr domain, const std::string& vm_name) {
    virDomainSnapshotPtr* roots = nullptr;
    const int count = virDomainListAllSnapshots(domain, &roots, VIR_DOMAIN_SNAPSHOT_LIST_ROOTS);
    if (count < 0) Fail("cannot list the snapshots of VM " + vm_name);
    std::vector<Snapshot> owned;
    for (int i = 0; i < count; ++i) owned.emplace_back(roots[i]);
    free(roots);
    for (const auto& root : owned) {
        if (virDomainSnapshotDelete(root.get(), VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN |
                                                    VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) !=
            0) {
            const int code = LastErrorCode();
            if (&root == &owned.front() &&
                (code == VIR_ERR_INVALID_ARG || code == VIR_ERR_NO_SUPPORT))
                return false;
            Fail("cannot set aside the snapshots of VM " + vm_name);
        }
    }
    return true;
}
}  // namespace

asio::awaitable<VmInfo> LibvirtAdapter::MigrateVm(const MigrationRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        const auto& name = request.vm_name;
        Host* target = FindHost(request.target_host);
        if (!target) {
            throw VimError(ErrorCode::kNotFound,
                           "host " + request.target_host + " is not a host of this VIM");
        }
        // Every host is asked (no cache): a cut move may have left a copy on two of them, and a
        // host that does not answer may hold one (Ref throws kUnavailable: try again later).
        std::vector<Located> holders;
        for (auto& host : hosts_) {
            ConnectionRef connection(Ref(*host));
            Domain domain(virDomainLookupByName(connection.get(), name.c_str()));
            if (!domain) {
                if (LastErrorCode() != VIR_ERR_NO_DOMAIN) Fail("cannot look up VM " + name);
                continue;
            }
            holders.push_back({host.get(), std::move(connection), std::move(domain)});
        }
        if (holders.empty())
            throw VimError(ErrorCode::kNotFound, "VM " + name + " does not exist on the VIM");
        for (auto& held : holders) {
            if (held.host != target) continue;
            // Moved by a first run, perhaps without its last stage: finish it.
            Remember(name, *target);
            auto own = VolumesOfDomain(
                Take(virDomainGetXMLDesc(held.domain.get(), VIR_DOMAIN_XML_INACTIVE)),
                VmDiskPrefix(name));
            own.push_back(VolumeName(VolumeKind::kConfigDrive, name));
            for (auto& other : holders) {
                if (other.host == target) continue;
                Redefine(held.domain.get(), ReadSnapshots(other.domain.get(), name), name);
                RemoveSource(other, name, own);
            }
            if (request.type == MigrationType::kCold && request.running &&
                virDomainIsActive(held.domain.get()) != 1 &&
                virDomainCreate(held.domain.get()) != 0)
                Fail("cannot start VM " + name + " on host " + target->name);
            ESCD_INFO("vim") << "VM " << name << " is on host " << target->name << " already";
            return InfoOf(*target, held.domain.get());
        }
        auto& source = holders.front();
        return request.type == MigrationType::kLive ? MoveLive(source, *target, request)
                                                    : MoveCold(source, *target, request);
    });
}

VmInfo LibvirtAdapter::MoveCold(Located& source, Host& target, const MigrationRequest& request) {
    const auto& name = request.vm_name;
    auto* from = source.domain.get();
    const auto xml =
        Take(virDomainGetXMLDesc(from, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE));
    if (xml.empty()) Fail("cannot read the definition of VM " + name);
    const auto snapshots = ReadSnapshots(from, name);
    const auto copied = CopyOwnVolumes(*source.host, target, name, xml);
    ConnectionRef connection(Ref(target));
    const bool was_running = virDomainIsActive(from) == 1;

    Remember(name, target);  // the source's events are now the copy's being given up
    Domain moved;
    try {
        StopDomain(from, name, request.grace);
        // The same definition (name, UUID, MACs, disks by pool and volume) on the target.
        moved.reset(virDomainDefineXML(connection.get(), xml.c_str()));
        if (!moved) Fail("cannot define VM " + name + " on host " + target.name);
        Redefine(moved.get(), snapshots, name);
        if (request.running && virDomainCreate(moved.get()) != 0)
            Fail("cannot start VM " + name + " on host " + target.name);
    } catch (...) {
        // The VM stays where it was, as it was.
        if (moved) {
            if (virDomainIsActive(moved.get()) == 1) virDomainDestroy(moved.get());
            virDomainUndefineFlags(moved.get(), VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
        }
        for (const auto& volume : copied) {
            try {
                DeleteVolumeOn(target, volume);
            } catch (const std::exception& e) {
                ESCD_WARN("vim") << "VM " << name << ": " << e.what();
            }
        }
        Remember(name, *source.host);
        if (was_running && virDomainIsActive(from) != 1 && virDomainCreate(from) != 0)
            ESCD_WARN("vim") << "VM " << name << " could not be restarted on host "
                             << source.host->name << ": " << LastError();
        throw;
    }
    RemoveSource(source, name, copied);
    auto info = InfoOf(target, moved.get());
    ESCD_INFO("vim") << "moved VM " << name << " (cold) from host " << source.host->name << " to "
                     << target.name << " with " << copied.size() << " volume(s) of its own, "
                     << snapshots.snapshots.size() << " snapshot(s)";
    return info;
}

VmInfo LibvirtAdapter::MoveLive(Located& source, Host& target, const MigrationRequest& request) {
    const auto& name = request.vm_name;
    auto* from = source.domain.get();
    if (virDomainIsActive(from) != 1) {
        throw VimError(ErrorCode::kConflict,
                       "VM " + name + " is not running: a live migration moves a running guest");
    }
    // libvirt refuses to migrate a domain with snapshots: their metadata is set aside and
    // defined again where the domain ends up.
    const auto snapshots = ReadSnapshots(from, name);
    // The target needs the volumes of the VM's own (config drive, ephemeral disks); their
    // bytes come over with a block migration.
    const auto copied = CopyOwnVolumes(*source.host, target, name,
                                       Take(virDomainGetXMLDesc(from, VIR_DOMAIN_XML_INACTIVE)));
    ConnectionRef connection(Ref(target));
    const bool set_aside = ForgetSnapshots(from, name);

    Remember(name, target);
    unsigned long flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
    if (request.block_migration) flags |= VIR_MIGRATE_NON_SHARED_DISK;
    Domain moved(virDomainMigrate(from, connection.get(), flags, nullptr, nullptr, 0));
    if (!moved) {
        const int code = LastErrorCode();
        const std::string why = LastError();
        Remember(name, *source.host);
        if (set_aside) Redefine(from, snapshots, name);
        for (const auto& volume : copied) DeleteVolumeOn(target, volume);
        if (code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_ARGUMENT_UNSUPPORTED) {
            throw VimError(
                ErrorCode::kNotImplemented,
                "live migration is not supported by the VIM (" + source.host->uri + "): " + why);
        }
        throw VimError(ErrorCode::kVimError,
                       "cannot migrate VM " + name + " live to host " + target.name + ": " + why);
    }
    Redefine(moved.get(), snapshots, name);
    for (const auto& volume : copied) DeleteVolumeOn(*source.host, volume);
    auto info = InfoOf(target, moved.get());
    ESCD_INFO("vim") << "moved VM " << name << " (live) from host " << source.host->name << " to "
                     << target.name;
    return info;
}

std::vector<std::string> LibvirtAdapter::CopyOwnVolumes(Host& from,
                                                        Host& to,
                                                        const std::string& vm_name,
                                                        const std::string& domain_xml) {
    auto volumes = VolumesOfDomain(domain_xml, VmDiskPrefix(vm_name));
    volumes.insert(volumes.begin(), VolumeName(VolumeKind::kConfigDrive, vm_name));
    std::vector<std::string> copied;
    try {
        for (const auto& volume : volumes)
            if (CopyVolume(from, to, volume)) copied.push_back(volume);
    } catch (...) {
        for (const auto& volume : copied) DeleteVolumeOn(to, volume);
        throw;
    }
    return copied;
}

void LibvirtAdapter::RemoveSource(Located& source,
                                  const std::string& vm_name,
                                  const std::vector<std::string>& volumes) {
    auto* domain = source.domain.get();
    if (virDomainIsActive(domain) == 1 && virDomainDestroy(domain) != 0)
        Fail("cannot stop the copy of VM " + vm_name + " on host " + source.host->name);
    // Its snapshots are the target's now: the source keeps no metadata of them.
    if (virDomainUndefineFlags(domain, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) != 0)
        Fail("cannot remove the copy of VM " + vm_name + " on host " + source.host->name);
    for (const auto& volume : volumes) DeleteVolumeOn(*source.host, volume);
}

}  // namespace escd::vim
