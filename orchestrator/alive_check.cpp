#include "orchestrator/alive_check.hpp"

#include <algorithm>

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

asio::awaitable<int> IcmpPollValue(IcmpPinger& pinger,
                                   asio::ip::address address,
                                   std::chrono::milliseconds timeout) {
    co_return co_await pinger.Echoes(address, kEchoesPerPoll, timeout);
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

asio::awaitable<bool> WaitAlive(IcmpPinger& pinger,
                                const std::string& address,
                                const model::KpiSpec& kpi,
                                std::chrono::steady_clock::time_point deadline) {
    auto ip = ParseIp(address);
    if (!ip) co_return false;
    const auto period = PollPeriod(kpi);
    const auto timeout = PollTimeout(kpi);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    int in_a_row = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto started = std::chrono::steady_clock::now();
        const int value = co_await IcmpPollValue(pinger, *ip, timeout);
        if (MetricHolds(value, kpi.metric_cond, kpi.metric_value)) {
            if (++in_a_row >= kpi.occurrences_true) {
                ESCD_INFO("monitor")
                    << address << " met its KPI " << in_a_row << " poll(s) in a row: alive";
                co_return true;
            }
        } else {
            in_a_row = 0;
        }
        pause.expires_at(std::min(started + period, deadline));
        co_await pause.async_wait(asio::use_awaitable);
    }
    ESCD_INFO("monitor") << address << " did not meet its KPI " << kpi.occurrences_true
                         << " poll(s) in a row before its bootup_time ran out";
    co_return false;
}

}  // namespace escd::orchestrator
