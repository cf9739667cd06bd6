#pragma once
/// @file
/// The pauses between polls of an OpenStack object's state (an image becoming active, a volume
/// available or gone): OpenStack reports such changes only when asked. The pauses grow by half
/// from `first` up to `longest` (a quick change is seen quickly, a slow one costs few calls),
/// and the whole wait is bounded.

#include <algorithm>
#include <chrono>

#include "common/asio.hpp"

namespace escd::vim::openstack {

class Poll {
  public:
    using Clock = std::chrono::steady_clock;

    Poll(std::chrono::milliseconds bound,
         std::chrono::milliseconds first = std::chrono::milliseconds(200),
         std::chrono::milliseconds longest = std::chrono::milliseconds(3000))
        : deadline_(Clock::now() + bound), next_(first), longest_(longest) {}

    /// Pauses before the next poll; false, at once, when the bound is spent. The last pause
    /// is cut short to end at the bound, so one more poll sees the state at the bound.
    asio::awaitable<bool> Next() {
        const auto now = Clock::now();
        if (now >= deadline_) co_return false;
        const auto pause = std::min<Clock::duration>(next_, deadline_ - now);
        next_ = std::min(next_ + next_ / 2, longest_);
        asio::steady_timer timer(co_await asio::this_coro::executor, pause);
        co_await timer.async_wait(asio::use_awaitable);
        co_return true;
    }

  private:
    Clock::time_point deadline_;
    std::chrono::milliseconds next_;
    std::chrono::milliseconds longest_;
};

}  // namespace escd::vim::openstack
