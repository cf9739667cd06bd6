// Recovery driven by the engine's clock (tests/engine/engine_harness.hpp): a VM alive by an
// ICMPPing KPI whose guest goes silent is found down by the monitor's polls, then goes through
// every attempt its recovery_policy allows, each given up once its bootup_time has passed on the
// clock, and ends in error (docs/behaviour.md, "Recovery"; the integration test
// Recovery.AVmThatNeverAnswersGoesThroughEveryAttemptAndEndsInError asserts the same stages
// against libvirt and real pings, in seconds of real time).

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using EngineRecovery = EngineTest;

TEST_F(EngineRecovery, AVmThatNeverAnswersGoesThroughEveryAttemptAndEndsInError) {
    auto& clock = harness_->clock();
    auto& fake = harness_->vim();
    // One reboot, then two redeploys; bootup_time 60 s (DeploymentBody).
    const auto deployed = DeployPinged(
        "dep1",
        "<recovery_policy><action_on_recovery>REBOOT_THEN_REDEPLOY</action_on_recovery>"
        "<max_retries>2</max_retries></recovery_policy>");
    ASSERT_EQ(deployed.size(), 3u);
    const auto deploy_tx = deployed[0].Header("ESC-Transaction-Id");
    const auto vm = XmlTextOf(deployed[0].body, "vm_name");
    const auto address = XmlTextOf(deployed[0].body, "ip_address");
    ASSERT_FALSE(address.empty());
    const auto uuid = fake.Vm(vm)->uuid;

    // The guest goes silent. The monitor's watch polls every second on the clock: two polls
    // unanswered, and the VM is down (the VIM still runs it: only the pings tell).
    harness_->guests().Silence(address);
    for (int poll = 0; poll < 2; ++poll) {
        ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the monitor does not poll on the clock";
        clock.Advance(1s);
    }
    const auto init = harness_->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "the silent VM was not found down";
    const auto tx = init->Header("ESC-Transaction-Id");
    EXPECT_NE(tx, deploy_tx) << "a recovery is an operation of its own";

    // Each attempt's boot check waits bootup_time on the clock (beside the monitor's watch):
    // not given up at 59 s, given up at 60 s.
    const auto attempt_fails = [&](std::size_t callbacks_before) {
        ASSERT_EQ(harness_->CallbacksOf(tx, callbacks_before).size(), callbacks_before);
        ASSERT_TRUE(clock.WaitForWaiters(2, 10s)) << "the boot check does not wait on the clock";
        const auto deletes = fake.Calls(FakeCall::kDeleteVm);
        clock.Advance(59s);
        // Probing again (its pause back on the clock), not redeploying.
        ASSERT_TRUE(clock.WaitForWaiters(2, 10s));
        EXPECT_EQ(fake.Calls(FakeCall::kDeleteVm), deletes) << "given up before bootup_time";
        clock.Advance(1s);
    };
    attempt_fails(2);  // INIT, REBOOT
    attempt_fails(4);  // ..., UNDEPLOYED, DEPLOYED
    attempt_fails(6);  // ..., UNDEPLOYED, DEPLOYED

    const auto events = harness_->CallbacksOf(tx, 7);
    ASSERT_EQ(StagesOf(events), RecoveryGivenUpStages());
    for (const auto& event : events) {
        EXPECT_EQ(event.Header("ESC-Transaction-Id"), tx);
        EXPECT_EQ(XmlTextOf(event.body, "vm_name"), vm) << "the VM keeps its name";
    }
    EXPECT_EQ(events.front().Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlTextOf(events.front().body, "vm_state_machine_state"), "VM_RECOVERING_STATE");
    // A redeploy reports the VM as it was and as it is: a new uuid, the same address.
    EXPECT_EQ(events[3].Header("ESC-Status-Code"), "200");
    ExpectRedeployedKeepingAddress(events[3].body, uuid, address);
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "500");
    EXPECT_NE(events.back().Header("ESC-Status-Message").find("3 attempt(s)"), std::string::npos)
        << events.back().Header("ESC-Status-Message");
    EXPECT_EQ(XmlTextOf(events.back().body, "vm_state_machine_state"), "VM_ERROR_STATE");
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ERROR_STATE");
    EXPECT_EQ(fake.Calls(FakeCall::kRebootVm), 1);
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 3) << "the deploy and two redeploys";
    EXPECT_NE(fake.Vm(vm)->uuid, uuid);

    // Undeploy is the way out of the error, once the recovery has ended: its last callback is
    // sent when its last step committed, a moment before the deployment is free again.
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    const auto removed =
        harness_->CallbacksOf(harness_->Accept(http::verb::delete_, "/v0/deployments/dep1"), 2);
    EXPECT_EQ(StagesOf(removed), (Stages{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(fake.Vms().empty());
}

// The address after `address` (a.b.c.d+1): where the pool puts a deployment's next VM.
std::string NextAddress(const std::string& address) {
    const auto dot = address.rfind('.');
    return address.substr(0, dot + 1) + std::to_string(std::stoi(address.substr(dot + 1)) + 1);
}

TEST_F(EngineRecovery, TheVmsOfAServiceBeingUpdatedStayWatchedTheirRecoveryWaitsForTheUpdate) {
    auto& clock = harness_->clock();
    auto& guests = harness_->guests();
    const std::string policy =
        "<recovery_policy><action_on_recovery>REBOOT_ONLY</action_on_recovery></recovery_policy>";
    const auto deployed = DeployPinged("dep1", policy);
    ASSERT_EQ(deployed.size(), 3u);
    const auto vm = XmlTextOf(deployed[0].body, "vm_name");
    const auto address = XmlTextOf(deployed[0].body, "ip_address");

    // The update adds a VM that does not answer until the test lets it: the update runs
    // meanwhile, its boot check probing on the clock beside the first VM's watch.
    const auto added_address = NextAddress(address);
    guests.Silence(added_address);
    const auto update =
        harness_->Accept(http::verb::put, "/v0/deployments/dep1",
                         EngineHarness::DeploymentBody("ten", "demo", 2, IcmpAliveKpi() + policy));
    const auto added = harness_->CallbacksOf(update, 1);
    ASSERT_EQ(StagesOf(added), (Stages{"VM_DEPLOYED"}));
    ASSERT_EQ(XmlTextOf(added[0].body, "ip_address"), added_address);

    // The monitor reads the deployment again while it is being updated (leaving maintenance
    // mode syncs every deployment held): the first VM stays watched, its polls go on.
    ASSERT_EQ(harness_->Send(http::verb::post, "/v0/operationmode/MAINTENANCE").status, 200);
    ASSERT_EQ(harness_->Send(http::verb::post, "/v0/operationmode/OPERATION").status, 200);
    const auto advance_polls = [&](int polls) {
        for (int poll = 0; poll < polls; ++poll) {
            ASSERT_TRUE(clock.WaitForWaiters(2, 10s))
                << "the first VM is no longer polled while the service is being updated";
            clock.Advance(1s);
        }
    };
    advance_polls(3);
    const auto echoes = guests.EchoesTo(address);
    advance_polls(3);
    EXPECT_GT(guests.EchoesTo(address), echoes) << "the first VM is not polled during the update";

    // Found down during the update: no recovery while it runs.
    guests.Silence(address);
    advance_polls(3);
    EXPECT_EQ(harness_->CallbacksOf(update, 2, 0ms).size(), 1u) << "only the update's event";
    EXPECT_FALSE(harness_->AwaitStage("VM_RECOVERY_INIT", 0ms).has_value());

    // The update ends; the verdict, raised again once its polls say so anew, starts the recovery.
    // Its boot check sees the answer one probe after it came.
    guests.Answer(added_address);
    std::vector<ReceivedRequest> updated;
    for (int probe = 0; probe < 10 && updated.size() < 3; ++probe) {
        ASSERT_TRUE(clock.WaitForWaiters(2, 10s));
        clock.Advance(orchestrator::kBootProbePeriod);
        updated = harness_->CallbacksOf(update, 3, 200ms);
    }
    ASSERT_EQ(StagesOf(updated), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_UPDATED"}));
    std::optional<ReceivedRequest> init;
    for (int poll = 0; poll < 10 && !init; ++poll) {
        ASSERT_TRUE(clock.WaitForWaiters(2, 10s)) << "the VMs are not polled after the update";
        clock.Advance(1s);
        init = harness_->AwaitStage("VM_RECOVERY_INIT", 200ms);
    }
    ASSERT_TRUE(init.has_value()) << "the VM found down during the update was not recovered";
    EXPECT_EQ(XmlTextOf(init->body, "vm_name"), vm);

    // The rebooted guest answers: the recovery completes.
    guests.Answer(address);
    std::optional<ReceivedRequest> complete;
    for (int probe = 0; probe < 10 && !complete; ++probe) {
        ASSERT_TRUE(clock.WaitForWaiters(1, 10s));
        clock.Advance(orchestrator::kBootProbePeriod);
        complete = harness_->AwaitStage("VM_RECOVERY_COMPLETE", 200ms);
    }
    ASSERT_TRUE(complete.has_value()) << "the recovery did not complete";
}

}  // namespace
}  // namespace escd::test
