// The libvirt adapter with two named hosts, each a libvirt test driver of its own (a custom XML
// file written by the test: every open of such a file is a private instance, so the adapter's
// own test hooks report what each host holds). Placement on a named host, the name → host
// lookup, networks and images on every host, config drives with their VM, cold migration with
// snapshots and config drive, live migration refused by the test driver, lifecycle events of
// whichever host holds a VM.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"

namespace escd::test {
namespace {
namespace fs = std::filesystem;
using Names = std::vector<std::string>;

class LibvirtMultiHost : public ::testing::Test {
  protected:
    LibvirtMultiHost()
        : dir_(fs::temp_directory_path() /
               ("escd-multihost-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        fs::create_directories(dir_);
        for (const char* host : {"host-a", "host-b"})
            std::ofstream(dir_ / (std::string(host) + ".xml")) << "<node/>\n";
        adapter_ = std::make_unique<vim::LibvirtAdapter>(
            vim::LibvirtAdapter::Options{"test:///default",
                                         "escd-multihost",
                                         (dir_ / "pool").string(),
                                         "",
                                         {{"host-a", "test://" + (dir_ / "host-a.xml").string()},
                                          {"host-b", "test://" + (dir_ / "host-b.xml").string()}}},
            pool_);
    }
    ~LibvirtMultiHost() override {
        adapter_.reset();
        pool_.join();
        fs::remove_all(dir_);
    }

    void SetUp() override { adapter_->Connect(); }

    vim::VmRequest Vm(const std::string& name, const std::string& host) {
        vim::VmRequest vm;
        vm.name = name;
        vm.deployment_id = "d";
        vm.memory_mb = 64;
        vm.image_id = "img";
        vm.host = host;
        return vm;
    }

    fs::path dir_;
    asio::thread_pool pool_{1};
    std::unique_ptr<vim::LibvirtAdapter> adapter_;
};

TEST_F(LibvirtMultiHost, VmsGoToTheNamedHostAndAreFoundThereByEveryCall) {
    EXPECT_EQ(SyncWait(adapter_->ListHosts()), (Names{"host-a", "host-b"}));
    EXPECT_TRUE(SyncWait(adapter_->CheckStatus()).reachable);

    // Networks and images are on every host: a VM may be placed on any.
    vim::NetworkRequest network;
    network.internal_id = "net";
    network.name = "net";
    const auto uuid = SyncWait(adapter_->EnsureNetwork(network)).external_id;
    EXPECT_TRUE(SyncWait(adapter_->HasNetwork("net")));
    EXPECT_EQ(SyncWait(adapter_->EnsureNetwork(network)).external_id, uuid);
    SyncWait(adapter_->CreateVolume({vim::VolumeKind::kImage, "img", "", 4096, "qcow2", {}}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kImage, "img"),
              (Names{"host-a", "host-b"}));
    // Blank volumes go to the first host.
    SyncWait(adapter_->CreateVolume({vim::VolumeKind::kVolume, "blank", "t", 1024, "raw", {}}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kVolume, "blank"), (Names{"host-a"}));

    auto info = SyncWait(adapter_->CreateVm(Vm("vm-b", "host-b")));
    EXPECT_EQ(info.host, "host-b");
    EXPECT_TRUE(info.running);
    EXPECT_EQ(adapter_->HostsOfVmForTest("vm-b"), (Names{"host-b"}));
    EXPECT_EQ(SyncWait(adapter_->CreateVm(Vm("vm-b", "host-a"))).host,
              "host-b");  // a rerun finds it
    EXPECT_EQ(SyncWait(adapter_->GetVm("vm-b"))->host, "host-b");
    SyncWait(adapter_->StopVm("vm-b", std::chrono::seconds(1)));
    EXPECT_FALSE(SyncWait(adapter_->GetVm("vm-b"))->running);
    SyncWait(adapter_->StartVm("vm-b"));
    EXPECT_EQ(SyncWait(adapter_->ListVmNames()), (Names{"vm-b"}));

    SyncWait(adapter_->DeleteVm("vm-b"));
    EXPECT_TRUE(adapter_->HostsOfVmForTest("vm-b").empty());
    EXPECT_FALSE(SyncWait(adapter_->GetVm("vm-b")));
    SyncWait(adapter_->DeleteVolume(vim::VolumeKind::kImage, "img"));
    SyncWait(adapter_->DeleteVolume(vim::VolumeKind::kVolume, "blank"));
    EXPECT_TRUE(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kImage, "img").empty());
    SyncWait(adapter_->DeleteNetwork("net"));
    EXPECT_FALSE(SyncWait(adapter_->HasNetwork("net")));

    try {
        SyncWait(adapter_->CreateVm(Vm("vm-x", "host-z")));
        ADD_FAILURE() << "created a VM on a host the VIM does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kVimError) << e.what();
    }
}

TEST_F(LibvirtMultiHost, AConfigDriveIsMadeOnItsVmsHostAndGoesWithTheVm) {
    auto vm = Vm("vm-drive", "host-b");
    vm.day0_files = {{"day0-config", "hostname vm-drive\n"}};
    SyncWait(adapter_->CreateVm(vm));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kConfigDrive, "vm-drive"),
              (Names{"host-b"}));
    SyncWait(adapter_->DeleteVm(vm.name));
    EXPECT_TRUE(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kConfigDrive, "vm-drive").empty());
}

TEST_F(LibvirtMultiHost, ColdMigrationMovesTheVmWithItsConfigDriveAndSnapshots) {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, bool>> events;
    ASSERT_TRUE(adapter_->SubscribeVmEvents([&](const std::string& name, bool running) {
        std::lock_guard lock(mutex);
        events.emplace_back(name, running);
        changed.notify_all();
    }));
    const auto count = [&](bool running) {
        return std::count(events.begin(), events.end(),
                          std::make_pair(std::string("vm-m"), running));
    };
    SyncWait(adapter_->CreateVolume({vim::VolumeKind::kImage, "img", "", 4096, "qcow2", {}}));
    auto vm = Vm("vm-m", "host-a");
    vm.day0_files = {{"day0-config", "hostname vm-m\n"}};
    vm.disks = {{2, 1 << 20, "virtio", ""}};
    const auto before = SyncWait(adapter_->CreateVm(vm));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kVmDisk, vm.name + "-2"),
              (Names{"host-a"}));
    SyncWait(adapter_->CreateVmSnapshot({vm.name, "s1", "first"}));
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(
            changed.wait_for(lock, std::chrono::seconds(10), [&] { return count(true) > 0; }));
    }

    vim::MigrationRequest move;
    move.vm_name = vm.name;
    move.target_host = "host-b";
    move.type = vim::MigrationType::kCold;
    move.grace = std::chrono::seconds(1);
    auto after = SyncWait(adapter_->MigrateVm(move));
    EXPECT_EQ(after.host, "host-b");
    EXPECT_EQ(after.uuid, before.uuid);
    EXPECT_TRUE(after.running);
    EXPECT_EQ(adapter_->HostsOfVmForTest(vm.name), (Names{"host-b"}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kConfigDrive, vm.name),
              (Names{"host-b"}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest(vim::VolumeKind::kVmDisk, vm.name + "-2"),
              (Names{"host-b"}))
        << "its ephemeral disk moves with it";
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));

    // Stopping the copy on host-a was not the VM stopping; stopping the VM on host-b is.
    SyncWait(adapter_->StopVm(vm.name, std::chrono::seconds(1)));
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(
            changed.wait_for(lock, std::chrono::seconds(10), [&] { return count(false) > 0; }));
        EXPECT_EQ(count(false), 1);
    }
    move.running = false;
    EXPECT_EQ(SyncWait(adapter_->MigrateVm(move)).host, "host-b");  // a rerun: there already
    SyncWait(adapter_->RevertVmSnapshot(vm.name, "s1", false));     // usable where the VM now is

    // A stopped VM moves stopped.
    move.target_host = "host-a";
    after = SyncWait(adapter_->MigrateVm(move));
    EXPECT_EQ(after.host, "host-a");
    EXPECT_FALSE(after.running);
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));
    SyncWait(adapter_->DeleteVm(vm.name));
    EXPECT_TRUE(adapter_->HostsOfVmForTest(vm.name).empty());
    adapter_->SubscribeVmEvents(nullptr);
}

TEST_F(LibvirtMultiHost, LiveMigrationIsNotImplementedByTheTestDriverAndTheVmStays) {
    SyncWait(adapter_->CreateVolume({vim::VolumeKind::kImage, "img", "", 4096, "qcow2", {}}));
    auto vm = Vm("vm-live", "host-a");
    SyncWait(adapter_->CreateVm(vm));
    SyncWait(adapter_->CreateVmSnapshot({vm.name, "s1", "kept"}));
    vim::MigrationRequest move;
    move.vm_name = vm.name;
    move.target_host = "host-b";
    move.type = vim::MigrationType::kLive;
    try {
        SyncWait(adapter_->MigrateVm(move));
        ADD_FAILURE() << "the test driver migrated live";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotImplemented) << e.what();
        EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
    }
    EXPECT_EQ(adapter_->HostsOfVmForTest(vm.name), (Names{"host-a"}));
    EXPECT_TRUE(SyncWait(adapter_->GetVm(vm.name))->running);
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));

    move.target_host = "host-z";
    try {
        SyncWait(adapter_->MigrateVm(move));
        ADD_FAILURE() << "migrated to a host the VIM does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    SyncWait(adapter_->DeleteVm(vm.name));
}

}  // namespace
}  // namespace escd::test
