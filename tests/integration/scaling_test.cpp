// Scaling (docs/behaviour.md, "Scaling"): an elastic group scales out on VM_OVERLOADED and in on
// VM_UNDERLOADED, within min_active..max_active, new VMs taking the group's
// static_ip_address_pool addresses. The metrics are the VIM's: on libvirt's test driver a
// domain's CPU time is the wall clock, so CPU is 100% (always overloaded by "CPU GT 50"), and
// its memory is all in use (MEMORY LE 100 always holds).

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class Scaling : public DeploymentTest {
  protected:
    // Group g: elastic 1..3 with a three-address pool, alive by the VIM (no ICMPPing KPI), and
    // one KPI `event` on `metric` `cond` `value` whose TRUE runs `action`.
    static std::string ElasticGroup(const std::string& event,
                                    const std::string& metric,
                                    const std::string& cond,
                                    const std::string& value,
                                    const std::string& action) {
        return "<vm_group><name>g</name><image>vnf-img</image><flavor>small</flavor>"
               "<bootup_time>30</bootup_time><interfaces><interface><nicid>0</nicid>"
               "<network>mgmt</network></interface></interfaces>"
               "<scaling><min_active>1</min_active><max_active>3</max_active>"
               "<elastic>true</elastic><static_ip_address_pool><network>mgmt</network>"
               "<ip_address>127.10.0.50</ip_address><ip_address>127.10.0.51</ip_address>"
               "<ip_address>127.10.0.52</ip_address></static_ip_address_pool></scaling>"
               "<kpi_data><kpi><event_name>" +
               event + "</event_name><metric_value>" + value + "</metric_value><metric_cond>" +
               cond + "</metric_cond><metric_type>UINT32</metric_type><metric_collector><type>" +
               metric +
               "</type><nicid>0</nicid><poll_frequency>1</poll_frequency>"
               "<polling_unit>seconds</polling_unit><continuous_alarm>false</continuous_alarm>"
               "</metric_collector></kpi></kpi_data><rules><admin_rules><rule><event_name>" +
               event + "</event_name><action>ALWAYS log</action><action>" + action +
               "</action></rule></admin_rules></rules></vm_group>";
    }

    std::vector<std::string> Addresses() {
        pugi::xml_document doc;
        const auto body = client_->Get("/v0/deployments/elastic").body;
        EXPECT_TRUE(doc.load_string(body.c_str()));
        std::vector<std::string> out;
        for (auto vm : doc.document_element().child("vm_group").children("vm_instance"))
            out.push_back(vm.child("interfaces").child("interface").child_value("ip_address"));
        return out;
    }
};

TEST_F(Scaling, OverloadScalesOutToMaxActiveAndUnderloadScalesInToMinActive) {
    const auto overloaded =
        ElasticGroup("VM_OVERLOADED", "CPU", "GT", "50", "TRUE servicescaleup.sh");
    auto post =
        client_->Post("/v0/deployments/elastic", DatamodelOf("ten", "elastic", overloaded), Both());
    ASSERT_EQ(post.status, 200) << post.body;
    ASSERT_EQ(Stages(CallbacksOf(post.Header("ESC-Transaction-Id"), 3)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));

    // Two scale outs, each an operation of its own, then max_active holds it.
    for (int i = 0; i < 2; ++i) {
        auto events = NextCallbacks(3);
        ASSERT_EQ(Stages(events),
                  (std::vector<std::string>{"VM_SCALE_OUT_INIT", "VM_SCALE_OUT_DEPLOYED",
                                            "VM_SCALE_OUT_COMPLETE"}))
            << escd_->Log();
        EXPECT_EQ(events.front().Header("ESC-Transaction-Id"),
                  events.back().Header("ESC-Transaction-Id"));
        EXPECT_EQ(events.back().Header("ESC-Status-Code"), "200");
        EXPECT_EQ(XmlText(events.back().body, "vm_state_machine_state"), "VM_ALIVE_STATE");
    }
    ASSERT_TRUE(escd_->WaitForLog("has 3 VM(s), at its max_active", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(Addresses(), (std::vector<std::string>{"127.10.0.50", "127.10.0.51", "127.10.0.52"}));
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/elastic").body, "service_state_machine_state"),
              "SERVICE_ACTIVE_STATE");

    // New rules by update: underloaded now, down to min_active, highest index first.
    const auto underloaded =
        ElasticGroup("VM_UNDERLOADED", "MEMORY", "LE", "100", "TRUE servicescalein.sh");
    auto put = client_->Request("PUT", "/v0/deployments/elastic",
                                DatamodelOf("ten", "elastic", underloaded), Both());
    ASSERT_EQ(put.status, 200) << put.body;
    ASSERT_EQ(Stages(NextCallbacks(1)), (std::vector<std::string>{"SERVICE_UPDATED"}));
    for (const char* address : {"127.10.0.52", "127.10.0.51"}) {
        auto events = NextCallbacks(2);
        ASSERT_EQ(Stages(events),
                  (std::vector<std::string>{"VM_SCALE_IN_INIT", "VM_SCALE_IN_COMPLETE"}))
            << escd_->Log();
        EXPECT_EQ(XmlText(events.back().body, "ip_address"), address);
    }
    ASSERT_TRUE(escd_->WaitForLog("has 1 VM(s), at its min_active", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(Addresses(), (std::vector<std::string>{"127.10.0.50"}));
}

TEST_F(Scaling, AGroupThatIsNotElasticDoesNotScale) {
    auto group = ElasticGroup("VM_OVERLOADED", "CPU", "GT", "50", "TRUE servicescaleup.sh");
    const std::string elastic = "<elastic>true</elastic>";
    group.replace(group.find(elastic), elastic.size(), "<elastic>false</elastic>");
    auto post =
        client_->Post("/v0/deployments/elastic", DatamodelOf("ten", "elastic", group), Both());
    ASSERT_EQ(post.status, 200) << post.body;
    ASSERT_EQ(Stages(CallbacksOf(post.Header("ESC-Transaction-Id"), 3)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    ASSERT_TRUE(escd_->WaitForLog("which is not elastic: not scaled", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(receiver_.Requests().size(), expected_callbacks_);
    EXPECT_EQ(Addresses().size(), 1u);
}

TEST_F(Scaling, AFailedScaleOutIsUndoneAndTheGroupIsLeftAloneForAWhile) {
    if (const auto why = WhyNoPingBlocks(); !why.empty()) GTEST_SKIP() << why;
    // A network of its own (tests run in parallel); the scale out's VM gets the pool's second
    // address, which never answers, so it is not alive within its 6 s (the first one, which
    // answers, is within that even on a loaded machine).
    AddNetwork("grow", "127.11.9.0/24");
    PingBlock block("127.11.9.51");
    ASSERT_TRUE(block.ok());
    const std::string group =
        "<vm_group><name>g</name><image>vnf-img</image><flavor>small</flavor>"
        "<bootup_time>6</bootup_time><interfaces><interface><nicid>0</nicid>"
        "<network>grow</network></interface></interfaces>"
        "<scaling><min_active>1</min_active><max_active>2</max_active><elastic>true</elastic>"
        "<static_ip_address_pool><network>grow</network><ip_address>127.11.9.50</ip_address>"
        "<ip_address>127.11.9.51</ip_address></static_ip_address_pool></scaling><kpi_data>"
        "<kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>"
        "<metric_cond>GT</metric_cond><metric_type>UINT32</metric_type><metric_collector>"
        "<type>ICMPPing</type><nicid>0</nicid><poll_frequency>1</poll_frequency>"
        "<polling_unit>seconds</polling_unit></metric_collector></kpi>"
        "<kpi><event_name>VM_OVERLOADED</event_name><metric_value>50</metric_value>"
        "<metric_cond>GT</metric_cond><metric_type>UINT32</metric_type><metric_collector>"
        "<type>CPU</type><nicid>0</nicid><poll_frequency>1</poll_frequency>"
        "<polling_unit>seconds</polling_unit></metric_collector></kpi></kpi_data>"
        "<rules><admin_rules><rule><event_name>VM_OVERLOADED</event_name>"
        "<action>TRUE servicescaleup.sh</action></rule></admin_rules></rules></vm_group>";
    auto post =
        client_->Post("/v0/deployments/elastic", DatamodelOf("ten", "elastic", group), Both());
    ASSERT_EQ(post.status, 200) << post.body;
    ASSERT_EQ(Stages(CallbacksOf(post.Header("ESC-Transaction-Id"), 3)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));

    auto events = NextCallbacks(3);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_SCALE_OUT_INIT", "VM_SCALE_OUT_DEPLOYED",
                                        "VM_SCALE_OUT_COMPLETE"}))
        << escd_->Log();
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "500");
    EXPECT_EQ(XmlText(events.back().body, "ip_address"), "127.11.9.51");
    // Still overloaded, but not retried back to back; the deployment is as before.
    ASSERT_TRUE(escd_->WaitForLog("held back after a failed scale", 1, kCallbackWait))
        << escd_->Log();
    pugi::xml_document doc;
    const auto body = client_->Get("/v0/deployments/elastic").body;
    ASSERT_TRUE(doc.load_string(body.c_str()));
    auto instances = doc.document_element().child("vm_group").children("vm_instance");
    EXPECT_EQ(std::distance(instances.begin(), instances.end()), 1);
    EXPECT_EQ(XmlText(body, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
    EXPECT_EQ(XmlText(body, "vm_state_machine_state"), "VM_ALIVE_STATE");
}

}  // namespace
}  // namespace escd::test
