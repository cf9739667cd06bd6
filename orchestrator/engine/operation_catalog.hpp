#pragma once
/// @file
/// What each operation kind means: the lifecycle state its target is in while it runs, and the
/// ESC-Status-Message texts of its callback. Kinds are VERB_SUBJECT (CREATE_NETWORK); the verbs
/// and the subjects are two small tables, so a new resource kind is one row.

#include <optional>
#include <string>
#include <string_view>

#include "model/resource_lifecycle.hpp"

namespace escd::orchestrator {

struct OperationInfo {
    std::string kind;              ///< CREATE_TENANT, ... (also the callback's event_type)
    std::string target_kind;       ///< model::kind::kTenant, ...
    model::ResourceState running;  ///< the target's state while the operation runs
    std::string success_message;   ///< "Network successfully created"
    std::string failure_message;   ///< "Network creation failed"
};

std::optional<OperationInfo> FindOperation(std::string_view kind);

/// "CREATE_NETWORK" for (kCreating, "network"); "" for an unknown subject.
std::string OperationKind(model::ResourceState running, std::string_view target_kind);

}  // namespace escd::orchestrator
