#include "orchestrator/monitor/alive_check.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

#include "common/ip_network.hpp"
#include "common/log.hpp"

namespace escd::orchestrator {

std::chrono::milliseconds PollPeriod(const model::KpiSpec& kpi) {
    const auto unit = kpi.polling_unit == "minutes" ? std::chrono::milliseconds(60000)
                                                    : std::chrono::milliseconds(1000);
    return unit * std::max(1, kpi.poll_frequency);
}

std::chrono::milliseconds PollTimeout(const model::KpiSpec& kpi) {
    return std::clamp(PollPeriod(kpi), std::chrono::milliseconds(200),
                      std::chrono::milliseconds(1000));
}

asio::awaitable<std::optional<bool>> IcmpPollHolds(Pinger& pinger,
                                                   asio::ip::address address,
                                                   const model::KpiSpec& kpi) {
    const int value = co_await pinger.Echoes(address, kEchoesPerPoll, PollTimeout(kpi));
    if (value == Pinger::kInconclusive) co_return std::nullopt;
    co_return MetricHolds(value, kpi.metric_cond, kpi.metric_value);
}

const model::KpiSpec* IcmpAliveKpi(const model::VmGroupSpec& group) {
    for (const auto& kpi : group.kpis)
        if (kpi.event_name == "VM_ALIVE" && kpi.collector_type == "ICMPPing") return &kpi;
    return nullptr;
}

bool MetricHolds(double value, const std::string& cond, const std::string& threshold) {
    double limit = 0;
    try {
        limit = threshold.empty() ? 0 : std::stod(threshold);
    } catch (const std::exception&) {
        limit = 0;
    }
    if (cond == "GE") return value >= limit;
    if (cond == "LT") return value < limit;
    if (cond == "LE") return value <= limit;
    if (cond == "EQ") return value == limit;
    if (cond == "NE") return value != limit;
    return value > limit;
}

namespace {
// True at the first echo `address` answers; false once `deadline` passes. An echo is sent every
// kBootProbePeriod and each waits kBootProbeTimeout for its reply, so the probes overlap: a guest
// slower to answer than the period (a TCG guest mid-boot) is still seen, within a period of its
// first reply.
asio::awaitable<bool> FirstAnswer(Pinger& pinger,
                                  Clock& clock,
                                  const asio::ip::address& address,
                                  Clock::time_point deadline,
                                  const CancelFlag* cancel) {
    auto executor = co_await asio::this_coro::executor;
    // Shared with the probes still out when this returns; they end within kBootProbeTimeout.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    while (!*answered && clock.now() < deadline && !(cancel && cancel->Cancelled())) {
        asio::co_spawn(
            executor,
            [&pinger, address, answered]() -> asio::awaitable<void> {
                if (co_await pinger.Echoes(address, 1, kBootProbeTimeout) > 0) *answered = true;
            },
            log::LogFailure(log::Level::kWarn, "monitor", "boot probe failed"));
        const auto now = clock.now();
        co_await clock.Wait(std::min(now + kBootProbePeriod, deadline) - now);
    }
    co_return *answered;
}
}  // namespace

asio::awaitable<bool> WaitAlive(Pinger& pinger,
                                Clock& clock,
                                const std::string& address,
                                const model::KpiSpec& kpi,
                                Clock::time_point deadline,
                                const CancelFlag* cancel) {
    auto ip = ParseIp(address);
    if (!ip || !pinger.Allows(*ip)) {
        ESCD_INFO("monitor") << "'" << address
                             << "' is not an address escd may ping (monitor.allowed_cidrs)";
        co_return false;
    }
    const auto period = PollPeriod(kpi);
    // Until the guest first answers, one echo every kBootProbePeriod stands in for the KPI's
    // polls: a booting VM is what a deploy, a start or a recovery waits for, and a full poll
    // every poll_frequency would see it come up a whole period late (seconds of a boot that
    // takes a few). The first answer starts the KPI's own polls at once.
    const auto cancelled = [cancel] { return cancel && cancel->Cancelled(); };
    if (!co_await FirstAnswer(pinger, clock, *ip, deadline, cancel)) {
        ESCD_INFO("monitor") << address
                             << (cancelled() ? ": its boot check was cancelled"
                                             : " never answered before its bootup_time ran out");
        co_return false;
    }
    int in_a_row = 0;
    while (clock.now() < deadline && !cancelled()) {
        const auto started = clock.now();
        const auto holds = co_await IcmpPollHolds(pinger, *ip, kpi);
        if (!holds) {
            // No verdict this poll.
        } else if (*holds) {
            if (++in_a_row >= kpi.occurrences_true) {
                ESCD_INFO("monitor")
                    << address << " met its KPI " << in_a_row << " poll(s) in a row: alive";
                co_return true;
            }
        } else {
            in_a_row = 0;
        }
        co_await clock.Wait(std::min(started + period, deadline) - clock.now());
    }
    ESCD_INFO("monitor") << address << " did not meet its KPI " << kpi.occurrences_true
                         << " poll(s) in a row before its bootup_time ran out";
    co_return false;
}

}  // namespace escd::orchestrator
