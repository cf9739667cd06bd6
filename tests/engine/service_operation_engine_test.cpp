// Service operations run by the engine in process (tests/engine/engine_harness.hpp;
// docs/behaviour.md, "Service and VM operations"): stop, start and reboot of every VM of a
// deployment, with their events in order, what each does on the fake VIM, and the service state
// that follows. The integration test DeploymentRoutes.ServiceAndVmOperationsWithTheirEvents
// asserts the same events against libvirt.

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

class EngineServiceOperation : public EngineTest {
  protected:
    Answer ServiceOperation(const std::string& operation) {
        return harness_->Send(
            http::verb::post, "/v0/ten/deployments/service/dep1",
            "<service_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
            "<operation>" +
                operation + "</operation></service_operation>");
    }

    // `operation` accepted (200); its `count` callbacks.
    std::vector<ReceivedRequest> Run(const std::string& operation, std::size_t count) {
        const auto answer = ServiceOperation(operation);
        EXPECT_EQ(answer.status, 200) << answer.body;
        return harness_->CallbacksOf(answer.transaction_id, count);
    }

    int CountIn(FakeVmState state) {
        int count = 0;
        for (const auto& vm : harness_->vim().Vms()) count += vm.state == state ? 1 : 0;
        return count;
    }
};

TEST_F(EngineServiceOperation, AStopStopsEveryVmOnTheVimAndStopsTheService) {
    DeployAlive("dep1", 2);
    const auto stopped = Run("stop", 3);
    ASSERT_EQ(StagesOf(stopped), (Stages{"VM_STOPPED", "VM_STOPPED", "SERVICE_STOPPED"}));
    EXPECT_EQ(XmlTextOf(stopped[0].body, "vm_state_machine_state"), "VM_SHUTOFF_STATE");
    EXPECT_EQ(stopped[2].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlTextOf(stopped[2].body, "service_state_machine_state"), "SERVICE_STOPPED_STATE");
    EXPECT_EQ(CountIn(FakeVmState::kStopped), 2);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_STOPPED_STATE");

    // A stopped service is stopped already.
    const auto again = ServiceOperation("stop");
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_NE(again.body.find("SERVICE_STOPPED_STATE"), std::string::npos) << again.body;
    EXPECT_EQ(harness_->vim().Calls(FakeCall::kStopVm), 2);
}

TEST_F(EngineServiceOperation, AStartBootsEveryVmAgainAndTheServiceIsActiveOnceAllAreAlive) {
    DeployAlive("dep1", 2);
    ASSERT_EQ(Run("stop", 3).size(), 3u);
    const auto started = Run("start", 5);
    ASSERT_EQ(StagesOf(started),
              (Stages{"VM_STARTED", "VM_STARTED", "VM_ALIVE", "VM_ALIVE", "SERVICE_STARTED"}));
    EXPECT_EQ(started[4].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(CountIn(FakeVmState::kRunning), 2);
    for (const auto& vm : harness_->vim().Vms()) EXPECT_EQ(vm.boots, 2) << vm.name;
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

TEST_F(EngineServiceOperation, ARebootRestartsEveryGuestAndWaitsForEachToBeAlive) {
    const auto names = DeployAlive("dep1", 2);
    ASSERT_EQ(names.size(), 2u);
    const auto rebooted = Run("reboot", 5);
    ASSERT_EQ(StagesOf(rebooted),
              (Stages{"VM_REBOOTED", "VM_REBOOTED", "VM_ALIVE", "VM_ALIVE", "SERVICE_REBOOTED"}));
    EXPECT_EQ(rebooted[4].Header("ESC-Status-Code"), "200");
    for (const auto& name : names) {
        const auto vm = harness_->vim().Vm(name);
        ASSERT_TRUE(vm.has_value()) << name;
        EXPECT_EQ(vm->state, FakeVmState::kRunning);
        EXPECT_EQ(vm->boots, 2) << "rebooted once";
    }
    EXPECT_EQ(harness_->vim().Calls(FakeCall::kRebootVm), 2);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

TEST_F(EngineServiceOperation, AVimThatRefusesToStopAVmFailsTheOperationWithItsError) {
    DeployAlive("dep1", 1);
    harness_->vim().Fail(FakeCall::kStopVm, FakeFailure::kVimError);
    const auto answer = ServiceOperation("stop");
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto failed = harness_->CallbacksOf(answer.transaction_id, 1);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].Header("ESC-Status-Code"), "500");
    EXPECT_NE(failed[0].Header("ESC-Status-Message").find("StopVm failed (injected)"),
              std::string::npos)
        << failed[0].Header("ESC-Status-Message");
    EXPECT_EQ(CountIn(FakeVmState::kRunning), 1) << "the VM runs on";
}

}  // namespace
}  // namespace escd::test
