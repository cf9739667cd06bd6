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
class EngineRecovery : public EngineTest {
  protected:
    // The guest at `address` goes silent. The monitor's watch polls every second on the clock:
    // two polls unanswered, and the VM is down (the VIM still runs it: only the pings tell). The
    // transaction of the recovery that starts ("" and a test failure when none does).
    std::string SilenceUntilRecoveryStarts(const std::string& address) {
        auto& clock = harness_->clock();
        harness_->guests().Silence(address);
        for (int poll = 0; poll < 2; ++poll) {
            EXPECT_TRUE(clock.WaitForWaiters(1, 10s)) << "the monitor does not poll on the clock";
            clock.Advance(1s);
        }
        const auto init = harness_->AwaitStage("VM_RECOVERY_INIT");
        EXPECT_TRUE(init.has_value()) << "the silent VM was not found down";
        return init ? init->Header("ESC-Transaction-Id") : std::string();
    }

    // The first `count` callbacks of `tx`, moving the clock one boot probe at a time (at most
    // `probes` of them) until they came: a boot check answers, or gives up, at its next probe.
    std::vector<ReceivedRequest> ProbeUntil(const std::string& tx, std::size_t count, int probes) {
        auto& clock = harness_->clock();
        std::vector<ReceivedRequest> got;
        for (int probe = 0; probe < probes && got.size() < count; ++probe) {
            EXPECT_TRUE(clock.WaitForWaiters(1, 10s)) << "nothing waits on the clock";
            clock.Advance(orchestrator::kBootProbePeriod);
            got = harness_->CallbacksOf(tx, count, 100ms);
        }
        return got;
    }
};

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

    const auto tx = SilenceUntilRecoveryStarts(address);
    ASSERT_FALSE(tx.empty());
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
    ASSERT_TRUE(ProbeUntilStage("VM_RECOVERY_COMPLETE").has_value())
        << "the recovery did not complete";
}

// A recovery cut by its node's death is taken over and goes on from the attempt after the last
// one recorded: max_retries bounds the attempts of the whole recovery, not those of each node.
TEST_F(EngineRecovery, ARecoveryTakenOverFromADeadNodeGoesOnFromItsLastAttempt) {
    auto& clock = harness_->clock();
    auto& fake = harness_->vim();
    const auto deployed =
        DeployPinged("dep1",
                     "<recovery_policy><action_on_recovery>REDEPLOY_ONLY</action_on_recovery>"
                     "<max_retries>3</max_retries></recovery_policy>");
    ASSERT_EQ(deployed.size(), 3u);
    const auto vm = XmlTextOf(deployed[0].body, "vm_name");
    const auto attempts_recorded = [&] {
        return db_.Query("SELECT recovery_attempts FROM vms WHERE vm_name = '" + vm + "'")[0][0]
            .as<int>();
    };
    const auto tx = SilenceUntilRecoveryStarts(XmlTextOf(deployed[0].body, "ip_address"));
    ASSERT_FALSE(tx.empty());

    // Attempt 1 gives up at bootup_time; attempt 2 is made, and its node dies during its check.
    ASSERT_EQ(harness_->CallbacksOf(tx, 3).size(), 3u);  // INIT, UNDEPLOYED, DEPLOYED
    ASSERT_TRUE(clock.WaitForWaiters(2, 10s)) << "the boot check does not wait on the clock";
    clock.Advance(60s);
    ASSERT_EQ(harness_->CallbacksOf(tx, 5).size(), 5u);  // ..., UNDEPLOYED, DEPLOYED
    ASSERT_TRUE(clock.WaitForWaiters(2, 10s));
    EXPECT_EQ(attempts_recorded(), 2);
    db_.Query(
        "UPDATE nodes SET heartbeat_at = now() - interval '1 hour' "
        "WHERE name = 'engine-harness'");
    auto survivor = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                    orchestrator::EngineOptions{}, "survivor");
    auto& theirs = survivor->clock();
    // Taken over at the survivor's start: attempt 2's check is made again first (it may have
    // worked), on the survivor's clock.
    ASSERT_TRUE(theirs.WaitForWaiters(1, 10s)) << "the recovery was not resumed with its check";

    // The dead node was only frozen: woken, it makes its next VIM call, and the step after it is
    // refused (the transaction is the survivor's), which ends its part.
    const auto deletes = fake.Calls(FakeCall::kDeleteVm);
    clock.Advance(60s);
    ASSERT_TRUE(fake.WaitUntil(
        [&](const vim::FakeVim& f) { return f.Calls(FakeCall::kDeleteVm) > deletes; }, 10s));
    ASSERT_TRUE(harness_->engine().WaitDrained(10s)) << "the dead node's step was not refused";

    theirs.Advance(60s);  // attempt 2's check gives up: attempt 3, the last
    ASSERT_EQ(survivor->CallbacksOf(tx, 7).size(), 7u);
    ASSERT_TRUE(theirs.WaitForWaiters(1, 10s));
    theirs.Advance(60s);
    const auto events = survivor->CallbacksOf(tx, 8);
    ASSERT_EQ(StagesOf(events),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED",
                      "VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED", "VM_RECOVERY_UNDEPLOYED",
                      "VM_RECOVERY_DEPLOYED", "VM_RECOVERY_COMPLETE"}))
        << "a recovery taken over starts its attempts afresh";
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "500");
    EXPECT_NE(events.back().Header("ESC-Status-Message").find("3 attempt(s)"), std::string::npos)
        << events.back().Header("ESC-Status-Message");
    ASSERT_TRUE(survivor->engine().WaitDrained(10s));
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 4) << "the deploy and three redeploys";
    EXPECT_EQ(attempts_recorded(), 0) << "the count ends with its recovery";
}

// An undeploy is not refused while a recovery runs: it cancels the recovery, whose boot check
// gives up at its next probe (no bootup_time passes), and removes the deployment at once.
TEST_F(EngineRecovery, AnUndeployDuringARecoveryCancelsItAndRemovesTheDeploymentAtOnce) {
    auto& clock = harness_->clock();
    auto& fake = harness_->vim();
    const auto deployed = DeployPinged("dep1", "");
    ASSERT_EQ(deployed.size(), 3u);
    const auto tx = SilenceUntilRecoveryStarts(XmlTextOf(deployed[0].body, "ip_address"));
    ASSERT_FALSE(tx.empty());
    ASSERT_EQ(StagesOf(harness_->CallbacksOf(tx, 2)),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT"}));
    ASSERT_TRUE(clock.WaitForWaiters(2, 10s)) << "the reboot's boot check does not wait";

    const auto undeploy = harness_->Send(http::verb::delete_, "/v0/deployments/dep1");
    ASSERT_EQ(undeploy.status, 200) << "refused during the recovery: " << undeploy.body;
    // The boot check sees the cancel at its next probe: a probe period, not a bootup_time.
    const auto recovery = ProbeUntil(tx, 3, 50);
    ASSERT_EQ(StagesOf(recovery),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_CANCELLED"}));
    EXPECT_EQ(recovery[2].Header("ESC-Status-Code"), "200");
    EXPECT_NE(recovery[2].Header("ESC-Status-Message").find("undeployed"), std::string::npos)
        << recovery[2].Header("ESC-Status-Message");
    EXPECT_EQ(StagesOf(harness_->CallbacksOf(undeploy.transaction_id, 2)),
              (Stages{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(fake.Vms().empty());
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 1) << "a redeploy attempt after the cancel";
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    EXPECT_EQ(harness_->Send(http::verb::get, "/v0/deployments/dep1").status, 404);
}

// The same with the recovery on another node: that node reads the cancel from the recovery's
// row, and the undeploy, accepted here, waits for the recovery's end there.
TEST_F(EngineRecovery, AnUndeployAcceptedByAnotherNodeCancelsTheRecoveryRunningHere) {
    const auto deployed = DeployPinged("dep1", "");
    ASSERT_EQ(deployed.size(), 3u);
    auto other = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                 orchestrator::EngineOptions{}, "other");
    const auto tx = SilenceUntilRecoveryStarts(XmlTextOf(deployed[0].body, "ip_address"));
    ASSERT_FALSE(tx.empty());
    ASSERT_EQ(harness_->CallbacksOf(tx, 2).size(), 2u);

    const auto undeploy = other->Send(http::verb::delete_, "/v0/deployments/dep1");
    ASSERT_EQ(undeploy.status, 200) << undeploy.body;
    const auto recovery = ProbeUntil(tx, 3, 100);
    ASSERT_EQ(StagesOf(recovery),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_CANCELLED"}))
        << "the recovery running here did not hear of the cancel";
    EXPECT_EQ(StagesOf(other->CallbacksOf(undeploy.transaction_id, 2)),
              (Stages{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(harness_->vim().Vms().empty());
}

// Only a recovery or a scale gives way: an update still makes an undeploy a 409.
TEST_F(EngineRecovery, AnUndeployDuringAnUpdateIsStillAConflict) {
    const auto deployed = DeployPinged("dep1", "");
    ASSERT_EQ(deployed.size(), 3u);
    const auto added = NextAddress(XmlTextOf(deployed[0].body, "ip_address"));
    harness_->guests().Silence(added);  // the update waits for it
    const auto update =
        harness_->Accept(http::verb::put, "/v0/deployments/dep1",
                         EngineHarness::DeploymentBody("ten", "demo", 2, IcmpAliveKpi()));
    ASSERT_EQ(StagesOf(harness_->CallbacksOf(update, 1)), (Stages{"VM_DEPLOYED"}));
    const auto refused = harness_->Send(http::verb::delete_, "/v0/deployments/dep1");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_NE(refused.body.find("busy"), std::string::npos) << refused.body;

    harness_->guests().Answer(added);
    EXPECT_EQ(StagesOf(ProbeUntil(update, 3, 10)),
              (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_UPDATED"}));
}

}  // namespace
}  // namespace escd::test
