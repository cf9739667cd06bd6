#pragma once
/// @file
/// The ICMPPing VM_ALIVE verdict of one VM interface (docs/behaviour.md, "Deploy"): poll every
/// poll_frequency, count consecutive answers; metric_occurrences_true of them in a row make the
/// VM alive. Used while a VM boots (deploy, start, reboot), bounded by its bootup_time.

#include <chrono>
#include <optional>
#include <string>

#include "common/asio.hpp"
#include "common/cancel_flag.hpp"
#include "common/clock.hpp"
#include "model/deployment.hpp"
#include "orchestrator/monitor/pinger.hpp"

namespace escd::orchestrator {

/// Echo requests one ICMPPing poll sends (together); the poll's metric value is how many were
/// answered, so that the reference's KPI (`metric_value` 1, `metric_cond` GT) means "at least two
/// of three answered" and one lost packet does not count as a miss.
inline constexpr int kEchoesPerPoll = 3;

/// One ICMPPing poll of `kpi` on `address` (kEchoesPerPoll echoes, PollTimeout): whether its
/// condition held; nullopt when escd could not tell (Pinger::kInconclusive: no verdict).
asio::awaitable<std::optional<bool>> IcmpPollHolds(Pinger& pinger,
                                                   asio::ip::address address,
                                                   const model::KpiSpec& kpi);

/// The group's VM_ALIVE KPI when it is an ICMPPing one (what makes a VM alive by ping); null
/// when the VIM's word decides.
const model::KpiSpec* IcmpAliveKpi(const model::VmGroupSpec& group);

/// `value <cond> threshold` for cond GT GE LT LE EQ NE (anything else: GT); a threshold that is
/// not a number is 0.
bool MetricHolds(double value, const std::string& cond, const std::string& threshold);

/// How long a poll waits for its replies: a reply slower than the poll period counts as none,
/// within [200 ms, 1 s].
std::chrono::milliseconds PollTimeout(const model::KpiSpec& kpi);

/// How often a booting VM that has not answered yet is probed with one echo, and how long each
/// such echo waits for its reply.
inline constexpr std::chrono::milliseconds kBootProbePeriod{20};
inline constexpr std::chrono::milliseconds kBootProbeTimeout{1000};

/// True once the KPI's condition held for kpi.occurrences_true polls in a row; false when
/// `deadline` passes first (or the address is not an IP escd may ping), or at the first probe or
/// poll after `cancel` is set. Before the first answer the VM is probed every kBootProbePeriod;
/// from then on polled every poll period. Polls run on the caller's executor; `deadline` and the
/// pauses between probes and polls are `clock`'s time (each echo's own timeout is the pinger's,
/// real time).
asio::awaitable<bool> WaitAlive(Pinger& pinger,
                                Clock& clock,
                                const std::string& address,
                                const model::KpiSpec& kpi,
                                Clock::time_point deadline,
                                const CancelFlag* cancel = nullptr);

/// The poll period of a KPI.
std::chrono::milliseconds PollPeriod(const model::KpiSpec& kpi);

}  // namespace escd::orchestrator
