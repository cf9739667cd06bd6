// Recovery (docs/behaviour.md, "Recovery"): a down VM is healed per its group's recovery_policy,
// with the VM_RECOVERY_* events in order; bootup_time, recovery_wait_time, MANUAL, maintenance mode
// and a running update change when (and whether) that happens.
// A VM is made "down" by an iptables rule that drops pings to its loopback address. Each test
// has a network of its own (127.11.<n>.0/24), so the rule touches no other test's VMs when
// tests run in parallel.

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class Recovery : public DeploymentTest {
  protected:
    // The bootup_time of groups whose VMs are meant to miss it: short, since the tests wait it
    // out, yet long enough for a VM that answers to come alive on a loaded machine (the monitor
    // polls every second, and a VM is alive after one answered poll).
    static constexpr int kShortBootup = 4;

    void SetUp() override {
        if (const auto why = WhyNoPingBlocks(); !why.empty()) GTEST_SKIP() << why;
        DeploymentTest::SetUp();
    }

    // Network "heal" on 127.11.<octet>.0/24: its first VM gets 127.11.<octet>.2.
    std::string UseNetwork(int octet) {
        const std::string prefix = "127.11." + std::to_string(octet) + ".";
        AddNetwork("heal", prefix + "0/24");
        return prefix;
    }

    // A group on "heal" with an ICMPPing VM_ALIVE KPI polled every second (down after 2 misses),
    // `bootup` seconds to come alive, and `policy` (the inside of <recovery_policy>) plus
    // `extra` inside the group.
    static std::string HealGroup(const std::string& name,
                                 int bootup,
                                 const std::string& policy,
                                 const std::string& extra = {}) {
        const std::string kpi = IcmpAliveKpi();
        auto group = Group(name, 1, 1, {{0, "heal"}},
                           kpi + "<recovery_policy>" + policy + "</recovery_policy>" + extra);
        const std::string fixed = "<bootup_time>60</bootup_time>";
        group.replace(group.find(fixed), fixed.size(),
                      "<bootup_time>" + std::to_string(bootup) + "</bootup_time>");
        return group;
    }

    // Deploys `groups` as deployment `name` and waits for its three callbacks.
    std::string DeployAlive(const std::string& name, const std::string& groups) {
        auto post =
            client_->Post("/v0/deployments/" + name, DatamodelOf("ten", name, groups), Both());
        EXPECT_EQ(post.status, 200) << post.body;
        const auto tx = post.Header("ESC-Transaction-Id");
        EXPECT_EQ(Stages(CallbacksOf(tx, 3)),
                  (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return tx;
    }

    std::string VmName(const std::string& deployment) {
        return XmlText(client_->Get("/v0/deployments/" + deployment).body, "vm_name");
    }

    std::string State(const std::string& deployment, const char* which) {
        return XmlText(client_->Get("/v0/deployments/" + deployment).body, which);
    }
};

TEST_F(Recovery, AVmThatNeverAnswersGoesThroughEveryAttemptAndEndsInError) {
    const auto net = UseNetwork(1);
    ASSERT_EQ(client_->Request("PUT", "/v0/config/DEFAULT/VM_RECOVERY_RETRY_MAX/2").status, 200);
    const auto deploy_tx = DeployAlive(
        "never", HealGroup("g", kShortBootup,
                           "<action_on_recovery>REBOOT_THEN_REDEPLOY</action_on_recovery>"));
    const auto vm = VmName("never");
    const auto uuid = XmlText(client_->Get("/v0/deployments/never").body, "vm_uuid");

    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    // One reboot, then VM_RECOVERY_RETRY_MAX (2) redeploys, then the failure.
    auto events = NextCallbacks(7);
    ASSERT_EQ(Stages(events), RecoveryGivenUpStages()) << escd_->Log();
    const auto recovery_tx = events.front().Header("ESC-Transaction-Id");
    EXPECT_NE(recovery_tx, deploy_tx) << "a recovery is an operation of its own";
    for (const auto& event : events) {
        EXPECT_EQ(event.Header("ESC-Transaction-Id"), recovery_tx);
        EXPECT_EQ(XmlText(event.body, "vm_name"), vm) << "the VM keeps its name";
    }
    EXPECT_EQ(events.front().Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlText(events.front().body, "vm_state_machine_state"), "VM_RECOVERING_STATE");
    // A redeploy reports the VM as it was and as it is: a new uuid, the same address.
    const auto& redeployed = events[3];
    EXPECT_EQ(redeployed.Header("ESC-Status-Code"), "200");
    ExpectRedeployedKeepingAddress(redeployed.body, uuid, net + "2");
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "500");
    EXPECT_NE(events.back().Header("ESC-Status-Message").find("3 attempt(s)"), std::string::npos)
        << events.back().Header("ESC-Status-Message");
    EXPECT_EQ(XmlText(events.back().body, "vm_state_machine_state"), "VM_ERROR_STATE");
    EXPECT_EQ(State("never", "vm_state_machine_state"), "VM_ERROR_STATE");
    EXPECT_EQ(State("never", "service_state_machine_state"), "SERVICE_ERROR_STATE");
    // Undeploy is the way out of the error.
    auto gone = client_->Request("DELETE", "/v0/deployments/never", "", Both());
    ASSERT_EQ(gone.status, 200);
    EXPECT_EQ(Stages(CallbacksOf(gone.Header("ESC-Transaction-Id"), 2)),
              (std::vector<std::string>{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
}

TEST_F(Recovery, ARedeployedVmKeepsItsNameGetsANewUuidAndIsAliveAgain) {
    const auto net = UseNetwork(2);
    DeployAlive("redo",
                HealGroup("g", 5, "<action_on_recovery>REDEPLOY_ONLY</action_on_recovery>"));
    const auto vm = VmName("redo");
    const auto uuid = XmlText(client_->Get("/v0/deployments/redo").body, "vm_uuid");

    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    ASSERT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"VM_RECOVERY_INIT"}))
        << escd_->Log();
    EXPECT_EQ(State("redo", "service_state_machine_state"), "SERVICE_INERT_STATE");
    block.Lift();  // the new VM answers
    auto events = NextCallbacks(3);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED",
                                        "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlText(events.back().body, "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(VmName("redo"), vm);
    EXPECT_NE(XmlText(client_->Get("/v0/deployments/redo").body, "vm_uuid"), uuid);
    EXPECT_EQ(State("redo", "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(State("redo", "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
}

TEST_F(Recovery, AVmNotAliveWithinItsBootupTimeIsRecoveredDuringTheDeploy) {
    const auto net = UseNetwork(3);
    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    auto post = client_->Post(
        "/v0/deployments/slow",
        DatamodelOf(
            "ten", "slow",
            HealGroup("g", kShortBootup, "<action_on_recovery>REDEPLOY_ONLY</action_on_recovery>")),
        Both());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    ASSERT_EQ(Stages(CallbacksOf(tx, 2)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_RECOVERY_INIT"}));
    block.Lift();
    auto rest = NextCallbacks(4);
    ASSERT_EQ(Stages(rest),
              (std::vector<std::string>{"VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED",
                                        "VM_RECOVERY_COMPLETE", "SERVICE_ALIVE"}));
    EXPECT_EQ(rest.back().Header("ESC-Status-Code"), "200");
    EXPECT_EQ(State("slow", "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
}

TEST_F(Recovery, AVmThatComesBackWithinRecoveryWaitTimeIsLeftAlone) {
    const auto net = UseNetwork(4);
    const auto tx = DeployAlive(
        "wait", HealGroup("g", 5, "<action_on_recovery>REBOOT_ONLY</action_on_recovery>",
                          "<recovery_wait_time>8</recovery_wait_time>"));
    const auto vm = VmName("wait");
    // The wait must outlast the lift below and the next answered poll, however loaded the
    // machine: 8 s (the test waits it out: the log line below comes when it ends).
    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    ASSERT_TRUE(escd_->WaitForLog("of wait is down", 1, kCallbackWait)) << escd_->Log();
    block.Lift();
    // Alive again by its own KPI: VM_ALIVE (the deployment's transaction) and no recovery.
    auto back = NextCallbacks(1);
    ASSERT_EQ(Stages(back), (std::vector<std::string>{"VM_ALIVE"}));
    EXPECT_EQ(back.front().Header("ESC-Transaction-Id"), tx);
    ASSERT_TRUE(escd_->WaitForLog("came back within its recovery_wait_time", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(receiver_.Requests().size(), expected_callbacks_) << "no recovery event";
    EXPECT_EQ(State("wait", "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
}

TEST_F(Recovery, ManualPolicyWaitsForARecoveryVmRequest) {
    const auto net = UseNetwork(5);
    DeployAlive("man", HealGroup("g", 5,
                                 "<recovery_type>MANUAL</recovery_type>"
                                 "<action_on_recovery>REBOOT_ONLY</action_on_recovery>"));
    const auto vm = VmName("man");
    {
        PingBlock block(net + "2");
        ASSERT_TRUE(block.ok());
        ASSERT_TRUE(escd_->WaitForLog("waiting for a recovery-vm request", 1, kCallbackWait))
            << escd_->Log();
        EXPECT_EQ(receiver_.Requests().size(), expected_callbacks_) << "no recovery started";
        EXPECT_EQ(State("man", "vm_state_machine_state"), "VM_INERT_STATE");
    }
    ASSERT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"VM_ALIVE"}));

    const std::string path = "/v0/ten/deployments/recovery-vm/" + vm;
    const std::string body =
        "<recovery_vm_operation><operation>recovery_do</operation>"
        "</recovery_vm_operation>";
    // Refusals store nothing and start nothing.
    EXPECT_EQ(client_
                  ->Post(path,
                         "<recovery_vm_operation><operation>fix</operation>"
                         "</recovery_vm_operation>",
                         Both())
                  .status,
              400);
    EXPECT_EQ(client_->Post(path, body).status, 400) << "a callback is required";
    EXPECT_EQ(client_->Post("/v0/ten/deployments/recovery-vm/nope", body, Both()).status, 404);
    EXPECT_EQ(client_->Post("/v0/other/deployments/recovery-vm/" + vm, body, Both()).status, 404);

    // checkVmBeforeRecovery: an alive VM is left alone.
    auto check = client_->Post(path,
                               "<recovery_vm_operation><operation>recovery_do</operation>"
                               "<checkVmBeforeRecovery>true</checkVmBeforeRecovery>"
                               "</recovery_vm_operation>",
                               Both());
    ASSERT_EQ(check.status, 200) << check.body;
    EXPECT_EQ(Stages(CallbacksOf(check.Header("ESC-Transaction-Id"), 1)),
              (std::vector<std::string>{"VM_RECOVERY_CANCELLED"}));

    auto post = client_->Post(path, body, Both());
    ASSERT_EQ(post.status, 200) << post.body;
    auto events = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
    ASSERT_EQ(Stages(events), (std::vector<std::string>{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT",
                                                        "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "200");
    EXPECT_EQ(State("man", "vm_state_machine_state"), "VM_ALIVE_STATE");
}

TEST_F(Recovery, NoRecoveryInMaintenanceModeItStartsOnceTheModeIsOperation) {
    const auto net = UseNetwork(6);
    DeployAlive("maint", HealGroup("g", 5,
                                   "<action_on_recovery>REBOOT_ONLY</action_on_recovery>"
                                   "<max_retries>2</max_retries>"));
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    ASSERT_TRUE(escd_->WaitForLog("not recovered: escd is in maintenance mode", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(receiver_.Requests().size(), expected_callbacks_) << "no recovery started";
    EXPECT_EQ(State("maint", "vm_state_machine_state"), "VM_INERT_STATE");

    ASSERT_EQ(client_->Post("/v0/operationmode/OPERATION", "").status, 200);
    ASSERT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"VM_RECOVERY_INIT"}))
        << escd_->Log();
    block.Lift();
    auto events = NextCallbacks(2);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "200");
}

TEST_F(Recovery, NoRecoveryDuringAnUpdateItStartsOnceTheUpdateEnded) {
    const auto net = UseNetwork(7);
    const std::string policy = "<action_on_recovery>REBOOT_ONLY</action_on_recovery>";
    DeployAlive("upd", HealGroup("g", 5, policy));
    const auto vm = VmName("upd");
    // The update adds a group whose VM (the next address) does not answer until the test lets
    // it: the update runs until then, however long the monitor takes to find the first VM down.
    PingBlock slow(net + "3");
    ASSERT_TRUE(slow.ok());
    auto put = client_->Request(
        "PUT", "/v0/deployments/upd",
        DatamodelOf("ten", "upd", HealGroup("g", 5, policy) + HealGroup("slow", 60, policy)),
        Both());
    ASSERT_EQ(put.status, 200) << put.body;
    PingBlock block(net + "2");
    ASSERT_TRUE(block.ok());
    ASSERT_TRUE(escd_->WaitForLog("verdict on VM " + vm + " of upd not applied", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"VM_DEPLOYED"}))
        << "only the update's own event while it runs";

    slow.Lift();
    ASSERT_EQ(Stages(NextCallbacks(2)), (std::vector<std::string>{"VM_ALIVE", "SERVICE_UPDATED"}))
        << escd_->Log();
    ASSERT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"VM_RECOVERY_INIT"}))
        << escd_->Log();
    block.Lift();
    auto events = NextCallbacks(2);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}));
    EXPECT_EQ(XmlText(events.back().body, "vm_name"), vm);
}

}  // namespace
}  // namespace escd::test
