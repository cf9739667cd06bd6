// The deployment workflows run by the real engine in process, against the fake VIM and the real
// PostgreSQL (tests/engine/engine_harness.hpp): deploy (each VM sized by its flavor), undeploy,
// an update, a VM operation, a VIM that refuses, a VIM that does not answer for a while, a VM
// that crashes behind escd's back, a call that hangs, and restarts. The events each sends are
// those docs/behaviour.md lists; the VIM is checked through the fake.

#include <gtest/gtest.h>

#include <algorithm>

#include <memory>
#include <string>
#include <vector>

#include "common/sync_wait.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using EngineDeployment = EngineTest;

TEST_F(EngineDeployment, ADeploymentReachesServiceAliveWithItsVmsRunningOnTheVim) {
    const auto names = DeployAlive("dep1", 2);
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
    auto& fake = harness_->vim();
    const auto vms = fake.Vms();
    ASSERT_EQ(vms.size(), 2u);
    for (const auto& name : names) {
        const auto vm = fake.Vm(name);
        ASSERT_TRUE(vm.has_value()) << name << " is not on the VIM";
        EXPECT_EQ(vm->state, FakeVmState::kRunning);
        EXPECT_EQ(vm->request.deployment_id, "dep1");
        EXPECT_EQ(vm->request.image_id, "vnf-img");
        ASSERT_EQ(vm->nics.size(), 1u);
        EXPECT_EQ(vm->nics[0].network_id, "mgmt");
        EXPECT_FALSE(vm->host.empty());
    }
    EXPECT_TRUE(fake.HasTenant("ten"));
    EXPECT_TRUE(fake.Network("mgmt").has_value());
    EXPECT_TRUE(fake.Volume(vim::VolumeKind::kImage, "vnf-img").has_value());
}

TEST_F(EngineDeployment, EveryVmIsSizedByItsGroupsFlavor) {
    // Flavor small (engine_fixture.hpp): 1 vCPU and 256 MB, where a group without a flavor gets
    // model::kDefaultMemoryMb (512).
    const auto names = DeployAlive("dep1", 3);
    ASSERT_EQ(names.size(), 3u);
    for (const auto& name : names) {
        const auto vm = harness_->vim().Vm(name);
        ASSERT_TRUE(vm.has_value()) << name << " is not on the VIM";
        EXPECT_EQ(vm->request.flavor_id, "small") << name;
        EXPECT_EQ(vm->request.vcpus, 1) << name;
        EXPECT_EQ(vm->request.memory_mb, 256) << name;
    }
}

TEST_F(EngineDeployment, AnUndeployRemovesTheVmsFromTheVim) {
    DeployAlive("dep1", 2);
    const auto tx = harness_->Accept(http::verb::delete_, "/v0/deployments/dep1");
    const auto undeployed = harness_->CallbacksOf(tx, 3);
    EXPECT_EQ(StagesOf(undeployed),
              (Stages{"VM_UNDEPLOYED", "VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    ASSERT_EQ(undeployed.size(), 3u);
    EXPECT_EQ(undeployed[2].Header("ESC-Status-Code"), "200");
    EXPECT_TRUE(harness_->vim().Vms().empty());
    EXPECT_EQ(harness_->Send(http::verb::get, "/v0/deployments/dep1").status, 404);
}

TEST_F(EngineDeployment, AnUpdateAddsAndRemovesVmsOnTheVim) {
    const auto first = DeployAlive("dep1", 1);
    ASSERT_EQ(first.size(), 1u);
    auto& fake = harness_->vim();
    const auto put = [&](int count) {
        return harness_->Accept(http::verb::put, "/v0/deployments/dep1",
                                EngineHarness::DeploymentBody("ten", "demo", count));
    };
    const auto grown = harness_->CallbacksOf(put(2), 3);
    EXPECT_EQ(StagesOf(grown), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_UPDATED"}));
    ASSERT_EQ(fake.Vms().size(), 2u);
    const auto added = XmlTextOf(grown.empty() ? std::string() : grown[0].body, "vm_name");
    EXPECT_TRUE(fake.Vm(added).has_value()) << added;

    const auto shrunk = harness_->CallbacksOf(put(1), 2);
    EXPECT_EQ(StagesOf(shrunk), (Stages{"VM_UNDEPLOYED", "SERVICE_UPDATED"}));
    ASSERT_EQ(fake.Vms().size(), 1u);
    EXPECT_EQ(fake.Vms()[0].name, first[0]) << "the highest index goes first";
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

// An update that declares a network for a new group, and fails on that group's VM, leaves
// nothing of itself: the network it created is removed again with the VM.
TEST_F(EngineDeployment, AFailedUpdateRemovesTheNetworkItDeclaredAgain) {
    using namespace std::chrono_literals;
    ASSERT_EQ(DeployAlive("dep1", 1).size(), 1u);
    auto& fake = harness_->vim();
    auto body = EngineHarness::DeploymentBody("ten", "demo", 1);
    body.insert(body.find("<vm_group>"),
                "<networks><network><name>extra</name><subnet><name>extra-sub</name>"
                "<ipversion>ipv4</ipversion><dhcp>true</dhcp><address>10.78.0.0</address>"
                "<netmask>255.255.255.0</netmask><gateway>10.78.0.1</gateway></subnet>"
                "</network></networks>");
    body.insert(body.find("</deployment>"),
                "<vm_group><name>g2</name><image>vnf-img</image><flavor>small</flavor>"
                "<interfaces><interface><nicid>0</nicid><network>extra</network></interface>"
                "</interfaces><scaling><min_active>1</min_active><max_active>1</max_active>"
                "<elastic>false</elastic></scaling></vm_group>");
    fake.Fail(FakeCall::kCreateVm, FakeFailure::kVimError);
    const auto tx = harness_->Accept(http::verb::put, "/v0/deployments/dep1", body);
    ASSERT_TRUE(harness_->AwaitStage("SERVICE_UPDATED").has_value());
    std::vector<std::string> seen;
    for (const auto& event : harness_->CallbacksOf(tx, 100, 0ms)) {
        const auto type = XmlTextOf(event.body, "event_type");
        seen.push_back(type.empty() ? XmlTextOf(event.body, "deployment_stage") : type);
    }
    const auto at = [&](const std::string& what) {
        return std::find(seen.begin(), seen.end(), what) - seen.begin();
    };
    ASSERT_LT(at("CREATE_NETWORK"), at("VM_DEPLOYED")) << ::testing::PrintToString(seen);
    ASSERT_LT(at("VM_DEPLOYED"), at("DELETE_NETWORK")) << ::testing::PrintToString(seen);
    ASSERT_LT(at("DELETE_NETWORK"), at("SERVICE_UPDATED")) << ::testing::PrintToString(seen);
    EXPECT_FALSE(fake.Network("extra").has_value()) << "the network stayed on the VIM";
    ASSERT_TRUE(harness_->engine().WaitDrained(10s));
    EXPECT_EQ(harness_->Send(http::verb::get, "/v0/ten/networks/extra").status, 404);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE") << "the deployment as it was";
}

TEST_F(EngineDeployment, AVmStopAndStartChangeItOnTheVim) {
    const auto names = DeployAlive("dep1", 1);
    ASSERT_EQ(names.size(), 1u);
    const auto& vm = names[0];
    auto& fake = harness_->vim();
    const auto operation = [&](const std::string& what) {
        return harness_->Accept(
            http::verb::post, "/v0/ten/deployments/vm/" + vm,
            "<vm_operation><operation>" + what + "</operation><force>true</force></vm_operation>");
    };
    const auto stopped = harness_->CallbacksOf(operation("stop"), 1);
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_EQ(XmlTextOf(stopped[0].body, "event_type"), "VM_STOP_COMPLETE");
    EXPECT_EQ(stopped[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(fake.Vm(vm)->state, FakeVmState::kStopped);

    const auto started = harness_->CallbacksOf(operation("start"), 2);
    ASSERT_EQ(started.size(), 2u);
    EXPECT_EQ(XmlTextOf(started[0].body, "event_type"), "VM_START_COMPLETE");
    EXPECT_EQ(XmlTextOf(started[1].body, "deployment_stage"), "VM_ALIVE");
    EXPECT_EQ(fake.Vm(vm)->state, FakeVmState::kRunning);
    EXPECT_EQ(fake.Vm(vm)->boots, 2);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

TEST_F(EngineDeployment, AVimThatRefusesAVmFailsTheDeploymentWithItsError) {
    auto& fake = harness_->vim();
    fake.Fail(FakeCall::kCreateVm, FakeFailure::kVimError);
    const auto tx = harness_->Accept(http::verb::post, "/v0/deployments/dep1",
                                     EngineHarness::DeploymentBody("ten", "demo", 1));
    const auto failed = harness_->CallbacksOf(tx, 2);
    ASSERT_EQ(failed.size(), 2u);
    EXPECT_EQ(StagesOf(failed), (Stages{"VM_DEPLOYED", "SERVICE_ALIVE"}));
    EXPECT_EQ(failed[0].Header("ESC-Status-Code"), "500");
    EXPECT_NE(failed[0].Header("ESC-Status-Message").find("CreateVm failed (injected)"),
              std::string::npos)
        << failed[0].Header("ESC-Status-Message");
    EXPECT_EQ(failed[1].Header("ESC-Status-Code"), "500");
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ERROR_STATE");
    EXPECT_TRUE(fake.Vms().empty());
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 1) << "a refusal is not retried";

    // Undeploy is the way out of the error state.
    fake.HealAll();
    const auto removed =
        harness_->CallbacksOf(harness_->Accept(http::verb::delete_, "/v0/deployments/dep1"), 2);
    EXPECT_EQ(StagesOf(removed), (Stages{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
}

// The engine waits RetryDelay(0) = 1 s before the second attempt, on its clock: the test moves
// the clock on instead of waiting.
TEST_F(EngineDeployment, AVimThatDoesNotAnswerIsWaitedForThenTheDeploymentGoesOn) {
    using namespace std::chrono_literals;
    auto& fake = harness_->vim();
    auto& clock = harness_->clock();
    fake.FailNext(FakeCall::kCreateVm, 1, FakeFailure::kUnavailable);
    const auto tx = harness_->Accept(http::verb::post, "/v0/deployments/dep1",
                                     EngineHarness::DeploymentBody("ten", "demo", 1));
    const auto waiting = harness_->CallbacksOf(tx, 1);
    ASSERT_EQ(waiting.size(), 1u);
    EXPECT_EQ(StagesOf(waiting), (Stages{"VIM_UNAVAILABLE"}));
    EXPECT_EQ(waiting[0].Header("ESC-Status-Code"), "503");
    EXPECT_NE(waiting[0].Header("ESC-Status-Message").find("will retry in 1 s"), std::string::npos)
        << waiting[0].Header("ESC-Status-Message");

    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the retry does not wait on the engine's clock";
    clock.Advance(999ms);
    EXPECT_EQ(clock.Waiting(), 1u) << "run again before its second had passed";
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 1);
    clock.Advance(1ms);

    const auto events = harness_->CallbacksOf(tx, 4);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(StagesOf(events),
              (Stages{"VIM_UNAVAILABLE", "VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    EXPECT_EQ(events[3].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 2);
    ASSERT_EQ(fake.Vms().size(), 1u);
    EXPECT_EQ(fake.Vms()[0].state, FakeVmState::kRunning);
}

TEST_F(EngineDeployment, AVmThatCrashesBehindEscdsBackIsRecovered) {
    const auto names = DeployAlive("dep1", 1);
    ASSERT_EQ(names.size(), 1u);
    auto& fake = harness_->vim();
    const auto uuid = fake.Vm(names[0])->uuid;
    // The group has no VM_ALIVE KPI: the VIM's lifecycle event says the VM is down, the
    // default rules heal it at once (recovery_wait_time 0), by a reboot first.
    fake.CrashVm(names[0]);
    const auto init = harness_->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "no recovery started";
    const auto tx = init->Header("ESC-Transaction-Id");
    const auto recovery = harness_->CallbacksOf(tx, 3);
    EXPECT_EQ(StagesOf(recovery),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
    ASSERT_EQ(recovery.size(), 3u);
    EXPECT_EQ(recovery[2].Header("ESC-Status-Code"), "200");
    const auto vm = fake.Vm(names[0]);
    ASSERT_TRUE(vm.has_value());
    EXPECT_EQ(vm->state, FakeVmState::kRunning);
    EXPECT_EQ(vm->uuid, uuid) << "a reboot keeps the VM";
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

// recovery_wait_time runs on the engine's clock: the test moves it on instead of waiting.
TEST_F(EngineDeployment, ACrashedVmIsRecoveredOnlyOnceItsRecoveryWaitTimeHasPassed) {
    using namespace std::chrono_literals;
    const auto tx =
        harness_->Accept(http::verb::post, "/v0/deployments/dep1",
                         EngineHarness::DeploymentBody(
                             "ten", "demo", 1, "<recovery_wait_time>30</recovery_wait_time>"));
    const auto deployed = harness_->CallbacksOf(tx, 3);
    ASSERT_EQ(StagesOf(deployed), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    const auto vm = XmlTextOf(deployed[0].body, "vm_name");
    auto& fake = harness_->vim();
    auto& clock = harness_->clock();

    fake.CrashVm(vm);
    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the recovery does not wait on the clock";
    clock.Advance(29s);
    EXPECT_EQ(clock.Waiting(), 1u) << "recovered before its recovery_wait_time";
    EXPECT_EQ(fake.Calls(FakeCall::kStartVm), 0);
    clock.Advance(1s);

    const auto init = harness_->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "no recovery once the wait had passed";
    EXPECT_EQ(StagesOf(harness_->CallbacksOf(init->Header("ESC-Transaction-Id"), 3)),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(fake.Vm(vm)->state, FakeVmState::kRunning);
}

TEST_F(EngineDeployment, ADeleteThatHangsKeepsTheDeploymentBusyUntilTheVimAnswers) {
    DeployAlive("dep1", 1);
    auto& fake = harness_->vim();
    auto hold = fake.Hang(FakeCall::kDeleteVm);
    const auto tx = harness_->Accept(http::verb::delete_, "/v0/deployments/dep1");
    ASSERT_TRUE(hold->WaitParked(1, std::chrono::seconds(10)));
    // Meanwhile another operation on it is refused: one operation at a time per deployment.
    EXPECT_EQ(harness_->Send(http::verb::delete_, "/v0/deployments/dep1").status, 409);
    EXPECT_EQ(fake.Vms().size(), 1u);
    hold->Release();
    EXPECT_EQ(StagesOf(harness_->CallbacksOf(tx, 2)),
              (Stages{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(fake.Vms().empty());
}

// A restart: an operation accepted by an escd that did not get to run it (paused, as
// --engine.paused_for_test) is run by the next one, on the same database and VIM.
TEST_F(EngineDeployment, AnOperationAcceptedBeforeARestartRunsAfterIt) {
    const auto world = harness_->world();
    harness_.reset();
    harness_ = std::make_unique<EngineHarness>(
        db_.dsn(), world, orchestrator::EngineOptions{.paused_for_test = true});
    const auto tx = harness_->Accept(http::verb::post, "/v0/deployments/dep1",
                                     EngineHarness::DeploymentBody("ten", "demo", 1));
    harness_.reset();
    EXPECT_EQ(world->vim.Calls(FakeCall::kCreateVm), 0) << "the paused escd ran it";

    harness_ = std::make_unique<EngineHarness>(db_.dsn(), world);
    EXPECT_EQ(StagesOf(harness_->CallbacksOf(tx, 3)),
              (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    EXPECT_EQ(world->vim.Vms().size(), 1u);
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
}

// A restart: a VM the VIM lost while escd was down is made again under its name, and a VM of
// this installation that escd has no record of is removed (Engine::Reconcile).
TEST_F(EngineDeployment, ARestartMakesTheVimMatchTheRecords) {
    const auto names = DeployAlive("dep1", 1);
    ASSERT_EQ(names.size(), 1u);
    const auto world = harness_->world();
    harness_.reset();
    auto& fake = world->vim;
    const auto lost_uuid = fake.Vm(names[0])->uuid;
    fake.RemoveVmBehindEscd(names[0]);
    vim::VmRequest stray;
    stray.name = "dep9_g1_0_stray";
    stray.image_id = "vnf-img";
    SyncWait(fake.CreateVm(stray));

    harness_ = std::make_unique<EngineHarness>(db_.dsn(), world);  // returns once reconciled
    const auto restored = fake.Vm(names[0]);
    ASSERT_TRUE(restored.has_value()) << "the lost VM was not made again";
    EXPECT_NE(restored->uuid, lost_uuid);
    EXPECT_EQ(restored->state, FakeVmState::kRunning);
    EXPECT_FALSE(fake.Vm("dep9_g1_0_stray").has_value()) << "a VM without a record was kept";
}

}  // namespace
}  // namespace escd::test
