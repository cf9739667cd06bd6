#pragma once
/// @file
/// Running a coroutine per item concurrently and waiting for all of them (VMs undeployed or
/// recovered in parallel: the VIM pool bounds how many VIM calls really run at once).

#include <chrono>
#include <cstddef>
#include <exception>

#include "common/asio.hpp"

namespace escd::orchestrator {

/// co_spawns make(item) for each of `items` on the caller's executor (a strand keeps their
/// steps one at a time) and returns once every one has ended, rethrowing the first failure.
/// `items` and what `make` captures must outlive the call (the caller awaits it at once).
template <class Items, class Make>
asio::awaitable<void> AwaitAll(const Items& items, Make make) {
    if (items.empty()) co_return;
    auto executor = co_await asio::this_coro::executor;
    std::size_t done = 0;
    std::exception_ptr failure;
    asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());
    for (const auto& item : items) {
        asio::co_spawn(executor, make(item), [&](std::exception_ptr e, auto&&...) {
            if (e && !failure) failure = e;
            if (++done == items.size()) all_done.cancel();
        });
    }
    if (done < items.size()) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (failure) std::rethrow_exception(failure);
}

}  // namespace escd::orchestrator
