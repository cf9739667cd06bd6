// LibvirtAdapter: VM snapshots as libvirt domain snapshots named after escd's snapshot id, and
// volumes made from the disk a snapshot recorded (see libvirt_adapter.hpp for the mapping).

#include <sstream>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_host.hpp"

namespace escd::vim {
using namespace libvirt;

std::string libvirt::SnapshotName(const std::string& snapshot_id) {
    return "escd-" + snapshot_id;
}

void libvirt::DeleteSnapshots(virDomainPtr domain, const std::string& name) {
    virDomainSnapshotPtr* snapshots = nullptr;
    // Roots only: deleting one with its children takes its whole tree.
    const int count = virDomainListAllSnapshots(domain, &snapshots, VIR_DOMAIN_SNAPSHOT_LIST_ROOTS);
    if (count < 0) Fail("cannot list the snapshots of VM " + name);
    std::vector<Snapshot> roots;
    for (int i = 0; i < count; ++i) roots.emplace_back(snapshots[i]);
    free(snapshots);
    for (const auto& root : roots) {
        if (virDomainSnapshotDelete(root.get(), VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN) != 0)
            Fail("cannot delete a snapshot of VM " + name);
    }
    if (!roots.empty())
        ESCD_INFO("vim") << "deleted the snapshots of VM " << name << " (" << roots.size()
                         << " root(s))";
}

namespace {
// The snapshot of escd's `snapshot_id` on the domain, or null when there is none.
Snapshot FindSnapshot(virDomainPtr domain, const std::string& snapshot_id) {
    Snapshot snapshot(virDomainSnapshotLookupByName(domain, SnapshotName(snapshot_id).c_str(), 0));
    if (!snapshot && LastErrorCode() != VIR_ERR_NO_DOMAIN_SNAPSHOT)
        Fail("cannot look up snapshot " + snapshot_id);
    return snapshot;
}

std::string SnapshotXml(const SnapshotRequest& request) {
    pugi::xml_document doc;
    auto root = doc.append_child("domainsnapshot");
    root.append_child("name").text().set(SnapshotName(request.snapshot_id).c_str());
    root.append_child("description").text().set(request.description.c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return out.str();
}

// The boot disk a snapshot's definition records: the pool and volume of its first disk.
std::pair<std::string, std::string> RecordedDisk(virDomainSnapshotPtr snapshot,
                                                 const std::string& snapshot_id) {
    pugi::xml_document doc;
    if (!doc.load_string(Take(virDomainSnapshotGetXMLDesc(snapshot, 0)).c_str()))
        Fail("cannot read the definition of snapshot " + snapshot_id);
    auto devices = doc.document_element().child("domain").child("devices");
    for (auto disk : devices.children("disk")) {
        if (std::string_view(disk.attribute("device").as_string("disk")) != "disk") continue;
        auto source = disk.child("source");
        if (std::string_view(disk.attribute("type").value()) == "volume")
            return {source.attribute("pool").value(), source.attribute("volume").value()};
        if (auto file = source.attribute("file")) return {{}, file.value()};
    }
    throw VimError(ErrorCode::kVimError,
                   "snapshot " + snapshot_id + " records no disk to make a volume from");
}
}  // namespace

asio::awaitable<void> LibvirtAdapter::CreateVmSnapshot(const SnapshotRequest& request) {
    co_await Offload(pool_, [this, &request] {
        auto vm = FindVm(request.vm_name);
        if (FindSnapshot(vm.domain.get(), request.snapshot_id)) return 0;  // taken by a first run
        Snapshot taken(
            virDomainSnapshotCreateXML(vm.domain.get(), SnapshotXml(request).c_str(), 0));
        if (!taken) Fail("cannot snapshot VM " + request.vm_name);
        ESCD_INFO("vim") << "took snapshot " << SnapshotName(request.snapshot_id) << " of VM "
                         << request.vm_name;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::RevertVmSnapshot(const std::string& vm_name,
                                                       const std::string& snapshot_id,
                                                       bool running) {
    co_await Offload(pool_, [this, &vm_name, &snapshot_id, running] {
        auto vm = FindVm(vm_name);
        auto snapshot = FindSnapshot(vm.domain.get(), snapshot_id);
        if (!snapshot) {
            throw VimError(ErrorCode::kNotFound,
                           "snapshot " + snapshot_id + " of VM " + vm_name + " is not on the VIM");
        }
        // The snapshot holds the guest as it was, running or not; escd's record of the VM says
        // how it is to be now.
        const unsigned flags = running ? VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING : 0;
        if (virDomainRevertToSnapshot(snapshot.get(), flags) != 0)
            Fail("cannot revert VM " + vm_name + " to snapshot " + snapshot_id);
        if (!running && virDomainIsActive(vm.domain.get()) == 1 &&
            virDomainDestroy(vm.domain.get()) != 0) {
            Fail("cannot stop VM " + vm_name + " after its revert");
        }
        ESCD_INFO("vim") << "reverted VM " << vm_name << " to snapshot " << snapshot_id;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::DeleteVmSnapshot(const std::string& vm_name,
                                                       const std::string& snapshot_id) {
    co_await Offload(pool_, [this, &vm_name, &snapshot_id] {
        auto vm = Locate(vm_name);
        if (!vm.host) return 0;  // the VM, and its snapshots, are gone
        auto snapshot = FindSnapshot(vm.domain.get(), snapshot_id);
        if (!snapshot) return 0;  // gone already: done
        if (virDomainSnapshotDelete(snapshot.get(), 0) != 0)
            Fail("cannot delete snapshot " + snapshot_id + " of VM " + vm_name);
        ESCD_INFO("vim") << "deleted snapshot " << SnapshotName(snapshot_id) << " of VM "
                         << vm_name;
        return 0;
    });
}

asio::awaitable<SnapshotVolume> LibvirtAdapter::CreateVolumeFromSnapshot(
    const SnapshotVolumeRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        auto vm = FindVm(request.vm_name);
        auto snapshot = FindSnapshot(vm.domain.get(), request.snapshot_id);
        if (!snapshot) {
            throw VimError(ErrorCode::kNotFound, "snapshot " + request.snapshot_id + " of VM " +
                                                     request.vm_name + " is not on the VIM");
        }
        const auto [pool_name, disk] = RecordedDisk(snapshot.get(), request.snapshot_id);
        auto* conn = vm.connection.get();
        Volume source;
        if (pool_name.empty()) {
            source.reset(virStorageVolLookupByPath(conn, disk.c_str()));
        } else if (Pool disk_pool{virStoragePoolLookupByName(conn, pool_name.c_str())}) {
            source.reset(virStorageVolLookupByName(disk_pool.get(), disk.c_str()));
        }
        if (!source) Fail("cannot find disk " + disk + " of snapshot " + request.snapshot_id);
        // The clone keeps the disk's size and format: it is the same disk.
        const auto [capacity, format] = ShapeOf(source.get());
        Pool pool(EscdPool(conn));
        const auto name = VolumeName(VolumeKind::kVolume, request.volume_id);
        DeleteStaleVolume(pool.get(), name);
        Volume clone(virStorageVolCreateXMLFrom(
            pool.get(), VolumeXml(name, capacity, format).c_str(), source.get(), 0));
        if (!clone) Fail("cannot make volume " + name + " from disk " + disk);
        const char* key = virStorageVolGetKey(clone.get());
        if (!key) Fail("cannot read the key of volume " + name);
        SnapshotVolume out{key, capacity, vm.host->name, {}};
        ESCD_INFO("vim") << "made volume " << name << " (" << capacity << " bytes) from disk "
                         << disk << " of snapshot " << request.snapshot_id << " on host "
                         << vm.host->name;
        return out;
    });
}

std::vector<std::string> LibvirtAdapter::SnapshotsOfVmForTest(const std::string& vm_name) {
    std::vector<std::string> out;
    auto vm = Locate(vm_name);
    if (!vm.host) return out;
    virDomainSnapshotPtr* snapshots = nullptr;
    const int count = virDomainListAllSnapshots(vm.domain.get(), &snapshots, 0);
    for (int i = 0; i < count; ++i) {
        Snapshot snapshot(snapshots[i]);
        if (const char* name = virDomainSnapshotGetName(snapshot.get())) out.emplace_back(name);
    }
    free(snapshots);
    return out;
}

}  // namespace escd::vim
