// Two engines on one database and one VIM, as two escd nodes (docs/cluster.md): the monitoring
// of a deployment is the node's that last ran an operation on it, and a dead node's is taken
// over, so that a VM that goes down after the node died is still healed; a node that starts
// restores the missing VMs of the deployments it watches, not of another live node's; a node
// that joins is given its share of the watching.

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

class EngineCluster : public EngineTest {
  protected:
    std::string MonitorOwner(const std::string& deployment) {
        const auto rows = db_.Query(
            "SELECT n.name FROM leases l JOIN nodes n ON n.node_id = l.owner "
            "WHERE l.unit_kind = 'deployment_monitor' AND l.unit_id = '" +
            deployment + "'");
        return rows.empty() ? std::string() : rows[0][0].as<std::string>();
    }

    /// Every node registered so far is dead to the others: its heartbeat moved back past the
    /// lease, rather than waited for.
    void SilenceEveryNode() {
        db_.Query("UPDATE nodes SET heartbeat_at = now() - interval '1 hour'");
    }
};

TEST_F(EngineCluster, ADeadNodesDeploymentIsWatchedAndHealedByTheNodeThatTakesItOver) {
    const auto vm = DeployOne("dep1");
    ASSERT_FALSE(vm.empty());
    EXPECT_EQ(MonitorOwner("dep1"), "engine-harness") << "the node that deployed it watches it";

    const auto world = harness_->world();
    harness_.reset();
    SilenceEveryNode();
    auto survivor = std::make_unique<EngineHarness>(db_.dsn(), world, orchestrator::EngineOptions{},
                                                    "survivor");
    EXPECT_EQ(MonitorOwner("dep1"), "survivor") << "taken over at its start";

    world->vim.CrashVm(vm);
    const auto init = survivor->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "the VM went down after its node died, and was not healed";
    EXPECT_EQ(StagesOf(survivor->CallbacksOf(init->Header("ESC-Transaction-Id"), 3)),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(world->vim.Vm(vm)->state, FakeVmState::kRunning);
}

TEST_F(EngineCluster, ADeploymentANodeAcceptedJustBeforeItDiedIsWatchedByThePassThatClaimsIt) {
    // The survivor runs before the deployment exists, so that a pass, not its start, claims it,
    // within seconds of the dead node's accept. (It subscribed to the shared fake VIM's events
    // last, so they reach it alone.)
    auto survivor = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                    orchestrator::EngineOptions{}, "survivor");
    const auto vm = DeployOne("dep1");
    ASSERT_FALSE(vm.empty());
    ASSERT_EQ(MonitorOwner("dep1"), "engine-harness");
    db_.Query(
        "UPDATE nodes SET heartbeat_at = now() - interval '1 hour' "
        "WHERE name = 'engine-harness'");  // dead, rather than waited for
    survivor->TakeOverPass();
    ASSERT_EQ(MonitorOwner("dep1"), "survivor");

    harness_->world()->vim.CrashVm(vm);
    const auto init = survivor->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "claimed, but not watched";
    EXPECT_EQ(StagesOf(survivor->CallbacksOf(init->Header("ESC-Transaction-Id"), 3)),
              (Stages{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
}

TEST_F(EngineCluster, ANodeStartingLeavesAMissingVmOfALiveNodesDeploymentToThatNode) {
    // MANUAL: the live node leaves its VM missing (an operator's recovery is due), as it would
    // for a moment while a recovery of its own redeploys it.
    const auto tx = harness_->Accept(
        http::verb::post, "/v0/deployments/dep1",
        EngineHarness::DeploymentBody("ten", "demo", 1,
                                      "<recovery_policy><recovery_type>MANUAL</recovery_type>"
                                      "</recovery_policy>"));
    const auto deployed = harness_->CallbacksOf(tx, 3);
    ASSERT_EQ(StagesOf(deployed), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    const auto vm = XmlTextOf(deployed[0].body, "vm_name");
    auto& fake = harness_->world()->vim;
    fake.RemoveVmBehindEscd(vm);
    auto other = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                 orchestrator::EngineOptions{}, "other");
    EXPECT_FALSE(fake.Vm(vm).has_value()) << "made again by a node that does not watch it";
    EXPECT_EQ(MonitorOwner("dep1"), "engine-harness");
}

TEST_F(EngineCluster, ANodeThatJoinsWatchesItsShareAndHealsWhatItWatches) {
    std::vector<std::string> vms;
    for (int i = 0; i < 4; ++i) vms.push_back(DeployOne("dep" + std::to_string(i)));
    auto joiner = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                  orchestrator::EngineOptions{}, "joiner");
    harness_->TakeOverPass();  // gives up its surplus
    joiner->TakeOverPass();    // takes it
    std::vector<std::string> joiners;
    for (int i = 0; i < 4; ++i) {
        if (MonitorOwner("dep" + std::to_string(i)) == "joiner") joiners.push_back(vms[i]);
    }
    ASSERT_EQ(joiners.size(), 2u) << "4 deployments over 2 nodes";

    harness_->world()->vim.CrashVm(joiners[0]);
    const auto init = joiner->AwaitStage("VM_RECOVERY_INIT");
    ASSERT_TRUE(init.has_value()) << "taken, but not watched";
    EXPECT_EQ(XmlTextOf(init->body, "vm_name"), joiners[0]);
}

TEST_F(EngineCluster, ALiveNodesDeploymentStaysItsOwnUntilAnotherRunsAnOperationOnIt) {
    ASSERT_FALSE(DeployOne("dep1").empty());
    auto other = std::make_unique<EngineHarness>(db_.dsn(), harness_->world(),
                                                 orchestrator::EngineOptions{}, "other");
    EXPECT_EQ(MonitorOwner("dep1"), "engine-harness") << "a live node's monitoring is its own";

    const auto tx = other->Accept(http::verb::post, "/v0/ten/deployments/service/dep1",
                                  "<service_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:"
                                  "1.0\"><operation>reboot</operation></service_operation>");
    ASSERT_FALSE(tx.empty());
    EXPECT_EQ(StagesOf(other->CallbacksOf(tx, 3)),
              (Stages{"VM_REBOOTED", "VM_ALIVE", "SERVICE_REBOOTED"}));
    EXPECT_EQ(MonitorOwner("dep1"), "other") << "the watches follow the operation";
}

}  // namespace
}  // namespace escd::test
