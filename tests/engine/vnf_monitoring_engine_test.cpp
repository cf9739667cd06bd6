// The monitoring hold of install jobs on escd's VNFs (orchestrator/csm/vnf_monitoring.hpp) on
// the engine with the fake VIM: Hold turns a VM's monitoring off through escd's own
// disable_monitoring (VM_DISABLE_MONITORING_COMPLETE), so a guest that stops answering while
// its device reloads is not recovered; Release turns it on again (VM_ENABLE_MONITORING_COMPLETE)
// and the VM must then prove alive (VM_ALIVE), or it is recovered by its policy; a hold waits
// for an operation that keeps the deployment busy, for at most its patience.

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "orchestrator/engine/vnf_monitoring_switch.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
constexpr const char* kWhy = "CSM install job 7 (Activate)";

class EngineVnfMonitoring : public EngineTest {
  protected:
    void SetUp() override {
        EngineTest::SetUp();
        if (IsSkipped()) return;
        switch_ = std::make_unique<orchestrator::VnfMonitoringSwitch>(harness_->engine(),
                                                                      harness_->stores());
        const auto deployed = DeployPinged("dep1", "");
        ASSERT_EQ(deployed.size(), 3u);
        vm_ = XmlTextOf(deployed[0].body, "vm_name");
        address_ = XmlTextOf(deployed[0].body, "ip_address");
    }

    void Hold(std::chrono::milliseconds patience = 10s) {
        SyncWait(switch_->Hold("dep1", vm_, kWhy, patience));
    }
    void Release() { SyncWait(switch_->Release("dep1", vm_, kWhy)); }
    bool MonitoringOn() { return SyncWait(switch_->MonitoringOn("dep1", vm_)); }

    std::unique_ptr<orchestrator::VnfMonitoringSwitch> switch_;
    std::string vm_, address_;
};

TEST_F(EngineVnfMonitoring, AHeldVmIsNotWatchedWhileItsDeviceReloadsAndMustProveAliveOnRelease) {
    auto& clock = harness_->clock();
    auto& guests = harness_->guests();
    Hold();
    const auto off = harness_->AwaitEvent("VM_DISABLE_MONITORING_COMPLETE");
    ASSERT_TRUE(off.has_value()) << "the hold was not reported";
    EXPECT_EQ(off->Header("ESC-Status-Code"), "200") << off->body;
    EXPECT_EQ(XmlTextOf(off->body, "vm_name"), vm_);
    EXPECT_FALSE(MonitoringOn());
    ASSERT_TRUE(clock.WaitForNoWaiter(10s)) << "the held VM is still polled";

    // The device reloads: the guest answers nothing for longer than two missed polls.
    guests.Silence(address_);
    const auto echoes = guests.EchoesTo(address_);
    clock.Advance(5s);
    EXPECT_FALSE(harness_->AwaitStage("VM_RECOVERY_INIT", 300ms).has_value());
    EXPECT_EQ(guests.EchoesTo(address_), echoes) << "the held VM was pinged";
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");

    // Back after its reload: released, it proves alive again and is watched again.
    guests.Answer(address_);
    Release();
    const auto on = harness_->AwaitEvent("VM_ENABLE_MONITORING_COMPLETE");
    ASSERT_TRUE(on.has_value()) << "the release was not reported";
    EXPECT_EQ(on->Header("ESC-Status-Code"), "200") << on->body;
    // The deploy's VM_ALIVE is the first.
    ASSERT_TRUE(ProbeUntilStage("VM_ALIVE", 1).has_value()) << "the released VM was not checked";
    EXPECT_TRUE(MonitoringOn());
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    EXPECT_TRUE(clock.WaitForWaiters(1, 10s)) << "the released VM is not polled again";
    EXPECT_FALSE(harness_->AwaitStage("VM_RECOVERY_INIT", 100ms).has_value());
}

// The device never came back (its job failed at its reload deadline): released, the VM does not
// prove alive within its bootup_time and is recovered.
TEST_F(EngineVnfMonitoring, AReleasedVmThatDoesNotAnswerIsRecoveredByItsPolicy) {
    auto& clock = harness_->clock();
    auto& guests = harness_->guests();
    Hold();
    guests.Silence(address_);
    Release();
    ASSERT_TRUE(harness_->AwaitEvent("VM_ENABLE_MONITORING_COMPLETE").has_value());
    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "no alive check after the release";
    clock.Advance(61s);  // past the group's bootup_time
    std::optional<ReceivedRequest> init;
    for (int wait = 0; wait < 10 && !init; ++wait) {
        clock.WaitForWaiters(1, 200ms);  // a recovery_wait_time, if any
        clock.Advance(1s);
        init = harness_->AwaitStage("VM_RECOVERY_INIT", 200ms);
    }
    ASSERT_TRUE(init.has_value()) << "the VM that did not come back was not recovered";
    EXPECT_EQ(XmlTextOf(init->body, "vm_name"), vm_);

    guests.Answer(address_);
    const auto complete = ProbeUntilStage("VM_RECOVERY_COMPLETE");
    ASSERT_TRUE(complete.has_value()) << "the recovery did not complete";
    EXPECT_EQ(complete->Header("ESC-Status-Code"), "200") << complete->body;
}

// An operator turned the monitoring off: a hold finds nothing to do and starts no operation.
TEST_F(EngineVnfMonitoring, AHoldOfAVmWhoseMonitoringIsOffAlreadyDoesNothing) {
    const auto answer =
        harness_->Send(http::verb::post, "/v0/ten/deployments/vm/" + vm_,
                       "<vm_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                       "<operation>disable_monitoring</operation></vm_operation>");
    ASSERT_EQ(answer.status, 200) << answer.body;
    ASSERT_EQ(harness_->CallbacksOf(answer.transaction_id, 1).size(), 1u);
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    EXPECT_FALSE(MonitoringOn());
    Hold();
    EXPECT_FALSE(harness_->AwaitEvent("VM_DISABLE_MONITORING_COMPLETE", 300ms, 1).has_value())
        << "a second disable_monitoring ran";
}

// Another operation keeps the deployment busy: the hold waits for it, and gives up after its
// patience with a conflict that says why.
TEST_F(EngineVnfMonitoring, AHoldWaitsForTheRunningOperationAtMostItsPatience) {
    auto hang = harness_->vim().Hang(FakeCall::kRebootVm);
    const auto reboot =
        harness_->Send(http::verb::post, "/v0/ten/deployments/vm/" + vm_,
                       "<vm_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                       "<operation>reboot</operation></vm_operation>");
    ASSERT_EQ(reboot.status, 200) << reboot.body;
    ASSERT_TRUE(hang->WaitParked(1, 10s));
    try {
        Hold(1500ms);
        ADD_FAILURE() << "held while another operation ran";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kConflict);
        EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(MonitoringOn());

    // The reboot goes on and its VM proves alive: the deployment is free again.
    hang->Release();
    auto& clock = harness_->clock();
    std::vector<ReceivedRequest> rebooted;
    for (int probe = 0; probe < 10 && rebooted.size() < 2; ++probe) {
        ASSERT_TRUE(clock.WaitForWaiters(1, 10s));
        clock.Advance(orchestrator::kBootProbePeriod);
        rebooted = harness_->CallbacksOf(reboot.transaction_id, 2, 200ms);
    }
    ASSERT_EQ(rebooted.size(), 2u) << "the reboot did not end";
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    Hold();
    EXPECT_FALSE(MonitoringOn()) << "not held once the deployment was free";
}

}  // namespace
}  // namespace escd::test
