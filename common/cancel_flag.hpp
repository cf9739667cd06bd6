#pragma once
/// @file
/// A request to stop that one party sets and a running coroutine reads at its waits: the engine
/// cancels a recovery or a scale that an undeploy overtook (docs/behaviour.md, "Undeploy"), and
/// the boot checks of that operation give up at their next probe. Thread safe.

#include <atomic>

namespace escd {

class CancelFlag {
  public:
    void Cancel() noexcept { cancelled_.store(true, std::memory_order_release); }
    bool Cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }

  private:
    std::atomic<bool> cancelled_{false};
};

}  // namespace escd
