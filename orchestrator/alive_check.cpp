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

asio::awaitable<bool> WaitAlive(IcmpPinger& pinger,
                                const std::string& address,
                                const model::KpiSpec& kpi,
                                std::chrono::steady_clock::time_point deadline) {
    auto ip = ParseIp(address);
    if (!ip) co_return false;
    const auto period = PollPeriod(kpi);
    // A reply slower than the poll period counts as none, but never wait less than a second.
    const auto timeout =
        std::clamp(period, std::chrono::milliseconds(200), std::chrono::milliseconds(1000));
    asio::steady_timer pause(co_await asio::this_coro::executor);
    int in_a_row = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto started = std::chrono::steady_clock::now();
        if (co_await pinger.Ping(*ip, timeout)) {
            if (++in_a_row >= kpi.occurrences_true) {
                ESCD_INFO("monitor")
                    << address << " answered " << in_a_row << " ping(s) in a row: alive";
                co_return true;
            }
        } else {
            in_a_row = 0;
        }
        pause.expires_at(std::min(started + period, deadline));
        co_await pause.async_wait(asio::use_awaitable);
    }
    ESCD_INFO("monitor") << address << " did not answer " << kpi.occurrences_true
                         << " ping(s) in a row before its bootup_time ran out";
    co_return false;
}

}  // namespace escd::orchestrator
