#include "orchestrator/engine/operation_mode.hpp"

#include <cctype>
#include <string>

#include "common/log.hpp"

namespace escd::orchestrator {
namespace {
constexpr const char* kSettingKey = "operation_mode";
}  // namespace

std::string_view ToString(Mode mode) noexcept {
    return mode == Mode::kMaintenance ? "MAINTENANCE" : "OPERATION";
}

std::optional<Mode> ParseMode(std::string_view text) noexcept {
    std::string upper(text.substr(0, 32));
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "OPERATION") return Mode::kOperation;
    if (upper == "MAINTENANCE") return Mode::kMaintenance;
    return std::nullopt;
}

asio::awaitable<void> OperationMode::Load() {
    const std::string key = kSettingKey;
    auto stored = co_await settings_.GetSetting(key);
    auto mode = stored ? ParseMode(*stored) : std::nullopt;
    mode_ = mode.value_or(Mode::kOperation);
    if (InMaintenance())
        ESCD_WARN("escd") << "starting in MAINTENANCE mode: mutating requests are refused";
}

asio::awaitable<void> OperationMode::Set(Mode mode) {
    const std::string key = kSettingKey, value(ToString(mode));
    co_await settings_.PutSetting(key, value);
    const bool changed = mode_.exchange(mode) != mode;
    ESCD_INFO("escd") << "operation mode set to " << value;
    if (changed && listener_) listener_(mode);
}

}  // namespace escd::orchestrator
