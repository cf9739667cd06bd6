#include "orchestrator/monitor/vm_metrics.hpp"

#include <algorithm>

namespace escd::orchestrator {

std::optional<MetricSource> SourceOf(const std::string& name,
                                     const std::vector<model::MetricSpec>& metrics) {
    const auto metric = std::find_if(metrics.begin(), metrics.end(),
                                     [&](const model::MetricSpec& m) { return m.name == name; });
    if (metric == metrics.end() || !metric->type) return std::nullopt;
    switch (*metric->type) {
        case model::MetricType::kIcmpPing:
            return MetricSource::kIcmp;
        case model::MetricType::kVimDomainStats:
            if (metric->stat == model::DomainStat::kCpuUtilization) return MetricSource::kCpu;
            if (metric->stat == model::DomainStat::kMemoryUtilization) return MetricSource::kMemory;
            return std::nullopt;
    }
    return std::nullopt;
}

double CpuUtilisation(const vim::VmStats& before, const vim::VmStats& now) {
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.sampled_at - before.sampled_at);
    if (elapsed.count() <= 0 || now.cpu_time_ns < before.cpu_time_ns) return 0;
    const double used = static_cast<double>(now.cpu_time_ns - before.cpu_time_ns);
    const double available = static_cast<double>(elapsed.count()) * std::max(1, now.vcpus);
    return std::min(100.0, 100.0 * used / available);
}

double MemoryUtilisation(const vim::VmStats& stats) {
    if (stats.unused_kb && stats.memory_kb > 0) {
        const auto unused = std::min(*stats.unused_kb, stats.memory_kb);
        return 100.0 * static_cast<double>(stats.memory_kb - unused) /
               static_cast<double>(stats.memory_kb);
    }
    if (stats.max_memory_kb == 0) return 0;
    return std::min(100.0, 100.0 * static_cast<double>(stats.memory_kb) /
                               static_cast<double>(stats.max_memory_kb));
}

}  // namespace escd::orchestrator
