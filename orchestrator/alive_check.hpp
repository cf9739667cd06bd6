#pragma once
/// @file
/// The ICMPPing VM_ALIVE verdict of one VM interface (BEHAVIOUR.md §5): poll every
/// poll_frequency, count consecutive answers; metric_occurrences_true of them in a row make the
/// VM alive. Used while a VM boots (deploy, start, reboot), bounded by its bootup_time.

#include <chrono>
#include <string>

#include "common/asio.hpp"
#include "model/deployment.hpp"
#include "orchestrator/icmp_pinger.hpp"

namespace escd::orchestrator {

/// True once `address` answered kpi.occurrences_true polls in a row; false when `deadline`
/// passes first (or the address is not an IP). Polls run on the caller's executor.
asio::awaitable<bool> WaitAlive(IcmpPinger& pinger,
                                const std::string& address,
                                const model::KpiSpec& kpi,
                                std::chrono::steady_clock::time_point deadline);

/// The poll period of a KPI.
std::chrono::milliseconds PollPeriod(const model::KpiSpec& kpi);

}  // namespace escd::orchestrator
