// A stored dynamic-mapping metric read into its type (model/xml/dynamic_mapping_xml.hpp).
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "model/xml/dynamic_mapping_xml.hpp"
#include "tests/unit/error_code_of.hpp"

namespace escd::model::xml {
namespace {

using escd::test::CodeOf;

TEST(MetricSpec, ACoreMetricReadsItsTypeAndStatistic) {
    const auto memory = MetricSpecFromStored(
        "<metric><name>MEMORY</name><userLabel>Memory utilization (%)</userLabel>"
        "<type>MONITOR_THRESHOLD</type><core>true</core><metaData><type>vim_domain_stats</type>"
        "<properties><property><name>stat</name><value>memory_utilization</value></property>"
        "</properties></metaData></metric>");
    EXPECT_EQ(memory.name, "MEMORY");
    EXPECT_EQ(memory.type, MetricType::kVimDomainStats) << "metaData's type, not the metric's";
    EXPECT_EQ(memory.stat, DomainStat::kMemoryUtilization);

    const auto ping = MetricSpecFromStored(
        "<metric><name>ICMPPing</name><metaData><type>icmp_ping</type><properties><property>"
        "<name>timeout</name><value>1</value></property></properties></metaData></metric>");
    EXPECT_EQ(ping.type, MetricType::kIcmpPing);
    EXPECT_EQ(ping.stat, std::nullopt);
}

TEST(MetricSpec, TheFirstStatEscdKnowsCountsAndPrefixesDoNotMatter) {
    const auto metric = MetricSpecFromStored(
        "<esc:metric xmlns:esc=\"http://www.cisco.com/esc/esc\"><esc:name>M</esc:name>"
        "<esc:metaData><esc:type>vim_domain_stats</esc:type><esc:properties>"
        "<esc:property><esc:name>stat</esc:name><esc:value>disk_io</esc:value></esc:property>"
        "<esc:property><esc:name>stat</esc:name><esc:value>cpu_utilization</esc:value>"
        "</esc:property></esc:properties></esc:metaData></esc:metric>");
    EXPECT_EQ(metric.name, "M");
    EXPECT_EQ(metric.type, MetricType::kVimDomainStats);
    EXPECT_EQ(metric.stat, DomainStat::kCpuUtilization);
}

TEST(MetricSpec, ATypeEscdDoesNotMeasureReadsAsNone) {
    const auto snmp = MetricSpecFromStored(
        "<metric><name>SNMP_THING</name><metaData><type>snmp_get</type></metaData></metric>");
    EXPECT_EQ(snmp.name, "SNMP_THING");
    EXPECT_EQ(snmp.type, std::nullopt);
    EXPECT_EQ(MetricSpecFromStored("<metric><name>BARE</name></metric>").type, std::nullopt);
}

// A stored document is escd's own writing: one that does not read is an internal error.
TEST(MetricSpec, AnUnreadableStoredDocumentIsAnInternalError) {
    EXPECT_EQ(CodeOf([] { MetricSpecFromStored("<metric"); }), ErrorCode::kInternal);
    EXPECT_EQ(CodeOf([] { MetricSpecFromStored("<action><name>a</name></action>"); }),
              ErrorCode::kInternal);
}

}  // namespace
}  // namespace escd::model::xml
