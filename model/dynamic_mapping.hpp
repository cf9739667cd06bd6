#pragma once
/// @file
/// A dynamic mapping entry (/v0/dynamic_mapping/actions|metrics): an action or a metric that KPI
/// rules refer to by name, stored as the canonical XML of its <action>/<metric> element (GET
/// returns it as the client sent it). What escd needs of a metric is its MetricSpec, read only
/// through the codec in model/xml/dynamic_mapping_xml.hpp.

#include <array>
#include <optional>
#include <string>

#include "model/kinds.hpp"

namespace escd::model {

struct DynamicMapping {
    MappingKind kind = MappingKind::kAction;
    std::string name;  ///< e.g. "ALWAYS log", "ICMPPing"
    bool core = false;
    std::string document;  ///< canonical XML of the <action>/<metric> element
};

/// A metric's metaData type, of those escd measures (orchestrator/monitor/vm_metrics.hpp); a
/// client may store others (snmp_get, ...), which escd does not measure.
enum class MetricType { kIcmpPing, kVimDomainStats };
/// The statistic a vim_domain_stats metric names in its property "stat".
enum class DomainStat { kCpuUtilization, kMemoryUtilization };

inline constexpr std::array<KindName<MetricType>, 2> kMetricTypeNames{{
    {MetricType::kIcmpPing, "icmp_ping"},
    {MetricType::kVimDomainStats, "vim_domain_stats"},
}};
inline constexpr std::array<KindName<DomainStat>, 2> kDomainStatNames{{
    {DomainStat::kCpuUtilization, "cpu_utilization"},
    {DomainStat::kMemoryUtilization, "memory_utilization"},
}};

/// What a metric measures: its <metaData>.
struct MetricSpec {
    std::string name;
    std::optional<MetricType> type;  ///< nullopt: a type escd does not measure
    std::optional<DomainStat> stat;  ///< the first property "stat" that names one escd knows
};

}  // namespace escd::model
