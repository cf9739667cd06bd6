// The libvirt adapter against the real libvirt test driver, in-process: test:///default keeps one
// state per process, so a second connection opened here sees exactly what the adapter made.
// This is where "the libvirt objects really exist after a create and are gone after a delete"
// is checked; the route tests check the same operations through escd's API.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "orchestrator/monitor/vm_metrics.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"

namespace escd::test {
namespace {

struct ConnectClose {
    void operator()(virConnectPtr c) const { virConnectClose(c); }
};

class LibvirtAdapterTest : public ::testing::Test {
  protected:
    LibvirtAdapterTest()
        : adapter_({"test:///default", "escd-adapter-test", "/tmp/escd-adapter-test", ""}, pool_),
          probe_(virConnectOpen("test:///default")) {}
    ~LibvirtAdapterTest() override { pool_.join(); }

    void SetUp() override {
        ASSERT_TRUE(probe_) << "cannot open test:///default";
        adapter_.Connect();
    }

    std::string NetworkXml(const std::string& name) {
        virNetworkPtr network = virNetworkLookupByName(probe_.get(), name.c_str());
        if (!network) return {};
        char* xml = virNetworkGetXMLDesc(network, 0);
        std::string out = xml ? xml : "";
        free(xml);
        virNetworkFree(network);
        return out;
    }

    bool NetworkActive(const std::string& name) {
        virNetworkPtr network = virNetworkLookupByName(probe_.get(), name.c_str());
        if (!network) return false;
        bool active = virNetworkIsActive(network) == 1;
        virNetworkFree(network);
        return active;
    }

    // Capacity of a volume in escd's pool; -1 when there is none.
    long long VolumeCapacity(const std::string& name) {
        virStoragePoolPtr pool = virStoragePoolLookupByName(probe_.get(), "escd-adapter-test");
        if (!pool) return -1;
        virStorageVolPtr volume = virStorageVolLookupByName(pool, name.c_str());
        long long capacity = -1;
        virStorageVolInfo info;
        if (volume && virStorageVolGetInfo(volume, &info) == 0)
            capacity = static_cast<long long>(info.capacity);
        if (volume) virStorageVolFree(volume);
        virStoragePoolFree(pool);
        return capacity;
    }

    // How many <interface>s the persistent definition of domain `name` has; -1: no domain.
    int DefinedNics(const std::string& name) {
        virDomainPtr domain = virDomainLookupByName(probe_.get(), name.c_str());
        if (!domain) return -1;
        char* xml = virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE);
        std::string text = xml ? xml : "";
        free(xml);
        virDomainFree(domain);
        int count = 0;
        for (auto at = text.find("<interface "); at != std::string::npos;
             at = text.find("<interface ", at + 1))
            ++count;
        return count;
    }

    asio::thread_pool pool_{1};
    vim::LibvirtAdapter adapter_;
    std::unique_ptr<virConnect, ConnectClose> probe_;
};

vim::NetworkRequest Network(const std::string& id) {
    vim::NetworkRequest request;
    request.internal_id = id;
    request.tenant_id = "tenant-a";
    request.name = "mgmt";
    return request;
}

TEST_F(LibvirtAdapterTest, NetworkIsDefinedWithItsSubnetsAndEscdsIdsAndRemovedAgain) {
    auto request = Network("adapter-net1");
    request.subnets.push_back(
        {"sub-a", "10.55.0.0/24", "10.55.0.1", true, {{"10.55.0.10", "10.55.0.99"}}});
    const auto made = SyncWait(adapter_.EnsureNetwork(request));
    const auto& uuid = made.external_id;
    EXPECT_EQ(uuid.size(), 36u);
    // The subnet's id comes with its network's, stable for the same ids.
    EXPECT_EQ(made.SubnetExternalId("sub-a").size(), 36u);
    EXPECT_EQ(made.SubnetExternalId("sub-a"),
              SyncWait(adapter_.EnsureNetwork(request)).SubnetExternalId("sub-a"));

    auto xml = NetworkXml("escd-adapter-net1");
    ASSERT_FALSE(xml.empty()) << "no libvirt network escd-adapter-net1";
    EXPECT_TRUE(NetworkActive("escd-adapter-net1"));
    EXPECT_NE(xml.find(uuid), std::string::npos);
    EXPECT_NE(xml.find("address='10.55.0.1' prefix='24'"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<range start='10.55.0.10' end='10.55.0.99'"), std::string::npos) << xml;
    EXPECT_NE(xml.find("id=\"adapter-net1\""), std::string::npos) << xml;  // escd's id
    EXPECT_NE(xml.find("tenant=\"tenant-a\""), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<forward"), std::string::npos) << "escd networks are isolated: " << xml;

    // The same id again (an update, or a rerun after a crash): the same network, new subnets.
    request.subnets.clear();
    EXPECT_EQ(SyncWait(adapter_.EnsureNetwork(request)).external_id, uuid);
    EXPECT_EQ(NetworkXml("escd-adapter-net1").find("10.55.0.1"), std::string::npos)
        << NetworkXml("escd-adapter-net1");

    SyncWait(adapter_.DeleteNetwork("adapter-net1"));
    EXPECT_TRUE(NetworkXml("escd-adapter-net1").empty());
    SyncWait(adapter_.DeleteNetwork("adapter-net1"));  // gone already: still a success
}

TEST_F(LibvirtAdapterTest, AdministrativelyDownNetworkIsDefinedButNotStarted) {
    auto request = Network("adapter-down");
    request.admin_state_up = false;
    SyncWait(adapter_.EnsureNetwork(request));
    EXPECT_FALSE(NetworkXml("escd-adapter-down").empty());
    EXPECT_FALSE(NetworkActive("escd-adapter-down"));
    SyncWait(adapter_.DeleteNetwork("adapter-down"));
}

TEST_F(LibvirtAdapterTest, VolumesLiveInEscdsPoolAndARerunReplacesInsteadOfDuplicating) {
    vim::VolumeRequest blank{
        vim::VolumeKind::kVolume, "adapter-v1", "tenant-a", 1 << 20, "raw", {}};
    auto first = SyncWait(adapter_.CreateVolume(blank));
    EXPECT_NE(first.external_id.find("escd-volume-adapter-v1"), std::string::npos);
    EXPECT_EQ(VolumeCapacity("escd-volume-adapter-v1"), 1 << 20);

    blank.capacity_bytes = 2 << 20;
    auto second = SyncWait(adapter_.CreateVolume(blank));
    EXPECT_EQ(second.external_id, first.external_id);
    EXPECT_EQ(VolumeCapacity("escd-volume-adapter-v1"), 2 << 20);

    SyncWait(adapter_.DeleteVolume(vim::VolumeKind::kVolume, "adapter-v1"));
    EXPECT_EQ(VolumeCapacity("escd-volume-adapter-v1"), -1);
    SyncWait(adapter_.DeleteVolume(vim::VolumeKind::kVolume,
                                   "adapter-v1"));  // gone already: still a success
}

TEST_F(LibvirtAdapterTest, ImageVolumeHasTheSourcesSizeAndSaysTheTestDriverCannotUpload) {
    const std::string source = "/tmp/escd-adapter-image.raw";
    std::ofstream(source) << std::string(12345, 'i');
    vim::VolumeRequest image{vim::VolumeKind::kImage, "adapter-img", "", 12345, "raw", source};
    auto object = SyncWait(adapter_.CreateVolume(image));
    EXPECT_EQ(VolumeCapacity("escd-image-adapter-img"), 12345);
    EXPECT_NE(object.note.find("cannot upload"), std::string::npos) << object.note;
    SyncWait(adapter_.DeleteVolume(vim::VolumeKind::kImage, "adapter-img"));
    std::filesystem::remove(source);
}

TEST(LibvirtAdapterUnreachable, AnUnreachableVimIsReportedAsUnavailable) {
    asio::thread_pool pool(1);
    vim::LibvirtAdapter adapter({"test:///nonexistent/escd.xml", "escd", "/tmp/x", ""}, pool);
    try {
        adapter.Connect();
        ADD_FAILURE() << "connected to a VIM that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
    EXPECT_FALSE(SyncWait(adapter.CheckStatus()).reachable);
    pool.join();
}

TEST_F(LibvirtAdapterTest, NicsAreAddedToAndRemovedFromAVmOnceEach) {
    SyncWait(adapter_.EnsureNetwork(Network("adapter-nicnet")));
    vim::VmRequest vm;
    vm.name = "adapter-vm-nics";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    vm.nics.push_back({0, "adapter-nicnet", "52:54:00:00:00:01", "virtio"});
    auto info = SyncWait(adapter_.CreateVm(vm));
    EXPECT_TRUE(info.running);
    EXPECT_EQ(DefinedNics(vm.name), 1);
    const vim::VmNic second{1, "adapter-nicnet", "52:54:00:00:00:02", "e1000"};
    SyncWait(adapter_.AttachNic(vm.name, second));
    SyncWait(adapter_.AttachNic(vm.name, second));  // a rerun: still one
    EXPECT_EQ(DefinedNics(vm.name), 2);
    SyncWait(adapter_.DetachNic(vm.name, vm.nics[0]));
    SyncWait(adapter_.DetachNic(vm.name, vm.nics[0]));  // gone already: a success
    EXPECT_EQ(DefinedNics(vm.name), 1);
    SyncWait(adapter_.DeleteVm(vm.name));
    EXPECT_EQ(DefinedNics(vm.name), -1);
    SyncWait(adapter_.DetachNic(vm.name, second));  // no VM: nothing to remove
    SyncWait(adapter_.DeleteNetwork("adapter-nicnet"));
}

TEST_F(LibvirtAdapterTest, EphemeralDisksAreMadeWithTheVmWritableAndRemovedWithIt) {
    vim::VmRequest vm;
    vm.name = "adapter-vm-disks";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    vm.disks = {{0, 1 << 20, "virtio", ""}, {1, 2 << 20, "scsi", ""}};
    SyncWait(adapter_.CreateVm(vm));
    EXPECT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-0"), 1 << 20);
    EXPECT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-1"), 2 << 20);
    virDomainPtr domain = virDomainLookupByName(probe_.get(), vm.name.c_str());
    ASSERT_NE(domain, nullptr);
    char* xml = virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE);
    const std::string text = xml ? xml : "";
    free(xml);
    virDomainFree(domain);
    EXPECT_NE(text.find("escd-disk-adapter-vm-disks-1"), std::string::npos) << text;
    EXPECT_EQ(text.find("<readonly/>"), std::string::npos) << "the disks are written to";

    SyncWait(adapter_.DeleteVm(vm.name));
    EXPECT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-0"), -1);
    EXPECT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-1"), -1);

    // A create cut short after its disks were made left no VM: the delete finds them by name.
    SyncWait(
        adapter_.CreateVolume({vim::VolumeKind::kVmDisk, vm.name + "-0", "", 4096, "raw", {}}));
    ASSERT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-0"), 4096);
    SyncWait(adapter_.DeleteVm(vm.name));
    EXPECT_EQ(VolumeCapacity("escd-disk-adapter-vm-disks-0"), -1);
}

// Names of the snapshots of domain `name` as the probe connection sees them.
std::vector<std::string> SnapshotNames(virConnectPtr probe, const std::string& name) {
    std::vector<std::string> out;
    virDomainPtr domain = virDomainLookupByName(probe, name.c_str());
    if (!domain) return out;
    virDomainSnapshotPtr* snapshots = nullptr;
    const int count = virDomainListAllSnapshots(domain, &snapshots, 0);
    for (int i = 0; i < count; ++i) {
        out.emplace_back(virDomainSnapshotGetName(snapshots[i]));
        virDomainSnapshotFree(snapshots[i]);
    }
    free(snapshots);
    virDomainFree(domain);
    return out;
}

bool DomainActive(virConnectPtr probe, const std::string& name) {
    virDomainPtr domain = virDomainLookupByName(probe, name.c_str());
    if (!domain) return false;
    const bool active = virDomainIsActive(domain) == 1;
    virDomainFree(domain);
    return active;
}

TEST_F(LibvirtAdapterTest, SnapshotsAreTakenRevertedAndDeletedOnceEachByTheirId) {
    SyncWait(
        adapter_.CreateVolume({vim::VolumeKind::kImage, "adapter-snapimg", "", 4096, "qcow2", {}}));
    vim::VmRequest vm;
    vm.name = "adapter-vm-snap";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    vm.image_id = "adapter-snapimg";
    SyncWait(adapter_.CreateVm(vm));
    const vim::SnapshotRequest request{vm.name, "snap-1", "before the upgrade"};
    SyncWait(adapter_.CreateVmSnapshot(request));
    SyncWait(adapter_.CreateVmSnapshot(request));  // a rerun finds it
    EXPECT_EQ(SnapshotNames(probe_.get(), vm.name), (std::vector<std::string>{"escd-snap-1"}));

    // Revert: the VM ends as asked, whatever the snapshot held.
    SyncWait(adapter_.RevertVmSnapshot(vm.name, "snap-1", false));
    EXPECT_FALSE(DomainActive(probe_.get(), vm.name));
    SyncWait(adapter_.RevertVmSnapshot(vm.name, "snap-1", true));
    EXPECT_TRUE(DomainActive(probe_.get(), vm.name));
    try {
        SyncWait(adapter_.RevertVmSnapshot(vm.name, "no-such-snap", true));
        ADD_FAILURE() << "reverted to a snapshot that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }

    // A volume from it: a clone of the boot disk the snapshot recorded, in escd's pool.
    const vim::SnapshotVolumeRequest volume{vm.name, "snap-1", "adapter-snapvol", "tenant-a"};
    auto made = SyncWait(adapter_.CreateVolumeFromSnapshot(volume));
    EXPECT_EQ(made.capacity_bytes, 4096u);
    EXPECT_NE(made.external_id.find("escd-volume-adapter-snapvol"), std::string::npos);
    EXPECT_EQ(VolumeCapacity("escd-volume-adapter-snapvol"), 4096);
    SyncWait(adapter_.CreateVolumeFromSnapshot(volume));  // a rerun replaces it
    EXPECT_EQ(VolumeCapacity("escd-volume-adapter-snapvol"), 4096);
    SyncWait(adapter_.DeleteVolume(vim::VolumeKind::kVolume, "adapter-snapvol"));

    SyncWait(adapter_.DeleteVmSnapshot(vm.name, "snap-1"));
    SyncWait(adapter_.DeleteVmSnapshot(vm.name, "snap-1"));  // gone already: a success
    EXPECT_TRUE(SnapshotNames(probe_.get(), vm.name).empty());

    // A VM is removed with the snapshots it still has.
    SyncWait(adapter_.CreateVmSnapshot({vm.name, "snap-2", "kept"}));
    SyncWait(adapter_.DeleteVm(vm.name));
    EXPECT_EQ(DefinedNics(vm.name), -1);
    SyncWait(adapter_.DeleteVmSnapshot(vm.name, "snap-2"));  // no VM: nothing to remove
    try {
        SyncWait(adapter_.CreateVmSnapshot({vm.name, "snap-3", "of nothing"}));
        ADD_FAILURE() << "took a snapshot of a VM that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    SyncWait(adapter_.DeleteVolume(vim::VolumeKind::kImage, "adapter-snapimg"));
}

TEST_F(LibvirtAdapterTest, OneUnnamedHostIsTheHypervisorsAndLiveMigrationHasNowhereToGo) {
    auto hosts = SyncWait(adapter_.ListHosts());
    ASSERT_EQ(hosts.size(), 1u);
    vim::VmRequest vm;
    vm.name = "adapter-vm-onehost";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    EXPECT_EQ(SyncWait(adapter_.CreateVm(vm)).host, hosts.front());
    vim::MigrationRequest move;
    move.vm_name = vm.name;
    move.target_host = "elsewhere";
    try {
        SyncWait(adapter_.MigrateVm(move));
        ADD_FAILURE() << "migrated to a host the VIM does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    SyncWait(adapter_.DeleteVm(vm.name));
}

TEST_F(LibvirtAdapterTest, VmStatsGiveCpuTimeAndMemoryForTheMetrics) {
    vim::VmRequest vm;
    vm.name = "adapter-vm-stats";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    SyncWait(adapter_.CreateVm(vm));
    const auto before = std::chrono::steady_clock::now();
    auto first = SyncWait(adapter_.GetVmStats(vm.name));
    auto second = SyncWait(adapter_.GetVmStats(vm.name));
    const auto after = std::chrono::steady_clock::now();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->vcpus, 1);
    EXPECT_EQ(first->memory_kb, 64u * 1024);
    EXPECT_EQ(first->max_memory_kb, 64u * 1024);
    EXPECT_GE(second->cpu_time_ns, first->cpu_time_ns);
    // Stamped when read, on the VIM pool: the time between the samples leaves out how long this
    // thread waited for the pool and for its answers, which a loaded machine stretches.
    EXPECT_LE(before, first->sampled_at);
    EXPECT_LT(first->sampled_at, second->sampled_at);
    EXPECT_LE(second->sampled_at, after);
    // The test driver's CPU time is the wall clock: a VM of one vCPU is busy all the time.
    EXPECT_GT(orchestrator::CpuUtilisation(*first, *second), 50.0);
    EXPECT_DOUBLE_EQ(orchestrator::MemoryUtilisation(*second), 100.0);
    SyncWait(adapter_.DeleteVm(vm.name));
    EXPECT_FALSE(SyncWait(adapter_.GetVmStats(vm.name)));
}

TEST_F(LibvirtAdapterTest, LifecycleEventsReportVmsStartingAndStopping) {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, bool>> events;
    ASSERT_TRUE(adapter_.SubscribeVmEvents([&](const std::string& name, bool running) {
        std::lock_guard lock(mutex);
        events.emplace_back(name, running);
        changed.notify_all();
    }));
    const auto await = [&](const std::string& name, bool running) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(10), [&] {
            return std::find(events.begin(), events.end(), std::make_pair(name, running)) !=
                   events.end();
        });
    };
    vim::VmRequest vm;
    vm.name = "adapter-vm-events";
    vm.deployment_id = "d";
    vm.memory_mb = 64;
    SyncWait(adapter_.CreateVm(vm));
    EXPECT_TRUE(await(vm.name, true));
    // Behind escd's back, through another connection.
    virDomainPtr domain = virDomainLookupByName(probe_.get(), vm.name.c_str());
    ASSERT_NE(domain, nullptr);
    EXPECT_EQ(virDomainDestroy(domain), 0);
    virDomainFree(domain);
    EXPECT_TRUE(await(vm.name, false));
    SyncWait(adapter_.DeleteVm(vm.name));
    adapter_.SubscribeVmEvents(nullptr);
}

}  // namespace
}  // namespace escd::test
