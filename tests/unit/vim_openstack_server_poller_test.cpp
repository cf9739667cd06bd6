// The OpenStack adapter's batched server state (vim/openstack/server_poller.hpp) and its day-0
// files (config_drive.hpp). The fetch is a function here: what is under test is who shares a
// list and when a waiter wakes, not Nova (tests/openstack/ covers the real one).

#include <gtest/gtest.h>

#include <future>

#include "common/error.hpp"
#include "vim/openstack/config_drive.hpp"
#include "vim/openstack/server_poller.hpp"

namespace escd::vim::openstack {
namespace {
using namespace std::chrono_literals;
using Clock = ServerPoller::Clock;

/// A Nova stand-in the test scripts: each list returns the next state, after `delay`.
struct ScriptedNova {
    std::vector<std::vector<Server>> states;
    std::size_t calls = 0;
    std::chrono::milliseconds delay{20};

    ServerPoller::Fetch Fetch() {
        return [this]() -> asio::awaitable<std::vector<Server>> {
            asio::steady_timer timer(co_await asio::this_coro::executor, delay);
            co_await timer.async_wait(asio::use_awaitable);
            const auto n = calls++;
            co_return states.at(std::min(n, states.size() - 1));
        };
    }
};

Server Named(const std::string& name, const std::string& status) {
    Server s;
    s.id = "id-" + name;
    s.name = name;
    s.status = status;
    return s;
}

template <class T>
T RunOn(asio::io_context& ioc, asio::awaitable<T> task) {
    auto future = asio::co_spawn(ioc, std::move(task), asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
}

TEST(ServerPoller, CallersAtTheSameTimeShareOneList) {
    asio::io_context ioc;
    ScriptedNova nova{{{Named("a", "ACTIVE"), Named("b", "BUILD")}}};
    ServerPoller poller(ioc.get_executor(), nova.Fetch(), 1s);
    const auto now = Clock::now();
    std::vector<std::future<std::vector<Server>>> lists;
    for (int i = 0; i < 10; ++i)
        lists.push_back(asio::co_spawn(ioc, poller.Snapshot(now), asio::use_future));
    ioc.run();
    for (auto& list : lists) EXPECT_EQ(list.get().size(), 2u);
    EXPECT_EQ(nova.calls, 1u);
    EXPECT_EQ(poller.fetches(), 1u);

    // A list that began before `not_before` is not fresh enough: a server made since may be
    // missing from it.
    RunOn(ioc, poller.Snapshot(Clock::now()));
    EXPECT_EQ(nova.calls, 2u);
    // One that began after it is.
    RunOn(ioc, poller.Snapshot(now));
    EXPECT_EQ(nova.calls, 2u);
}

TEST(ServerPoller, WaitForReturnsOnceTheStatusIsReached) {
    asio::io_context ioc;
    ScriptedNova nova{{{Named("a", "BUILD")}, {Named("a", "BUILD")}, {Named("a", "ACTIVE")}}};
    ServerPoller poller(ioc.get_executor(), nova.Fetch(), 1s);
    const std::set<std::string> active{"ACTIVE"};
    auto server = RunOn(ioc, poller.WaitFor("id-a", active, Clock::now(), 10s));
    EXPECT_EQ(server.status, "ACTIVE");
    EXPECT_EQ(nova.calls, 3u);
}

TEST(ServerPoller, WaitForReportsErrorWithNovasFaultAndAVanishedServer) {
    asio::io_context ioc;
    auto failed = Named("a", "ERROR");
    failed.fault = "No valid host was found";
    ScriptedNova nova{{{Named("a", "BUILD")}, {failed}}};
    ServerPoller poller(ioc.get_executor(), nova.Fetch(), 1s);
    const std::set<std::string> active{"ACTIVE"};
    try {
        RunOn(ioc, poller.WaitFor("id-a", active, Clock::now(), 10s));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kVimError);
        EXPECT_NE(std::string(e.what()).find("No valid host was found"), std::string::npos);
    }

    ScriptedNova vanishing{{{Named("b", "ACTIVE")}, {}}};
    ServerPoller other(ioc.get_executor(), vanishing.Fetch(), 1s);
    const std::set<std::string> shutoff{"SHUTOFF"};
    try {
        RunOn(ioc, other.WaitFor("id-b", shutoff, Clock::now(), 10s));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
}

TEST(ServerPoller, TheLifecycleLoopReportsStopsStartsAndDeletions) {
    asio::io_context ioc;
    ScriptedNova nova{{{Named("a", "ACTIVE"), Named("b", "ACTIVE")},
                       {Named("a", "SHUTOFF"), Named("b", "ACTIVE")},
                       {Named("a", "REBOOT"), Named("b", "ACTIVE")},
                       {Named("a", "ACTIVE")}}};
    nova.delay = 1ms;
    ServerPoller poller(ioc.get_executor(), nova.Fetch(), 5ms);
    std::vector<std::pair<std::string, bool>> events;
    // Subscribed from a thread that runs the io_context, as escd's monitor does: the loop then
    // starts at once, and must not meet the subscriber's lock.
    asio::post(ioc, [&] {
        poller.Subscribe([&](const std::string& name, bool running) {
            events.emplace_back(name, running);
            if (events.size() == 3) poller.Stop();
        });
    });
    ioc.run();
    // The first list is the baseline; REBOOT is no verdict; b vanished.
    EXPECT_EQ(events,
              (std::vector<std::pair<std::string, bool>>{{"a", false}, {"a", true}, {"b", false}}));
}

TEST(ConfigDrive, TheVmsDay0FilesGoToNovaUnderAbsolutePaths) {
    const std::vector<Day0File> files{
        {"day0.cfg", "hostname vnf\n"}, {"big.bin", std::string(1300, 'x')}, {"empty", ""}};
    const auto read = ConfigDriveFiles(files);
    ASSERT_EQ(read.size(), 3u);
    EXPECT_EQ(read[0], (std::pair<std::string, std::string>{"/day0.cfg", "hostname vnf\n"}));
    EXPECT_EQ(read[1].first, "/big.bin");
    EXPECT_EQ(read[1].second, std::string(1300, 'x'));
    EXPECT_EQ(read[2], (std::pair<std::string, std::string>{"/empty", ""}));
}

}  // namespace
}  // namespace escd::vim::openstack
