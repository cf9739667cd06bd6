// What a KPI's rules ask for (kpi_rules.hpp) and how its metrics are computed (vm_metrics.hpp).
#include <gtest/gtest.h>

#include "orchestrator/kpi_rules.hpp"
#include "orchestrator/vm_metrics.hpp"

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
    const std::vector<model::DynamicMapping> metrics{
        {"metric", "ICMPPing", true,
         "<metric><name>ICMPPing</name><metaData><type>icmp_ping</type></metaData></metric>"},
        {"metric", "CPU", true,
         "<metric><name>CPU</name><metaData><type>vim_domain_stats</type><properties><property>"
         "<name>stat</name><value>cpu_utilization</value></property></properties></metaData>"
         "</metric>"},
        {"metric", "MY_MEM", false,
         "<metric><name>MY_MEM</name><metaData><type>vim_domain_stats</type><properties>"
         "<property><name>stat</name><value>memory_utilization</value></property></properties>"
         "</metaData></metric>"},
        {"metric", "SNMP_THING", false,
         "<metric><name>SNMP_THING</name><metaData><type>snmp_get</type></metaData></metric>"}};
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
    EXPECT_DOUBLE_EQ(CpuUtilisation(before, after, std::chrono::seconds(1)), 50.0);
    EXPECT_DOUBLE_EQ(CpuUtilisation(before, after, std::chrono::seconds(0)), 0.0);
    EXPECT_DOUBLE_EQ(CpuUtilisation(after, before, std::chrono::seconds(1)), 0.0)
        << "a restarted VM's counter went back";

    vim::VmStats memory;
    memory.memory_kb = 1000;
    memory.max_memory_kb = 2000;
    EXPECT_DOUBLE_EQ(MemoryUtilisation(memory), 50.0);
    memory.unused_kb = 250;
    EXPECT_DOUBLE_EQ(MemoryUtilisation(memory), 75.0);
}

}  // namespace
}  // namespace escd::orchestrator
