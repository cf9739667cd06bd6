// vim/fake/fake_vim.hpp: the fake VIM keeps the capability contracts the real backends keep
// (idempotent creates on escd's ids, deletes of what is gone succeed, errors of the right
// codes), injects the faults a test asks for (fail always, fail the next N, hang until released
// or failed), resumes callers on their own executor, and sends lifecycle events (or loses them).

#include "vim/fake/fake_vim.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/sync_wait.hpp"
#include "tests/support/io_thread.hpp"

namespace escd::vim {
namespace {

using namespace std::chrono_literals;

// Runs `call` to its end on an io_context of its own, like the engine awaiting it.
template <class T>
T Await(asio::awaitable<T> call) {
    return SyncWait(std::move(call));
}

// The ErrorCode `call` fails with, and whether it was a vim::VimUnavailable.
template <class T>
std::pair<ErrorCode, bool> FailureOf(asio::awaitable<T> call) {
    try {
        Await(std::move(call));
    } catch (const VimUnavailable& e) {
        return {e.code(), true};
    } catch (const VimError& e) {
        return {e.code(), false};
    }
    ADD_FAILURE() << "the call succeeded";
    return {ErrorCode::kInternal, false};
}

class FakeVimTest : public ::testing::Test {
  protected:
    // What a VM needs first: its image and network on the VIM.
    void SetUp() override {
        Await(
            fake_.CreateVolume({VolumeKind::kImage, "img", "", 1 << 20, "qcow2", "/tmp/x.qcow2"}));
        NetworkRequest network;
        network.internal_id = "net";
        network.subnets.push_back({"net-sub", "10.0.0.0/24", "", true, {}});
        Await(fake_.EnsureNetwork(network));
    }

    static VmRequest Vm(const std::string& name, const std::string& host = {}) {
        VmRequest request;
        request.name = name;
        request.deployment_id = "dep";
        request.image_id = "img";
        request.nics.push_back({0, "net", "52:54:00:00:00:01"});
        request.host = host;
        request.day0_files.push_back({"day0.cfg", "hostname vm"});
        return request;
    }

    // Every event delivered, in order.
    void Subscribe() {
        EXPECT_TRUE(fake_.SubscribeVmEvents([this](const std::string& vm, bool running) {
            std::lock_guard lock(events_mutex_);
            events_.emplace_back(vm, running);
        }));
    }
    std::vector<std::pair<std::string, bool>> Events() {
        std::lock_guard lock(events_mutex_);
        return events_;
    }

    FakeVim fake_;
    std::mutex events_mutex_;
    std::vector<std::pair<std::string, bool>> events_;
};

TEST_F(FakeVimTest, CreatesAreIdempotentOnEscdsIds) {
    const TenantRequest tenant{"ten", "Tenant", true};
    const auto first_tenant = Await(fake_.CreateTenant(tenant));
    EXPECT_EQ(Await(fake_.CreateTenant(tenant)), first_tenant);
    EXPECT_TRUE(fake_.HasTenant("ten"));

    const auto request = Vm("vm-1");
    const auto first = Await(fake_.CreateVm(request));
    const auto second = Await(fake_.CreateVm(request));
    EXPECT_EQ(second.uuid, first.uuid);
    EXPECT_EQ(second.host, first.host);
    ASSERT_EQ(fake_.Vms().size(), 1u);
    EXPECT_EQ(fake_.Vm("vm-1")->boots, 1) << "a rerun of a create does not boot it again";
    EXPECT_EQ(fake_.Vm("vm-1")->request.day0_files.size(), 1u);

    // A rerun finds a stopped VM and starts it.
    Await(fake_.StopVm("vm-1", 1s));
    EXPECT_TRUE(Await(fake_.CreateVm(request)).running);
    EXPECT_EQ(fake_.Vm("vm-1")->state, FakeVmState::kRunning);

    const FlavorRequest flavor{"small", "small", 1, 256, 0, 0};
    EXPECT_EQ(Await(fake_.CreateFlavor(flavor)).external_id,
              Await(fake_.CreateFlavor(flavor)).external_id);
    NetworkRequest network = *fake_.Network("net");
    network.subnets.push_back({"net-sub2", "10.0.1.0/24", "", true, {}});
    const auto ensured = Await(fake_.EnsureNetwork(network));
    EXPECT_EQ(ensured.SubnetExternalId("net-sub"),
              Await(fake_.EnsureNetwork(network)).SubnetExternalId("net-sub"));
    EXPECT_EQ(fake_.Network("net")->subnets.size(), 2u) << "made to match the request";
}

TEST_F(FakeVimTest, DeletesOfWhatIsGoneSucceedAndCallsOnAMissingVmAreNotFound) {
    Await(fake_.CreateVm(Vm("vm-1")));
    Await(fake_.DeleteVm("vm-1"));
    Await(fake_.DeleteVm("vm-1"));
    Await(fake_.DeleteNetwork("nothing"));
    Await(fake_.DeleteVolume(VolumeKind::kVolume, "nothing"));
    Await(fake_.DeleteTenant("nothing"));
    EXPECT_TRUE(fake_.Vms().empty());
    EXPECT_EQ(FailureOf(fake_.StopVm("vm-1", 1s)).first, ErrorCode::kNotFound);
    EXPECT_EQ(FailureOf(fake_.StartVm("vm-1")).first, ErrorCode::kNotFound);
    EXPECT_FALSE(Await(fake_.GetVm("vm-1")).has_value());
}

TEST_F(FakeVimTest, AVmNeedsItsImageAndNetworksAndAKnownHost) {
    auto no_image = Vm("vm-1");
    no_image.image_id = "other";
    EXPECT_EQ(FailureOf(fake_.CreateVm(no_image)).first, ErrorCode::kVimError);
    auto no_network = Vm("vm-1");
    no_network.nics[0].network_id = "other";
    EXPECT_EQ(FailureOf(fake_.CreateVm(no_network)).first, ErrorCode::kVimError);
    EXPECT_EQ(FailureOf(fake_.CreateVm(Vm("vm-1", "nowhere"))).first, ErrorCode::kVimError);
    EXPECT_TRUE(fake_.Vms().empty()) << "a failed create leaves nothing";
    EXPECT_EQ(Await(fake_.CreateVm(Vm("vm-1", "fake-host-2"))).host, "fake-host-2");
}

TEST_F(FakeVimTest, FailNextFailsThatManyCallsThenTheCallSucceeds) {
    fake_.FailNext(FakeCall::kCreateVm, 2, FakeFailure::kUnavailable);
    const auto request = Vm("vm-1");
    EXPECT_EQ(FailureOf(fake_.CreateVm(request)), std::make_pair(ErrorCode::kUnavailable, true));
    EXPECT_EQ(FailureOf(fake_.CreateVm(request)), std::make_pair(ErrorCode::kUnavailable, true));
    EXPECT_TRUE(fake_.Vms().empty());
    EXPECT_TRUE(Await(fake_.CreateVm(request)).running);
    EXPECT_EQ(fake_.Calls(FakeCall::kCreateVm), 3);
    EXPECT_EQ(fake_.Calls(FakeCall::kDeleteVm), 0);
}

TEST_F(FakeVimTest, FailFailsEveryCallOfThatNameUntilHealed) {
    Await(fake_.CreateVm(Vm("vm-1")));
    fake_.Fail(FakeCall::kStopVm, FakeFailure::kVimError);
    EXPECT_EQ(FailureOf(fake_.StopVm("vm-1", 1s)), std::make_pair(ErrorCode::kVimError, false));
    EXPECT_EQ(FailureOf(fake_.StopVm("vm-1", 1s)), std::make_pair(ErrorCode::kVimError, false));
    Await(fake_.StartVm("vm-1"));  // another call is not touched
    fake_.Fail(FakeCall::kGetVm, FakeFailure::kNotFound);
    EXPECT_EQ(FailureOf(fake_.GetVm("vm-1")).first, ErrorCode::kNotFound);
    EXPECT_EQ(fake_.Vm("vm-1")->state, FakeVmState::kRunning);
    fake_.HealAll();
    Await(fake_.StopVm("vm-1", 1s));
    EXPECT_EQ(fake_.Vm("vm-1")->state, FakeVmState::kStopped);
}

TEST_F(FakeVimTest, AFailedStatusCheckIsAnUnreachableVimNotAnException) {
    EXPECT_TRUE(Await(fake_.CheckStatus()).reachable);
    fake_.Fail(FakeCall::kCheckStatus, FakeFailure::kUnavailable);
    const auto status = Await(fake_.CheckStatus());
    EXPECT_FALSE(status.reachable);
    EXPECT_NE(status.message.find("CheckStatus"), std::string::npos) << status.message;
}

TEST_F(FakeVimTest, AHungCallWaitsUntilReleasedThenDoesItsWork) {
    auto hold = fake_.Hang(FakeCall::kCreateVm);
    test::IoThread background;
    const auto request = Vm("vm-1");
    auto done = asio::co_spawn(background.ioc(), fake_.CreateVm(request), asio::use_future);
    ASSERT_TRUE(hold->WaitParked(1, 5s));
    EXPECT_EQ(done.wait_for(20ms), std::future_status::timeout);
    EXPECT_TRUE(fake_.Vms().empty()) << "a parked create has made nothing yet";
    hold->Release();
    EXPECT_TRUE(done.get().running);
    EXPECT_TRUE(fake_.Vm("vm-1").has_value());
    // Released for good: the next call does not park.
    Await(fake_.CreateVm(request));
    EXPECT_EQ(hold->Parked(), 1u);
}

TEST_F(FakeVimTest, AHungCallFailsWithTheFailureItsHoldIsGiven) {
    auto hold = fake_.Hang(FakeCall::kDeleteVm);
    Await(fake_.CreateVm(Vm("vm-1")));
    test::IoThread background;
    auto done = asio::co_spawn(background.ioc(), fake_.DeleteVm("vm-1"), asio::use_future);
    ASSERT_TRUE(hold->WaitParked(1, 5s));
    hold->Fail(FakeFailure::kUnavailable);
    EXPECT_THROW(done.get(), VimUnavailable);
    EXPECT_TRUE(fake_.Vm("vm-1").has_value()) << "a failed delete removed nothing";
}

TEST_F(FakeVimTest, ACallResumesItsCallerOnTheCallersOwnStrand) {
    test::IoThread background;
    auto strand = asio::make_strand(background.ioc());
    const auto request = Vm("vm-1");
    auto on_strand = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<bool> {
            co_await fake_.CreateVm(request);
            co_return strand.running_in_this_thread();
        },
        asio::use_future);
    EXPECT_TRUE(on_strand.get());
}

TEST_F(FakeVimTest, LifecycleEventsDescribeEveryChangeOfAVmsRunningState) {
    Subscribe();
    Await(fake_.CreateVm(Vm("vm-1")));
    Await(fake_.StopVm("vm-1", 1s));
    Await(fake_.StopVm("vm-1", 1s));  // stopped already: no news
    Await(fake_.StartVm("vm-1"));
    fake_.CrashVm("vm-1");
    fake_.StartVmBehindEscd("vm-1");
    fake_.RemoveVmBehindEscd("vm-1");
    const std::vector<std::pair<std::string, bool>> expected{{"vm-1", true}, {"vm-1", false},
                                                             {"vm-1", true}, {"vm-1", false},
                                                             {"vm-1", true}, {"vm-1", false}};
    EXPECT_EQ(Events(), expected);
    EXPECT_FALSE(Await(fake_.GetVm("vm-1")).has_value()) << "removed behind escd's back";
}

TEST_F(FakeVimTest, LostEventsAreNotDelivered) {
    Subscribe();
    Await(fake_.CreateVm(Vm("vm-1")));
    fake_.DropNextEvents(1);
    fake_.CrashVm("vm-1");            // lost
    fake_.StartVmBehindEscd("vm-1");  // delivered
    fake_.DropEvents(true);
    fake_.StopVmBehindEscd("vm-1");  // lost
    fake_.DropEvents(false);
    fake_.StartVmBehindEscd("vm-1");  // delivered
    const std::vector<std::pair<std::string, bool>> expected{
        {"vm-1", true}, {"vm-1", true}, {"vm-1", true}};
    EXPECT_EQ(Events(), expected);
    EXPECT_EQ(fake_.DroppedEvents(), 2);
    EXPECT_EQ(fake_.DeliveredEvents(), 3);
}

TEST_F(FakeVimTest, MigrationMovesAVmToItsTargetHost) {
    Subscribe();
    Await(fake_.CreateVm(Vm("vm-1", "fake-host-1")));
    MigrationRequest cold{"vm-1", "fake-host-2", MigrationType::kCold, false, true, 1s};
    const auto moved = Await(fake_.MigrateVm(cold));
    EXPECT_EQ(moved.host, "fake-host-2");
    EXPECT_TRUE(moved.running);
    EXPECT_EQ(fake_.Vm("vm-1")->host, "fake-host-2");
    EXPECT_EQ(Await(fake_.MigrateVm(cold)).host, "fake-host-2") << "on the target: a success";
    MigrationRequest live{"vm-1", "fake-host-1", MigrationType::kLive, false, true, 1s};
    EXPECT_EQ(Await(fake_.MigrateVm(live)).host, "fake-host-1");
    // The creation's start, then the cold move's start on the target: the source's stop is of
    // the copy given up, which libvirt's adapter does not report either; a live move says
    // nothing.
    const std::vector<std::pair<std::string, bool>> expected{{"vm-1", true}, {"vm-1", true}};
    EXPECT_EQ(Events(), expected) << "a cold move starts the guest on its target, a live one not";
    MigrationRequest nowhere{"vm-1", "nowhere", MigrationType::kLive, false, true, 1s};
    EXPECT_EQ(FailureOf(fake_.MigrateVm(nowhere)).first, ErrorCode::kNotFound);
    EXPECT_EQ(fake_.Vm("vm-1")->host, "fake-host-1") << "a failed move leaves it where it was";
}

TEST_F(FakeVimTest, SnapshotsAreKeptRevertedAndMadeIntoVolumes) {
    Await(fake_.CreateVm(Vm("vm-1")));
    Await(fake_.CreateVmSnapshot({"vm-1", "snap-1", "before"}));
    Await(fake_.CreateVmSnapshot({"vm-1", "snap-1", "before"}));
    EXPECT_EQ(fake_.Vm("vm-1")->snapshots.size(), 1u);
    Await(fake_.RevertVmSnapshot("vm-1", "snap-1", false));
    EXPECT_EQ(fake_.Vm("vm-1")->state, FakeVmState::kStopped);
    EXPECT_EQ(FailureOf(fake_.RevertVmSnapshot("vm-1", "other", true)).first, ErrorCode::kNotFound);
    const auto volume = Await(fake_.CreateVolumeFromSnapshot({"vm-1", "snap-1", "vol-1", "ten"}));
    EXPECT_EQ(volume.capacity_bytes, 1u << 20) << "the size of the image it booted from";
    EXPECT_EQ(fake_.Volume(VolumeKind::kVolume, "vol-1")->from_snapshot, "vm-1/snap-1");
    Await(fake_.DeleteVmSnapshot("vm-1", "snap-1"));
    Await(fake_.DeleteVmSnapshot("vm-1", "snap-1"));
    EXPECT_TRUE(fake_.Vm("vm-1")->snapshots.empty());
}

TEST_F(FakeVimTest, WaitUntilReturnsOnceTheConditionHoldsAndFalseOnTimeout) {
    test::IoThread background;
    const auto request = Vm("vm-1");
    auto hold = fake_.Hang(FakeCall::kCreateVm);
    auto done = asio::co_spawn(background.ioc(), fake_.CreateVm(request), asio::use_future);
    EXPECT_FALSE(fake_.WaitUntil([](const FakeVim& f) { return f.Vm("vm-1").has_value(); }, 20ms));
    hold->Release();
    EXPECT_TRUE(fake_.WaitUntil([](const FakeVim& f) { return f.Vm("vm-1").has_value(); }, 5s));
    done.get();
}

}  // namespace
}  // namespace escd::vim
