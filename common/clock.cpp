#include "common/clock.hpp"

namespace escd {

asio::awaitable<void> SteadyClock::Wait(duration delay) {
    if (delay <= duration::zero()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

namespace {
class SteadyTimer final : public Clock::Timer {
  public:
    explicit SteadyTimer(asio::any_io_executor executor) : timer_(std::move(executor)) {}
    asio::awaitable<bool> Wait(Clock::duration delay) override {
        timer_.expires_after(delay);
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }
    void Cancel() override { timer_.cancel(); }

  private:
    asio::steady_timer timer_;
};
}  // namespace

std::unique_ptr<Clock::Timer> SteadyClock::MakeTimer(asio::any_io_executor executor) {
    return std::make_unique<SteadyTimer>(std::move(executor));
}

SteadyClock& SteadyClock::Shared() {
    static SteadyClock clock;
    return clock;
}

Clock::time_point ManualClock::now() const {
    std::lock_guard lock(mutex_);
    return now_;
}

class ManualClock::ManualTimer final : public Clock::Timer {
  public:
    ManualTimer(ManualClock& clock, asio::any_io_executor executor)
        : clock_(clock), executor_(std::move(executor)) {}
    asio::awaitable<bool> Wait(duration delay) override {
        if (delay <= duration::zero()) co_return true;
        // Room for the one wake-up: Advance and Cancel never wait for the waiter to receive.
        pending_ = std::make_shared<Channel>(executor_, 1);
        const bool passed = co_await clock_.WaitOn(delay, pending_);
        pending_.reset();
        co_return passed;
    }
    void Cancel() override {
        if (pending_) clock_.Cancel(pending_);
    }

  private:
    ManualClock& clock_;
    asio::any_io_executor executor_;
    std::shared_ptr<Channel> pending_;  ///< the wake of the pending wait (on executor_)
};

ManualClock::~ManualClock() {
    CancelAll();
}

void ManualClock::CancelAll() {
    std::vector<Waiter> pending;
    {
        std::lock_guard lock(mutex_);
        pending.swap(waiters_);
    }
    for (auto& waiter : pending)
        waiter.wake->try_send(boost::system::error_code(asio::error::operation_aborted));
    waiters_changed_.notify_all();
}

asio::awaitable<void> ManualClock::Wait(duration delay) {
    if (delay <= duration::zero()) co_return;
    auto wake = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    if (!co_await WaitOn(delay, std::move(wake)))
        throw boost::system::system_error(asio::error::operation_aborted, "ManualClock wait");
}

std::unique_ptr<Clock::Timer> ManualClock::MakeTimer(asio::any_io_executor executor) {
    return std::make_unique<ManualTimer>(*this, std::move(executor));
}

asio::awaitable<bool> ManualClock::WaitOn(duration delay, std::shared_ptr<Channel> wake) {
    {
        std::lock_guard lock(mutex_);
        waiters_.push_back({now_ + delay, wake});
    }
    waiters_changed_.notify_all();
    auto [ec] = co_await wake->async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return false;
    if (ec) throw boost::system::system_error(ec, "ManualClock wait");
    co_return true;
}

void ManualClock::Cancel(const std::shared_ptr<Channel>& wake) {
    bool pending = false;
    {
        std::lock_guard lock(mutex_);
        pending =
            std::erase_if(waiters_, [&](const Waiter& waiter) { return waiter.wake == wake; });
    }
    // One that Advance woke already completes as passed.
    if (pending) wake->try_send(boost::system::error_code(asio::error::operation_aborted));
    waiters_changed_.notify_all();
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

bool ManualClock::WaitForNoWaiter(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return waiters_changed_.wait_for(lock, timeout, [&] { return waiters_.empty(); });
}

}  // namespace escd
