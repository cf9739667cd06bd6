#pragma once
/// @file
/// Runs a blocking function (libpqxx, libvirt) on a dedicated thread pool and resumes the awaiting
/// coroutine on its own executor (its strand) with the result or the exception.
///
/// Why co_spawn: the completion of a co_spawn'ed awaitable is delivered through the awaiting
/// coroutine's associated executor, so the caller never continues on a pool thread.

#include <type_traits>
#include <utility>

#include "common/asio.hpp"

namespace escd {

/// Not a coroutine itself on purpose: g++ 12 may destroy a by-value argument of a coroutine
/// twice when the call sits inside a co_await expression. Here the function object moves into
/// co_spawn's own frame, which keeps it alive until it has run.
template <class Fn>
auto Offload(asio::thread_pool& pool, Fn fn) -> asio::awaitable<std::invoke_result_t<Fn&>> {
    using R = std::invoke_result_t<Fn&>;
    return asio::co_spawn(
        pool.get_executor(),
        [f = std::move(fn)]() mutable -> asio::awaitable<R> { co_return f(); },
        asio::use_awaitable);
}

}  // namespace escd
