#include "common/in_flight.hpp"

#include <algorithm>

namespace escd {

InFlight::InFlight(asio::any_io_executor executor) : strand_(asio::make_strand(executor)) {}

void InFlight::End() {
    if (--count_ != 0) return;
    // Under the mutex: a waiter that saw work in flight has registered its timer (AwaitNone) or
    // is blocked on none_ (WaitNone) by now. The cancellations run on the strand, after the
    // waiter's wait has started; they hold the timers, not this object.
    std::lock_guard lock(mutex_);
    for (auto& timer : waiters_) asio::post(strand_, [timer] { timer->cancel(); });
    none_.notify_all();
}

asio::awaitable<bool> InFlight::AwaitNone(std::chrono::steady_clock::duration timeout) {
    // On the strand (a coroutine of its own: Asio does not move a running coroutine to another
    // executor), so that a cancellation End() posts runs after the wait started.
    co_return co_await asio::co_spawn(strand_, WaitOnStrand(timeout), asio::use_awaitable);
}

asio::awaitable<bool> InFlight::WaitOnStrand(std::chrono::steady_clock::duration timeout) {
    auto timer = std::make_shared<asio::steady_timer>(strand_, timeout);
    {
        std::lock_guard lock(mutex_);
        if (count_.load() == 0) co_return true;
        waiters_.push_back(timer);
    }
    co_await timer->async_wait(kNoThrow);  // expired, or cancelled by the last End()
    std::lock_guard lock(mutex_);
    std::erase(waiters_, timer);
    co_return count_.load() == 0;
}

bool InFlight::WaitNone(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return none_.wait_for(lock, timeout, [this] { return count_.load() == 0; });
}

}  // namespace escd
