#pragma once
/// @file
/// An asynchronous mutex for coroutines of the OpenStack adapter. A coroutine that waits for it
/// suspends (its thread serves others meanwhile) and resumes on its own executor when the lock
/// passes to it, in the order the waiters came. Used where callers must take turns around remote
/// calls: the token of a Keystone session (callers that ask at once share one authentication),
/// a new token's priming, a server group made once, a tenant's project and the hosts list looked
/// up once.
///
///     co_await mutex.Lock();
///     const AsyncMutex::Unlocker unlock(mutex);
///
/// It holds no executor of its own: the objects that own one (sessions) outlive the io_contexts
/// of the callers in tests, which run each call on an io_context of its own. (No guard object
/// returned by the coroutine: GCC 12 may destroy a co_await's temporaries twice.)

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <deque>
#include <mutex>

#include "common/asio.hpp"

namespace escd::vim::openstack {

class AsyncMutex {
  public:
    /// Gives the lock back when it goes out of scope.
    class Unlocker {
      public:
        explicit Unlocker(AsyncMutex& mutex) : mutex_(mutex) {}
        Unlocker(const Unlocker&) = delete;
        Unlocker& operator=(const Unlocker&) = delete;
        ~Unlocker() { mutex_.Unlock(); }

      private:
        AsyncMutex& mutex_;
    };

    AsyncMutex() = default;
    AsyncMutex(const AsyncMutex&) = delete;
    AsyncMutex& operator=(const AsyncMutex&) = delete;

    /// Waits until the lock is free and takes it.
    asio::awaitable<void> Lock() {
        {
            std::lock_guard lock(mutex_);
            if (!locked_) {
                locked_ = true;
                co_return;
            }
        }
        // A waiter's turn comes through a channel of its own, on its own executor (alive while
        // it waits); one slot, so a turn passed before the waiter receives is kept.
        Turn turn(co_await asio::this_coro::executor, 1);
        {
            std::lock_guard lock(mutex_);
            if (!locked_) {  // freed meanwhile
                locked_ = true;
                co_return;
            }
            waiters_.push_back(&turn);
        }
        co_await turn.async_receive(asio::as_tuple(asio::use_awaitable));
    }

    /// Passes the lock to the next waiter (the lock stays taken), or frees it.
    void Unlock() {
        Turn* next = nullptr;
        {
            std::lock_guard lock(mutex_);
            if (waiters_.empty()) {
                locked_ = false;
                return;
            }
            next = waiters_.front();
            waiters_.pop_front();
        }
        next->try_send(kPass);
    }

  private:
    using Turn = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
    /// What a turn carries (a named value: GCC 12 mishandles temporaries built inside a co_await
    /// expression).
    static inline const boost::system::error_code kPass{};

    std::mutex mutex_;
    bool locked_ = false;
    std::deque<Turn*> waiters_;
};

}  // namespace escd::vim::openstack
