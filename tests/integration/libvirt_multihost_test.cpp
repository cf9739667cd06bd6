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

    template <class T>
    T Run(asio::awaitable<T> call) {
        asio::io_context ioc;
        auto future = asio::co_spawn(ioc, std::move(call), asio::use_future);
        ioc.run();
        return future.get();
    }

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
    EXPECT_EQ(Run(adapter_->ListHosts()), (Names{"host-a", "host-b"}));
    EXPECT_TRUE(Run(adapter_->CheckStatus()).reachable);

    // Networks and images are on every host: a VM may be placed on any.
    vim::NetworkRequest network;
    network.internal_id = "net";
    network.name = "net";
    const auto uuid = Run(adapter_->EnsureNetwork(network)).external_id;
    EXPECT_TRUE(Run(adapter_->HasNetwork("net")));
    EXPECT_EQ(Run(adapter_->EnsureNetwork(network)).external_id, uuid);
    Run(adapter_->CreateVolume({"image", "img", "", 4096, "qcow2", {}}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest("image", "img"), (Names{"host-a", "host-b"}));
    // Blank volumes go to the first host.
    Run(adapter_->CreateVolume({"volume", "blank", "t", 1024, "raw", {}}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest("volume", "blank"), (Names{"host-a"}));

    auto info = Run(adapter_->CreateVm(Vm("vm-b", "host-b")));
    EXPECT_EQ(info.host, "host-b");
    EXPECT_TRUE(info.running);
    EXPECT_EQ(adapter_->HostsOfVmForTest("vm-b"), (Names{"host-b"}));
    EXPECT_EQ(Run(adapter_->CreateVm(Vm("vm-b", "host-a"))).host, "host-b");  // a rerun finds it
    EXPECT_EQ(Run(adapter_->GetVm("vm-b"))->host, "host-b");
    Run(adapter_->StopVm("vm-b", std::chrono::seconds(1)));
    EXPECT_FALSE(Run(adapter_->GetVm("vm-b"))->running);
    Run(adapter_->StartVm("vm-b"));
    EXPECT_EQ(Run(adapter_->ListVmNames()), (Names{"vm-b"}));

    Run(adapter_->DeleteVm("vm-b"));
    EXPECT_TRUE(adapter_->HostsOfVmForTest("vm-b").empty());
    EXPECT_FALSE(Run(adapter_->GetVm("vm-b")));
    Run(adapter_->DeleteVolume("image", "img"));
    Run(adapter_->DeleteVolume("volume", "blank"));
    EXPECT_TRUE(adapter_->HostsOfVolumeForTest("image", "img").empty());
    Run(adapter_->DeleteNetwork("net"));
    EXPECT_FALSE(Run(adapter_->HasNetwork("net")));

    try {
        Run(adapter_->CreateVm(Vm("vm-x", "host-z")));
        ADD_FAILURE() << "created a VM on a host the VIM does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kVimError) << e.what();
    }
}

TEST_F(LibvirtMultiHost, AConfigDriveIsMadeOnItsVmsHostAndGoesWithTheVm) {
    auto vm = Vm("vm-drive", "host-b");
    vm.day0_files = {{"day0-config", "hostname vm-drive\n"}};
    Run(adapter_->CreateVm(vm));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest("day0", "vm-drive"), (Names{"host-b"}));
    Run(adapter_->DeleteVm(vm.name));
    EXPECT_TRUE(adapter_->HostsOfVolumeForTest("day0", "vm-drive").empty());
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
    Run(adapter_->CreateVolume({"image", "img", "", 4096, "qcow2", {}}));
    auto vm = Vm("vm-m", "host-a");
    vm.day0_files = {{"day0-config", "hostname vm-m\n"}};
    const auto before = Run(adapter_->CreateVm(vm));
    Run(adapter_->CreateVmSnapshot({vm.name, "s1", "first"}));
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
    auto after = Run(adapter_->MigrateVm(move));
    EXPECT_EQ(after.host, "host-b");
    EXPECT_EQ(after.uuid, before.uuid);
    EXPECT_TRUE(after.running);
    EXPECT_EQ(adapter_->HostsOfVmForTest(vm.name), (Names{"host-b"}));
    EXPECT_EQ(adapter_->HostsOfVolumeForTest("day0", vm.name), (Names{"host-b"}));
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));

    // Stopping the copy on host-a was not the VM stopping; stopping the VM on host-b is.
    Run(adapter_->StopVm(vm.name, std::chrono::seconds(1)));
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(
            changed.wait_for(lock, std::chrono::seconds(10), [&] { return count(false) > 0; }));
        EXPECT_EQ(count(false), 1);
    }
    move.running = false;
    EXPECT_EQ(Run(adapter_->MigrateVm(move)).host, "host-b");  // a rerun: there already
    Run(adapter_->RevertVmSnapshot(vm.name, "s1", false));     // usable where the VM now is

    // A stopped VM moves stopped.
    move.target_host = "host-a";
    after = Run(adapter_->MigrateVm(move));
    EXPECT_EQ(after.host, "host-a");
    EXPECT_FALSE(after.running);
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));
    Run(adapter_->DeleteVm(vm.name));
    EXPECT_TRUE(adapter_->HostsOfVmForTest(vm.name).empty());
    adapter_->SubscribeVmEvents(nullptr);
}

TEST_F(LibvirtMultiHost, LiveMigrationIsNotImplementedByTheTestDriverAndTheVmStays) {
    Run(adapter_->CreateVolume({"image", "img", "", 4096, "qcow2", {}}));
    auto vm = Vm("vm-live", "host-a");
    Run(adapter_->CreateVm(vm));
    Run(adapter_->CreateVmSnapshot({vm.name, "s1", "kept"}));
    vim::MigrationRequest move;
    move.vm_name = vm.name;
    move.target_host = "host-b";
    move.type = vim::MigrationType::kLive;
    try {
        Run(adapter_->MigrateVm(move));
        ADD_FAILURE() << "the test driver migrated live";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotImplemented) << e.what();
        EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
    }
    EXPECT_EQ(adapter_->HostsOfVmForTest(vm.name), (Names{"host-a"}));
    EXPECT_TRUE(Run(adapter_->GetVm(vm.name))->running);
    EXPECT_EQ(adapter_->SnapshotsOfVmForTest(vm.name), (Names{"escd-s1"}));

    move.target_host = "host-z";
    try {
        Run(adapter_->MigrateVm(move));
        ADD_FAILURE() << "migrated to a host the VIM does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    Run(adapter_->DeleteVm(vm.name));
}

}  // namespace
}  // namespace escd::test
