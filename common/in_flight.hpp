#pragma once
/// @file
/// InFlight: a count of work under way (requests being answered, operations running) that a
/// stop waits on until it falls to zero, woken by the end of the last piece rather than by
/// polling the count.
///
/// Begin() and End() are thread safe and never block on a waiter.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "common/asio.hpp"

namespace escd {

class InFlight {
  public:
    explicit InFlight(asio::any_io_executor executor);
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

    void Begin() { ++count_; }
    /// One piece ended; the last one wakes every waiter.
    void End();
    std::size_t Count() const { return count_.load(); }

    /// Waits, without blocking a thread, until nothing is in flight or `timeout` passed;
    /// whether nothing is.
    asio::awaitable<bool> AwaitNone(std::chrono::steady_clock::duration timeout);
    /// The same, blocking the calling thread (tests, from a thread that runs no work counted
    /// here).
    bool WaitNone(std::chrono::milliseconds timeout);

  private:
    asio::awaitable<bool> WaitOnStrand(std::chrono::steady_clock::duration timeout);

    std::atomic<std::size_t> count_{0};
    asio::strand<asio::any_io_executor> strand_;  ///< where the waiters' timers wait
    std::mutex mutex_;
    std::vector<std::shared_ptr<asio::steady_timer>> waiters_;  ///< the AwaitNone timers
    std::condition_variable none_;                              ///< wakes WaitNone
};

}  // namespace escd
