#pragma once
/// @file
/// What each of a resource's own operations means: the lifecycle state its target is in while it
/// runs, and the ESC-Status-Message texts of its callback. Such an operation is a verb of a
/// resource kind (CREATE_NETWORK: model::ResourceVerb::kCreate of kNetwork, as
/// model::kOperationKindNames records); the verbs and the subjects are two small tables here, so
/// a new resource kind is one row.

#include <optional>
#include <string>

#include "common/error.hpp"
#include "model/kinds.hpp"
#include "model/operation.hpp"
#include "model/resource_lifecycle.hpp"

namespace escd::orchestrator {

struct OperationInfo {
    model::OperationKind kind;        ///< CREATE_TENANT, ... (also the callback's event_type)
    model::ResourceKind target_kind;  ///< kTenant, ...
    model::ResourceState running;     ///< the target's state while the operation runs
    std::string success_message;      ///< "Network successfully created"
    std::string failure_message;      ///< "Network creation failed"
};

/// The meaning of `kind`; nullopt for an operation that is not a resource's own (SCALE_OUT, ...).
std::optional<OperationInfo> FindOperation(model::OperationKind kind);

/// CREATE_NETWORK for (kCreating, kNetwork); nullopt when `running` is no verb's state.
std::optional<model::OperationKind> ResourceOperationKind(model::ResourceState running,
                                                          model::ResourceKind target_kind);

/// The internal error that ends `op` when no workflow runs its kind (a kind another version of
/// escd stored, or one that does not fit its target): "unknown operation kind <text>".
Error UnknownOperationKind(const model::Operation& op);

}  // namespace escd::orchestrator
