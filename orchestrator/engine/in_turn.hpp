#pragma once
/// @file
/// Coroutines launched together that must commit in a fixed order: VMs created on the VIM in
/// parallel still report VM_DEPLOYED in the order of their indexes, whatever order their VIM
/// calls end in. All members run on one strand.

#include <chrono>
#include <cstddef>
#include <set>

#include "common/asio.hpp"

namespace escd::orchestrator {

class InTurn {
  public:
    explicit InTurn(asio::any_io_executor executor)
        : changed_(std::move(executor), std::chrono::steady_clock::time_point::max()) {}

    /// Returns once every index below `index` has finished.
    asio::awaitable<void> Wait(std::size_t index) {
        while (next_ < index) co_await changed_.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    /// `index` is done (committed, or failed before it could): later ones may go. Idempotent.
    void Finish(std::size_t index) {
        finished_.insert(index);
        while (finished_.contains(next_)) ++next_;
        changed_.cancel();
    }

    /// Finishes its index when it goes out of scope, however the coroutine holding it ends.
    struct Guard {
        InTurn* turn;
        std::size_t index;
        ~Guard() {
            if (turn) turn->Finish(index);
        }
    };

  private:
    std::size_t next_ = 0;
    std::set<std::size_t> finished_;
    asio::steady_timer changed_;
};

}  // namespace escd::orchestrator
