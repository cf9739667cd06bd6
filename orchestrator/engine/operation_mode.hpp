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
#include "model/stores/settings_store.hpp"

namespace escd::orchestrator {

enum class Mode { kOperation, kMaintenance };

std::string_view ToString(Mode mode) noexcept;  ///< "OPERATION", "MAINTENANCE"
/// Case-insensitive; nullopt for anything else.
std::optional<Mode> ParseMode(std::string_view text) noexcept;

class OperationMode {
  public:
    explicit OperationMode(model::SettingsStore& settings) : settings_(settings) {}

    /// Reads the persisted mode (OPERATION when none); at start-up.
    asio::awaitable<void> Load();
    Mode Current() const noexcept { return mode_.load(std::memory_order_relaxed); }
    bool InMaintenance() const noexcept { return Current() == Mode::kMaintenance; }
    /// Persists `mode`, then applies it. Throws Error(kUnavailable) when it cannot be stored
    /// (the mode is then unchanged).
    asio::awaitable<void> Set(Mode mode);
    /// Called after each Set() that changed the mode (set before requests are served).
    void OnChange(std::function<void(Mode)> listener) { listener_ = std::move(listener); }

  private:
    std::function<void(Mode)> listener_;
    model::SettingsStore& settings_;
    std::atomic<Mode> mode_{Mode::kOperation};
};

}  // namespace escd::orchestrator
