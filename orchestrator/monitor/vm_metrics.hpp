#pragma once
/// @file
/// Where a KPI's metric comes from (docs/behaviour.md, "Monitoring between operations" and
/// "Scaling"). A KPI names a metric by its metric_collector/type; the dynamic-mapping metrics
/// (/v0/dynamic_mapping/metrics) say what it measures through their metaData type:
///   icmp_ping         the number of echoes (of kEchoesPerPoll) the nicid's address answered
///                     (CORE: ICMPPing);
///   vim_domain_stats  a statistic of the domain from the VIM, named by the property "stat":
///                     cpu_utilization  % of its vCPUs' time used between two polls (CORE: CPU)
///                     memory_utilization  % of its memory in use (CORE: MEMORY): the guest's
///                     own "unused" figure where it reports one (balloon driver), else the
///                     balloon against the maximum.
/// So a client adds a metric of its own name (POST dynamic_mapping/metrics) with one of these
/// metaData types and uses that name in its KPIs.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/dynamic_mapping.hpp"
#include "vim/capabilities/compute.hpp"

namespace escd::orchestrator {

enum class MetricSource { kIcmp, kCpu, kMemory };

/// The source of collector type `name` among `metrics` (the dynamic-mapping metrics);
/// nullopt when no metric of that name exists or escd cannot measure it.
std::optional<MetricSource> SourceOf(const std::string& name,
                                     const std::vector<model::MetricSpec>& metrics);

/// % CPU between two samples, over the time between their sampled_at (0 when none elapsed).
double CpuUtilisation(const vim::VmStats& before, const vim::VmStats& now);
/// % memory in use.
double MemoryUtilisation(const vim::VmStats& stats);

}  // namespace escd::orchestrator
