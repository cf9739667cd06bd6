#include "common/clock.hpp"

namespace escd {

asio::awaitable<void> SteadyClock::Wait(duration delay) {
    if (delay <= duration::zero()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

SteadyClock& SteadyClock::Shared() {
    static SteadyClock clock;
    return clock;
}

Clock::time_point ManualClock::now() const {
    std::lock_guard lock(mutex_);
    return now_;
}

asio::awaitable<void> ManualClock::Wait(duration delay) {
    if (delay <= duration::zero()) co_return;
    // Room for the one wake-up: Advance never waits for the waiter to be receiving.
    auto wake = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    {
        std::lock_guard lock(mutex_);
        waiters_.push_back({now_ + delay, wake});
    }
    waiters_changed_.notify_all();
    auto [ec] = co_await wake->async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) throw boost::system::system_error(ec, "ManualClock wait");
}

void ManualClock::Advance(duration step) {
    std::vector<std::shared_ptr<Channel>> due;
    {
        std::lock_guard lock(mutex_);
        now_ += step;
        std::erase_if(waiters_, [&](const Waiter& waiter) {
            if (waiter.due > now_) return false;
            due.push_back(waiter.wake);
            return true;
        });
    }
    for (auto& wake : due) wake->try_send(boost::system::error_code{});
    waiters_changed_.notify_all();
}

std::size_t ManualClock::Waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

bool ManualClock::WaitForWaiters(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return waiters_changed_.wait_for(lock, timeout, [&] { return waiters_.size() >= count; });
}

}  // namespace escd
