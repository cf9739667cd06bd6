#include "orchestrator/monitor/vm_metrics.hpp"

#include <algorithm>

#include <pugixml.hpp>

namespace escd::orchestrator {

std::optional<MetricSource> SourceOf(const std::string& name,
                                     const std::vector<model::DynamicMapping>& metrics) {
    for (const auto& metric : metrics) {
        if (metric.kind != "metric" || metric.name != name) continue;
        pugi::xml_document doc;
        if (!doc.load_string(metric.document.c_str())) return std::nullopt;
        const auto meta = doc.document_element().child("metaData");
        const std::string type = meta.child_value("type");
        if (type == "icmp_ping") return MetricSource::kIcmp;
        if (type != "vim_domain_stats") return std::nullopt;
        for (auto property : meta.child("properties").children("property")) {
            if (std::string(property.child_value("name")) != "stat") continue;
            const std::string stat = property.child_value("value");
            if (stat == "cpu_utilization") return MetricSource::kCpu;
            if (stat == "memory_utilization") return MetricSource::kMemory;
        }
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
