/// @file
/// escd_bench_ping: escd's ICMP pinger (orchestrator/monitor/icmp_pinger.hpp) alone, the way the VM
/// monitor uses it: N loopback addresses (127.64.0.2 upwards), each polled every P seconds with
/// kEchoesPerPoll echoes under one timeout, polls spread over the period. Prints, per second,
/// the polls made, those with fewer answers than echoes, and the inconclusive ones; then the CPU
/// time of the process. Loopback only (127.64.0.0/10 is refused otherwise).

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "bench/args.hpp"
#include "common/cidr.hpp"
#include "common/ip_network.hpp"
#include "orchestrator/monitor/alive_check.hpp"
#include "orchestrator/monitor/icmp_pinger.hpp"

namespace escd::bench {
namespace {

struct Counters {
    std::uint64_t polls = 0, short_polls = 0, inconclusive = 0;
};

asio::awaitable<void> PollForever(orchestrator::IcmpPinger& pinger,
                                  asio::ip::address address,
                                  std::chrono::milliseconds period,
                                  std::chrono::milliseconds first,
                                  Counters& counters) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto wait = first;
    for (;;) {
        timer.expires_after(wait);
        wait = period;
        co_await timer.async_wait(asio::use_awaitable);
        const int value = co_await pinger.Echoes(address, orchestrator::kEchoesPerPoll,
                                                 std::chrono::milliseconds(1000));
        ++counters.polls;
        if (value == orchestrator::IcmpPinger::kInconclusive) {
            ++counters.inconclusive;
        } else if (value < orchestrator::kEchoesPerPoll) {
            ++counters.short_polls;
        }
    }
}

double CpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int Run(Args& args) {
    const int count = args.GetCount("addresses", 20000, 1, 4000000);
    const int period_s = args.GetCount("period-s", 3, 1, 3600);
    const int seconds = args.GetCount("seconds", 30, 1, 86400);
    const int threads = args.GetCount("threads", 2, 1, 64);
    args.CheckAllUsed();
    asio::io_context ioc(threads);
    orchestrator::IcmpPinger pinger(ioc, CidrList::Parse("127.0.0.0/8"));
    std::string why;
    if (!pinger.Start(&why)) {
        std::cerr << "escd_bench_ping: " << why << "\n";
        return 1;
    }
    const auto period = std::chrono::milliseconds(period_s * 1000);
    std::minstd_rand random(42);
    std::vector<Counters> counters(static_cast<std::size_t>(count));
    auto address = *ParseIp("127.64.0.2");
    for (int i = 0; i < count; ++i, address = StepAddress(address, 1)) {
        const auto first = std::chrono::milliseconds(random() % (period_s * 1000));
        asio::co_spawn(ioc, PollForever(pinger, address, period, first, counters[i]),
                       asio::detached);
    }
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    const double cpu_start = CpuSeconds();
    Counters last;
    for (int s = 1; s <= seconds; ++s) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        Counters now;
        for (const auto& c : counters) {  // racy reads of counters: good enough for a report
            now.polls += c.polls;
            now.short_polls += c.short_polls;
            now.inconclusive += c.inconclusive;
        }
        std::printf("t=%3ds polls/s=%6llu short=%6llu inconclusive=%6llu\n", s,
                    static_cast<unsigned long long>(now.polls - last.polls),
                    static_cast<unsigned long long>(now.short_polls - last.short_polls),
                    static_cast<unsigned long long>(now.inconclusive - last.inconclusive));
        last = now;
    }
    const double cpu = CpuSeconds() - cpu_start;
    std::printf(
        "RESULT addresses=%d period_s=%d cpu_pct=%.1f polls=%llu short=%llu "
        "inconclusive=%llu\n",
        count, period_s, 100.0 * cpu / seconds, static_cast<unsigned long long>(last.polls),
        static_cast<unsigned long long>(last.short_polls),
        static_cast<unsigned long long>(last.inconclusive));
    std::fflush(stdout);
    std::_Exit(0);  // the pollers run forever
}

}  // namespace
}  // namespace escd::bench

int main(int argc, char** argv) {
    try {
        escd::bench::Args args(argc, argv, 1);
        return escd::bench::Run(args);
    } catch (const std::exception& e) {
        std::cerr << "escd_bench_ping: " << e.what() << "\n"
                  << "usage: escd_bench_ping [--addresses N] [--period-s P] [--seconds S] "
                     "[--threads T]\n";
        return 2;
    }
}
