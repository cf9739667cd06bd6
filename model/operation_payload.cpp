#include "model/operation_payload.hpp"

namespace escd::model {

std::string_view ToString(MigrationType type) noexcept {
    return type == MigrationType::kLive ? "live" : "cold";
}

std::optional<MigrationType> ParseMigrationType(std::string_view text) noexcept {
    if (text == "live") return MigrationType::kLive;
    if (text == "cold") return MigrationType::kCold;
    return std::nullopt;
}

}  // namespace escd::model
