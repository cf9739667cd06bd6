// vim/openstack/async_mutex.hpp: coroutines take turns in the order they came, each resumes on
// its own executor, and the mutex outlives the io_contexts of its callers (a session made in a
// test outlives the io_context of each call; a mutex bound to one hung at destruction).

#include "vim/openstack/async_mutex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace escd::vim::openstack {
namespace {

// Takes the lock, records "<name>+", holds it across a suspension, records "<name>-".
asio::awaitable<void> Hold(AsyncMutex& mutex, std::vector<std::string>& trace, std::string name) {
    co_await mutex.Lock();
    const AsyncMutex::Unlocker unlock(mutex);
    trace.push_back(name + "+");
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
    co_await pause.async_wait(asio::use_awaitable);
    trace.push_back(name + "-");
}

TEST(AsyncMutex, CoroutinesTakeTurnsInTheOrderTheyCame) {
    AsyncMutex mutex;
    std::vector<std::string> trace;
    asio::io_context ioc;
    for (const char* name : {"a", "b", "c"})
        asio::co_spawn(ioc, Hold(mutex, trace, name), asio::detached);
    ioc.run();
    EXPECT_EQ(trace, (std::vector<std::string>{"a+", "a-", "b+", "b-", "c+", "c-"}));
}

TEST(AsyncMutex, AWaiterResumesOnItsOwnExecutorAndTheMutexOutlivesIt) {
    AsyncMutex mutex;
    std::vector<std::string> trace;
    std::thread::id second_thread;
    {
        asio::io_context first;
        asio::io_context second;
        asio::co_spawn(first, Hold(mutex, trace, "first"), asio::detached);
        first.run_one();  // "first" holds the lock and waits on its timer
        asio::co_spawn(
            second,
            [&]() -> asio::awaitable<void> {
                co_await mutex.Lock();
                const AsyncMutex::Unlocker unlock(mutex);
                trace.push_back("second");
                second_thread = std::this_thread::get_id();
            },
            asio::detached);
        second.poll();  // queued behind "first"
        EXPECT_EQ(trace, (std::vector<std::string>{"first+"}));
        // The waiting receive keeps `second` busy until the lock passes to it.
        std::thread runner([&] { second.run(); });
        first.run();
        runner.join();
    }
    EXPECT_EQ(trace, (std::vector<std::string>{"first+", "first-", "second"}));
    EXPECT_NE(second_thread, std::this_thread::get_id()) << "resumed on its own io_context";
    // Both io_contexts are gone; the mutex still works (and is destroyed) without them.
    asio::io_context third;
    asio::co_spawn(third, Hold(mutex, trace, "third"), asio::detached);
    third.run();
    EXPECT_EQ(trace.back(), "third-");
}

}  // namespace
}  // namespace escd::vim::openstack
