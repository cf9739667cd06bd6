// Continuous monitoring (docs/behaviour.md, "Monitoring between operations"): after SERVICE_ALIVE a
// VM's ICMPPing KPI keeps being polled; a VM that stops answering is marked down (VM_INERT_STATE,
// service inert) after its metric_occurrences_false polls, and answers again → VM_ALIVE and the
// service active.
// The address stops answering through an iptables rule on loopback that the test adds and
// removes (escd pings 127.11.0.x, a network only this test uses).

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class Monitoring : public DeploymentTest {};

TEST_F(Monitoring, AVmThatStopsAnsweringIsDownAndAliveAgainWhenItAnswers) {
    if (const auto why = WhyNoPingBlocks(); !why.empty()) GTEST_SKIP() << why;
    const std::string kpi = IcmpAliveKpi() + AliveRulesWithoutHealing();
    // A network of its own: the rule must not touch other tests' VMs (tests run in parallel).
    AddNetwork("watched", "127.11.0.0/24");
    auto post =
        client_->Post("/v0/deployments/mon",
                      DatamodelOf("ten", "mon", Group("g", 1, 1, {{0, "watched"}}, kpi)), Both());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    ASSERT_EQ(Stages(CallbacksOf(tx, 3)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));

    PingBlock block("127.11.0.2");
    ASSERT_TRUE(block.ok());
    // escd logs the verdict once it is committed.
    ASSERT_TRUE(escd_->WaitForLog("of mon is down", 1, kCallbackWait)) << escd_->Log();
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/mon").body, "vm_state_machine_state"),
              "VM_INERT_STATE");
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/mon").body, "service_state_machine_state"),
              "SERVICE_INERT_STATE");
    EXPECT_NE(escd_->Log().find("VM_ALIVE KPI FALSE"), std::string::npos);

    block.Lift();
    // After the deploy's three, this one: the new VM_ALIVE carries the deployment's transaction.
    auto next = NextCallbacks(1);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next.back().Header("ESC-Transaction-Id"), tx);
    EXPECT_EQ(XmlText(next.back().body, "deployment_stage"), "VM_ALIVE");
    EXPECT_EQ(XmlText(next.back().body, "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/mon").body, "service_state_machine_state"),
              "SERVICE_ACTIVE_STATE");
}

}  // namespace
}  // namespace escd::test
