// common/in_flight.hpp: a wait for nothing in flight ends at once when nothing is, when the last
// piece of work ends (woken, not polled), or at its timeout while work remains.

#include "common/in_flight.hpp"

#include <gtest/gtest.h>

#include <future>

#include "tests/support/io_thread.hpp"

namespace escd {
namespace {

using namespace std::chrono_literals;

TEST(InFlight, AWaitEndsAtOnceWhenNothingIsInFlight) {
    test::IoThread thread;
    InFlight in_flight(thread.ioc().get_executor());
    auto done = asio::co_spawn(thread.ioc(), in_flight.AwaitNone(1h), asio::use_future);
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready) << "it waited for its timeout";
    EXPECT_TRUE(done.get());
    EXPECT_TRUE(in_flight.WaitNone(0ms));
}

TEST(InFlight, AWaitEndsWhenTheLastPieceOfWorkEnds) {
    test::IoThread thread;
    InFlight in_flight(thread.ioc().get_executor());
    in_flight.Begin();
    in_flight.Begin();
    auto awaited = asio::co_spawn(thread.ioc(), in_flight.AwaitNone(1h), asio::use_future);
    auto blocked = std::async(std::launch::async, [&] { return in_flight.WaitNone(1h); });
    in_flight.End();
    EXPECT_EQ(awaited.wait_for(100ms), std::future_status::timeout) << "one piece is left";
    EXPECT_EQ(in_flight.Count(), 1u);
    in_flight.End();
    ASSERT_EQ(awaited.wait_for(10s), std::future_status::ready) << "not woken by the last End";
    EXPECT_TRUE(awaited.get());
    ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready) << "not woken by the last End";
    EXPECT_TRUE(blocked.get());
}

TEST(InFlight, AWaitEndsAtItsTimeoutWhileWorkRemains) {
    test::IoThread thread;
    InFlight in_flight(thread.ioc().get_executor());
    in_flight.Begin();
    auto done = asio::co_spawn(thread.ioc(), in_flight.AwaitNone(50ms), asio::use_future);
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    EXPECT_FALSE(done.get());
    EXPECT_FALSE(in_flight.WaitNone(50ms));
    in_flight.End();
}

}  // namespace
}  // namespace escd
