#pragma once
/// @file
/// The time of the engine's timers, injected: a SteadyClock (asio::steady_timer) in escd, a
/// ManualClock in tests, which the test advances so that a wait of seconds passes in no real
/// time (docs/architecture.md, "The fake VIM and in-process engine tests").
///
/// A wait resumes its caller on the caller's own executor (its strand), as a timer's would.
/// Clock::Wait is for waits nothing cuts short; a Clock::Timer's wait can be (Cancel), as an
/// asio::steady_timer's: the monitor's polls, which end when their watch does, and the
/// notifier's retries, which RetryNow and Stop end early.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/experimental/concurrent_channel.hpp>

#include "common/asio.hpp"

namespace escd {

class Clock {
  public:
    using duration = std::chrono::steady_clock::duration;
    using time_point = std::chrono::steady_clock::time_point;

    class Timer;

    virtual ~Clock() = default;
    virtual time_point now() const = 0;
    /// Completes once `delay` of this clock's time has passed (at once for none).
    virtual asio::awaitable<void> Wait(duration delay) = 0;
    /// A timer whose waits complete on `executor`.
    virtual std::unique_ptr<Timer> MakeTimer(asio::any_io_executor executor) = 0;
};

/// One wait at a time that its owner can end early. Wait and Cancel are called on the timer's
/// executor (its strand), as an asio::steady_timer's are.
class Clock::Timer {
  public:
    virtual ~Timer() = default;
    /// True once `delay` passed (at once for none); false when Cancel() ended it first.
    virtual asio::awaitable<bool> Wait(duration delay) = 0;
    /// Ends the pending wait, if any; a later Wait is not affected.
    virtual void Cancel() = 0;
};

/// Real time: std::chrono::steady_clock and asio::steady_timer.
class SteadyClock final : public Clock {
  public:
    time_point now() const override { return std::chrono::steady_clock::now(); }
    asio::awaitable<void> Wait(duration delay) override;
    std::unique_ptr<Timer> MakeTimer(asio::any_io_executor executor) override;

    /// The one every user without a clock of its own shares (it holds no state).
    static SteadyClock& Shared();
};

/// Time that moves only when the test calls Advance(). Thread safe: the engine waits on its
/// strands while the test thread advances, and may block in WaitForWaiters() until the engine
/// has begun the wait the test means to cut short.
class ManualClock final : public Clock {
  public:
    ManualClock() = default;
    /// Ends the waits still pending as cancelled (a Clock::Wait throws operation_aborted): their
    /// coroutines are otherwise never resumed nor freed. Their executors must outlive the clock
    /// (they may be stopped: the coroutines are then freed with their io_context).
    ~ManualClock() override;
    ManualClock(const ManualClock&) = delete;
    ManualClock& operator=(const ManualClock&) = delete;

    time_point now() const override;
    asio::awaitable<void> Wait(duration delay) override;
    std::unique_ptr<Timer> MakeTimer(asio::any_io_executor executor) override;

    /// Moves the time on by `step`; every wait due by then completes.
    void Advance(duration step);
    /// Ends every wait pending now as cancelled (what the destructor does): a test that leaves
    /// an operation waiting on the clock lets it unwind while the engine still exists.
    void CancelAll();
    /// How many waits are pending now.
    std::size_t Waiting() const;
    /// Blocks until at least `count` waits are pending, or `timeout` (real time) passed;
    /// whether they were.
    bool WaitForWaiters(std::size_t count, std::chrono::milliseconds timeout) const;
    /// Blocks until no wait is pending (what waited ended or was cancelled), or `timeout`
    /// passed; whether none is.
    bool WaitForNoWaiter(std::chrono::milliseconds timeout) const;

  private:
    class ManualTimer;
    using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
    struct Waiter {
        time_point due;
        std::shared_ptr<Channel> wake;
    };
    /// A wait of `delay` woken through `wake` (by Advance, or with operation_aborted by
    /// Cancel); false when cancelled.
    asio::awaitable<bool> WaitOn(duration delay, std::shared_ptr<Channel> wake);
    /// Ends the wait woken through `wake`, if it is pending.
    void Cancel(const std::shared_ptr<Channel>& wake);

    mutable std::mutex mutex_;
    mutable std::condition_variable waiters_changed_;
    time_point now_{};  ///< starts at the epoch of steady_clock: only differences mean anything
    std::vector<Waiter> waiters_;
};

}  // namespace escd
