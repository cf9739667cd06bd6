#pragma once
/// @file
/// escd's operation mode (docs/behaviour.md, "Maintenance mode"): OPERATION, or MAINTENANCE, in
/// which mutating northbound requests are refused with 503 while GETs work and operations already
/// running finish. The mode is persisted (settings key "operation_mode") and survives restarts.
///
/// Thread safe: Current() is one atomic load, cheap enough for every request.

#include <atomic>
#include <functional>
#include <optional>
#include <string_view>

#include "common/asio.hpp"
#include "model/store.hpp"

namespace escd::orchestrator {

enum class Mode { kOperation, kMaintenance };

std::string_view ToString(Mode mode) noexcept;  ///< "OPERATION", "MAINTENANCE"
/// Case-insensitive; nullopt for anything else.
std::optional<Mode> ParseMode(std::string_view text) noexcept;

class OperationMode {
  public:
    OperationMode(model::Store& store, asio::thread_pool& db_pool)
        : store_(store), db_pool_(db_pool) {}

    /// Reads the persisted mode (OPERATION when none). Blocking; at start-up.
    void Load();
    Mode Current() const noexcept { return mode_.load(std::memory_order_relaxed); }
    bool InMaintenance() const noexcept { return Current() == Mode::kMaintenance; }
    /// Persists `mode`, then applies it. Throws Error(kUnavailable) when it cannot be stored
    /// (the mode is then unchanged).
    asio::awaitable<void> Set(Mode mode);
    /// Called after each Set() that changed the mode (set before requests are served).
    void OnChange(std::function<void(Mode)> listener) { listener_ = std::move(listener); }

  private:
    std::function<void(Mode)> listener_;
    model::Store& store_;
    asio::thread_pool& db_pool_;
    std::atomic<Mode> mode_{Mode::kOperation};
};

}  // namespace escd::orchestrator
