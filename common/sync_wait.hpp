#pragma once
/// @file
/// Runs an awaitable to its end from ordinary code and returns its result (or rethrows its
/// exception): for start-up, before escd's io_context runs, where the store's awaitables are
/// needed one after another (the instance id, the admin password, the operation mode).
///
/// It runs a private io_context on the calling thread: never call it on an Asio thread.

#include <utility>

#include "common/asio.hpp"

namespace escd {

template <class T>
T SyncWait(asio::awaitable<T> awaitable) {
    asio::io_context context;
    auto result = asio::co_spawn(context, std::move(awaitable), asio::use_future);
    context.run();
    return result.get();
}

}  // namespace escd
