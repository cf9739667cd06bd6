// common/clock.hpp: a ManualClock's wait ends when the test has advanced it past the wait's end,
// not before, and resumes its caller on the caller's own strand; a SteadyClock waits real time.

#include "common/clock.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "tests/support/io_thread.hpp"

namespace escd {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, AWaitEndsOnceTheClockWasAdvancedPastItsEnd) {
    ManualClock clock;
    test::IoThread thread;
    auto strand = asio::make_strand(thread.ioc());
    const auto start = clock.now();
    auto done = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<bool> {
            co_await clock.Wait(2s);
            co_return strand.running_in_this_thread();
        },
        asio::use_future);
    ASSERT_TRUE(clock.WaitForWaiters(1, 5s));
    clock.Advance(1s);
    EXPECT_EQ(clock.Waiting(), 1u);
    clock.Advance(999ms);
    EXPECT_EQ(clock.Waiting(), 1u);
    EXPECT_EQ(done.wait_for(0ms), std::future_status::timeout);
    clock.Advance(1ms);
    EXPECT_TRUE(done.get()) << "resumed on its own strand";
    EXPECT_EQ(clock.Waiting(), 0u);
    EXPECT_EQ(clock.now() - start, 2s);
}

TEST(ManualClock, ANonPositiveWaitEndsAtOnce) {
    ManualClock clock;
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, clock.Wait(0s), asio::use_future);
    ioc.run();
    EXPECT_NO_THROW(done.get());
    EXPECT_EQ(clock.Waiting(), 0u);
}

TEST(ManualClock, ATimersWaitEndsWhenTheClockPassesItsEndOrWhenItIsCancelled) {
    ManualClock clock;
    test::IoThread thread;
    auto strand = asio::make_strand(thread.ioc());
    auto timer = clock.MakeTimer(strand);
    const auto wait = [&](Clock::duration delay) {
        return asio::co_spawn(strand, timer->Wait(delay), asio::use_future);
    };
    auto passed = wait(1s);
    ASSERT_TRUE(clock.WaitForWaiters(1, 5s));
    clock.Advance(1s);
    EXPECT_TRUE(passed.get());

    auto cancelled = wait(1h);
    ASSERT_TRUE(clock.WaitForWaiters(1, 5s));
    asio::post(strand, [&] { timer->Cancel(); });
    EXPECT_FALSE(cancelled.get()) << "a cancelled wait reports that its time did not pass";
    EXPECT_EQ(clock.Waiting(), 0u);

    auto after = wait(2s);  // a cancel ends only the wait pending then
    ASSERT_TRUE(clock.WaitForWaiters(1, 5s));
    clock.Advance(2s);
    EXPECT_TRUE(after.get());
}

TEST(ManualClock, AWaitStillPendingWhenTheClockGoesEndsAsCancelled) {
    test::IoThread thread;
    auto clock = std::make_unique<ManualClock>();
    auto waiting = asio::co_spawn(thread.ioc(), clock->Wait(1h), asio::use_future);
    ASSERT_TRUE(clock->WaitForWaiters(1, 5s));
    clock.reset();
    EXPECT_THROW(waiting.get(), boost::system::system_error);
}

TEST(SteadyClock, ATimersWaitCanBeCancelled) {
    test::IoThread thread;
    auto strand = asio::make_strand(thread.ioc());
    auto timer = SteadyClock::Shared().MakeTimer(strand);
    std::promise<void> started;
    auto waiting = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<bool> {
            started.set_value();  // the wait begins before the strand runs anything else
            co_return co_await timer->Wait(1h);
        },
        asio::use_future);
    started.get_future().wait();
    asio::post(strand, [&] { timer->Cancel(); });
    EXPECT_FALSE(waiting.get());
    EXPECT_TRUE(asio::co_spawn(strand, timer->Wait(1ms), asio::use_future).get());
}

TEST(SteadyClock, AWaitTakesRealTime) {
    auto& clock = SteadyClock::Shared();
    asio::io_context ioc;
    const auto start = clock.now();
    asio::co_spawn(ioc, clock.Wait(5ms), asio::detached);
    ioc.run();
    EXPECT_GE(clock.now() - start, 5ms);
}

}  // namespace
}  // namespace escd
