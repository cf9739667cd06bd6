// What a KPI's rules ask for (kpi_rules.hpp) and how its metrics are computed (vm_metrics.hpp).
#include <gtest/gtest.h>

#include "model/xml/dynamic_mapping_xml.hpp"
#include "orchestrator/monitor/kpi_rules.hpp"
#include "orchestrator/monitor/vm_metrics.hpp"

namespace escd::orchestrator {
namespace {

model::VmGroupSpec GroupWithRules(std::vector<model::RuleSpec> rules) {
    model::VmGroupSpec group;
    group.rules = std::move(rules);
    return group;
}

TEST(KpiRules, VmAliveWithoutRulesGetsTheStandardThree) {
    const auto group = GroupWithRules({});
    const auto up = ActionsFor(group, "VM_ALIVE", true);
    EXPECT_TRUE(up.log && up.notify);
    EXPECT_FALSE(up.heal);
    const auto down = ActionsFor(group, "VM_ALIVE", false);
    EXPECT_TRUE(down.log && down.heal);
    EXPECT_FALSE(down.notify);
    const auto other = ActionsFor(group, "VM_OVERLOADED", true);
    EXPECT_FALSE(other.log || other.scale_out) << "no default rules for other events";
}

TEST(KpiRules, ScaleActionsApplyOnTheirConditionAndEventOnly) {
    const auto group = GroupWithRules({{"VM_OVERLOADED", {"TRUE servicescaleup.sh", "ALWAYS log"}},
                                       {"VM_UNDERLOADED", {"TRUE servicescalein.sh"}},
                                       {"VM_ALIVE", {"TRUE esc_vm_alive_notification"}}});
    EXPECT_TRUE(ActionsFor(group, "VM_OVERLOADED", true).scale_out);
    EXPECT_FALSE(ActionsFor(group, "VM_OVERLOADED", false).scale_out);
    EXPECT_TRUE(ActionsFor(group, "VM_OVERLOADED", false).log);
    EXPECT_TRUE(ActionsFor(group, "VM_UNDERLOADED", true).scale_in);
    EXPECT_FALSE(ActionsFor(group, "VM_UNDERLOADED", true).scale_out);
    EXPECT_FALSE(ActionsFor(group, "VM_ALIVE", false).heal) << "rules given: no defaults";
}

TEST(VmMetrics, SourcesComeFromTheDynamicMappingMetrics) {
    std::vector<model::MetricSpec> metrics;
    for (const char* document :
         {"<metric><name>ICMPPing</name><metaData><type>icmp_ping</type></metaData></metric>",
          "<metric><name>CPU</name><metaData><type>vim_domain_stats</type><properties><property>"
          "<name>stat</name><value>cpu_utilization</value></property></properties></metaData>"
          "</metric>",
          "<metric><name>MY_MEM</name><metaData><type>vim_domain_stats</type><properties>"
          "<property><name>stat</name><value>memory_utilization</value></property></properties>"
          "</metaData></metric>",
          "<metric><name>SNMP_THING</name><metaData><type>snmp_get</type></metaData></metric>"})
        metrics.push_back(model::xml::MetricSpecFromStored(document));
    EXPECT_EQ(SourceOf("ICMPPing", metrics), MetricSource::kIcmp);
    EXPECT_EQ(SourceOf("CPU", metrics), MetricSource::kCpu);
    EXPECT_EQ(SourceOf("MY_MEM", metrics), MetricSource::kMemory);
    EXPECT_FALSE(SourceOf("SNMP_THING", metrics)) << "escd cannot measure it";
    EXPECT_FALSE(SourceOf("NOPE", metrics));
}

TEST(VmMetrics, CpuIsTheShareOfVcpuTimeAndMemoryPrefersTheGuestsOwnFigure) {
    vim::VmStats before, after;
    before.cpu_time_ns = 1'000'000'000;
    after.cpu_time_ns = 2'000'000'000;
    after.vcpus = 2;
    after.sampled_at = before.sampled_at + std::chrono::seconds(1);
    EXPECT_DOUBLE_EQ(CpuUtilisation(before, after), 50.0);
    vim::VmStats same_time = after;
    same_time.sampled_at = before.sampled_at;
    EXPECT_DOUBLE_EQ(CpuUtilisation(before, same_time), 0.0);
    vim::VmStats restarted = before;
    restarted.sampled_at = after.sampled_at + std::chrono::seconds(1);
    EXPECT_DOUBLE_EQ(CpuUtilisation(after, restarted), 0.0) << "a restarted VM's counter went back";

    vim::VmStats memory;
    memory.memory_kb = 1000;
    memory.max_memory_kb = 2000;
    EXPECT_DOUBLE_EQ(MemoryUtilisation(memory), 50.0);
    memory.unused_kb = 250;
    EXPECT_DOUBLE_EQ(MemoryUtilisation(memory), 75.0);
}

TEST(VmMetrics, CpuDividesByTheTimeBetweenTheSamplesNotByWhenItIsComputed) {
    // The monitor reads the VIM on a pool and resumes later, by however long the pools are
    // loaded: a rate over the samples' own times does not depend on that.
    vim::VmStats first, second;
    first.sampled_at = std::chrono::steady_clock::now() - std::chrono::hours(1);
    second.sampled_at = first.sampled_at + std::chrono::milliseconds(200);
    second.cpu_time_ns = 150'000'000;
    EXPECT_DOUBLE_EQ(CpuUtilisation(first, second), 75.0);
    second.sampled_at = first.sampled_at + std::chrono::milliseconds(100);
    EXPECT_DOUBLE_EQ(CpuUtilisation(first, second), 100.0) << "never above 100";
    EXPECT_DOUBLE_EQ(CpuUtilisation(second, first), 0.0) << "samples in the wrong order";
}

}  // namespace
}  // namespace escd::orchestrator
