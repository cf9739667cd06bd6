#pragma once
/// @file
/// What each operation kind means: the lifecycle state its target is in while it runs, and the
/// ESC-Status-Message texts of its callback. One table, so that resource kinds added later
/// (networks, images, ...) are rows, not code paths.

#include <optional>
#include <string_view>

#include "model/resource_lifecycle.hpp"

namespace escd::orchestrator {

struct OperationInfo {
    std::string_view kind;         ///< CREATE_TENANT, ... (also the callback's event_type)
    model::ResourceState running;  ///< the target's state while the operation runs
    std::string_view success_message;
    std::string_view failure_message;
};

std::optional<OperationInfo> FindOperation(std::string_view kind) noexcept;

}  // namespace escd::orchestrator
