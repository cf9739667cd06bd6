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

/// Rules that keep this safe with g++ 12 (whose coroutines may destroy a temporary of a
/// co_await full-expression twice, or after its storage was reused):
/// - Offload is an ordinary function: `fn` moves into co_spawn's own frame, which keeps it alive
///   until it has run.
/// - Callers pass lambdas that capture only references and pointers (trivially destructible),
///   never copies of strings or structs: the awaiting frame outlives the call anyway.
template <class Fn>
auto Offload(asio::thread_pool& pool, Fn&& fn)
    -> asio::awaitable<std::invoke_result_t<std::decay_t<Fn>&>> {
    using R = std::invoke_result_t<std::decay_t<Fn>&>;
    return asio::co_spawn(
        pool.get_executor(),
        [f = std::decay_t<Fn>(std::forward<Fn>(fn))]() mutable -> asio::awaitable<R> {
            co_return f();
        },
        asio::use_awaitable);
}

}  // namespace escd
