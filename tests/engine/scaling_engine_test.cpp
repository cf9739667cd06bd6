// Scaling driven by the engine's clock (tests/engine/engine_harness.hpp; docs/behaviour.md,
// "Scaling"): an elastic group's CPU KPIs, polled by the monitor every second of the clock on the
// fake VIM's figures, scale it out and back in; a scale out that fails is undone and holds the
// group back for the engine's hold-back period, which passes on the clock.

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;

class EngineScaling : public EngineTest {
  protected:
    // A KPI `event` on CPU utilisation `cond` `value`, polled every second.
    static std::string CpuKpi(const std::string& event,
                              const std::string& cond,
                              const std::string& value,
                              bool continuous_alarm) {
        return "<kpi><event_name>" + event + "</event_name><metric_value>" + value +
               "</metric_value><metric_cond>" + cond +
               "</metric_cond><metric_type>UINT32</metric_type><metric_collector><type>CPU</type>"
               "<nicid>0</nicid><poll_frequency>1</poll_frequency>"
               "<polling_unit>seconds</polling_unit><continuous_alarm>" +
               (continuous_alarm ? "true" : "false") +
               "</continuous_alarm></metric_collector></kpi>";
    }

    static std::string Rule(const std::string& event, const std::string& action) {
        return "<rule><event_name>" + event + "</event_name><action>ALWAYS log</action><action>" +
               action + "</action></rule>";
    }

    // Deployment "elastic": group g1, elastic 1..2, alive by the VIM, with `kpis` and `rules`.
    std::vector<ReceivedRequest> DeployElastic(const std::string& kpis, const std::string& rules) {
        const auto body =
            "<esc_datamodel xmlns=\"http://www.cisco.com/esc/esc\"><tenants><tenant><name>ten"
            "</name><deployments><deployment><name>demo</name><vm_group><name>g1</name>"
            "<image>vnf-img</image><flavor>small</flavor><bootup_time>60</bootup_time>"
            "<interfaces><interface><nicid>0</nicid><network>mgmt</network></interface>"
            "</interfaces><scaling><min_active>1</min_active><max_active>2</max_active>"
            "<elastic>true</elastic></scaling><kpi_data>" +
            kpis + "</kpi_data><rules><admin_rules>" + rules +
            "</admin_rules></rules></vm_group></deployment></deployments></tenant></tenants>"
            "</esc_datamodel>";
        const auto tx = harness_->Accept(http::verb::post, "/v0/deployments/elastic", body);
        const auto deployed = harness_->CallbacksOf(tx, 3);
        EXPECT_EQ(StagesOf(deployed), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return deployed;
    }

    // The callbacks of the `nth` (0: first) operation whose first event is `init`, `count` of
    // them.
    std::vector<ReceivedRequest> OperationStartedBy(const std::string& init,
                                                    std::size_t count,
                                                    std::size_t nth = 0) {
        const auto first = harness_->AwaitStage(init, 10s, nth);
        EXPECT_TRUE(first.has_value()) << "no " << init << " number " << nth;
        if (!first) return {};
        return harness_->CallbacksOf(first->Header("ESC-Transaction-Id"), count);
    }

    // The three events of the `nth` scale out, expected in order; its COMPLETE's status code.
    std::string ScaleOut(std::size_t nth, std::vector<ReceivedRequest>* events = nullptr) {
        const auto out = OperationStartedBy("VM_SCALE_OUT_INIT", 3, nth);
        EXPECT_EQ(StagesOf(out),
                  (Stages{"VM_SCALE_OUT_INIT", "VM_SCALE_OUT_DEPLOYED", "VM_SCALE_OUT_COMPLETE"}));
        if (events) *events = out;
        return out.size() == 3 ? out[2].Header("ESC-Status-Code") : "<none>";
    }
};

TEST_F(EngineScaling, AnElasticGroupScalesOutWhenItsCpuCrossesTheThresholdAndBackInWhenItFalls) {
    auto& fake = harness_->vim();
    auto& clock = harness_->clock();
    fake.SetNewVmCpuPercent(30);  // between the two thresholds
    const auto deployed = DeployElastic(
        CpuKpi("VM_OVERLOADED", "GT", "50", false) + CpuKpi("VM_UNDERLOADED", "LT", "10", false),
        Rule("VM_OVERLOADED", "TRUE servicescaleup.sh") +
            Rule("VM_UNDERLOADED", "TRUE servicescalein.sh"));
    ASSERT_EQ(deployed.size(), 3u);
    const auto first = XmlTextOf(deployed[0].body, "vm_name");

    // Its two KPIs poll on the clock; the next polls see 90%.
    fake.SetCpuPercent(first, 90);
    ASSERT_TRUE(clock.WaitForWaiters(2, 10s)) << "the KPIs do not poll on the engine's clock";
    clock.Advance(1s);
    std::vector<ReceivedRequest> out;
    ASSERT_EQ(ScaleOut(0, &out), "200");
    EXPECT_EQ(XmlTextOf(out[2].body, "vm_state_machine_state"), "VM_ALIVE_STATE");
    const auto added = XmlTextOf(out[2].body, "vm_name");
    ASSERT_EQ(fake.Vms().size(), 2u);
    ASSERT_TRUE(fake.Vm(added).has_value()) << added;
    EXPECT_EQ(fake.Vm(added)->state, FakeVmState::kRunning);
    EXPECT_EQ(ServiceState("elastic"), "SERVICE_ACTIVE_STATE");

    // The load falls under 10% on the first VM: back to one VM, the one added going.
    fake.SetCpuPercent(first, 5);
    ASSERT_TRUE(clock.WaitForWaiters(4, 10s)) << "the two VMs' KPIs are not polled";
    clock.Advance(1s);
    const auto in = OperationStartedBy("VM_SCALE_IN_INIT", 2);
    ASSERT_EQ(StagesOf(in), (Stages{"VM_SCALE_IN_INIT", "VM_SCALE_IN_COMPLETE"}));
    EXPECT_EQ(in[1].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlTextOf(in[1].body, "vm_name"), added) << "the highest index goes first";
    ASSERT_EQ(fake.Vms().size(), 1u);
    EXPECT_EQ(fake.Vms()[0].name, first);
    EXPECT_EQ(ServiceState("elastic"), "SERVICE_ACTIVE_STATE");
}

// The KPI raises its event at every poll that holds (continuous_alarm), so each poll asks the
// engine to scale; Engine::WaitDrained returns once it has decided (and run what it started).
TEST_F(EngineScaling, AFailedScaleOutIsUndoneAndTheGroupIsHeldBackUntilTheHoldBackHasPassed) {
    auto& fake = harness_->vim();
    auto& clock = harness_->clock();
    auto& engine = harness_->engine();
    const auto deployed = DeployElastic(CpuKpi("VM_OVERLOADED", "GT", "50", true),
                                        Rule("VM_OVERLOADED", "TRUE servicescaleup.sh"));
    ASSERT_EQ(deployed.size(), 3u);
    const auto first = XmlTextOf(deployed[0].body, "vm_name");

    fake.FailNext(FakeCall::kCreateVm, 1, FakeFailure::kVimError);
    fake.SetCpuPercent(first, 90);
    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the KPI does not poll on the engine's clock";
    clock.Advance(1s);
    std::vector<ReceivedRequest> failed;
    ASSERT_EQ(ScaleOut(0, &failed), "500");
    EXPECT_NE(failed[2].Header("ESC-Status-Message").find("scale out failed"), std::string::npos)
        << failed[2].Header("ESC-Status-Message");
    // Undone: the deployment is as it was.
    ASSERT_EQ(fake.Vms().size(), 1u);
    EXPECT_EQ(fake.Vms()[0].name, first);
    EXPECT_EQ(ServiceState("elastic"), "SERVICE_ACTIVE_STATE");
    EXPECT_EQ(XmlTextOf(harness_->Send(http::verb::get, "/v0/deployments/elastic").body,
                        "vm_state_machine_state"),
              "VM_ALIVE_STATE");

    // Still overloaded; the VIM would take a VM now. For the 60 s of hold-back (the clock has
    // not moved since the failure) the polls ask in vain.
    for (const auto step : {30s, 29s}) {
        ASSERT_TRUE(clock.WaitForWaiters(1, 10s));
        clock.Advance(step);
        ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the KPI was not polled";
        ASSERT_TRUE(engine.WaitDrained(10s));
        EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), 2) << "scaled within the hold-back";
        EXPECT_EQ(fake.Vms().size(), 1u);
    }
    // 60 s after the failure: the next poll scales out.
    clock.Advance(1s);
    EXPECT_EQ(ScaleOut(1), "200");
    EXPECT_EQ(fake.Vms().size(), 2u);
}

}  // namespace
}  // namespace escd::test
