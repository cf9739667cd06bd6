#include "orchestrator/operation_catalog.hpp"

#include <array>

namespace escd::orchestrator {
namespace {
using S = model::ResourceState;
constexpr std::array kOperations{
    OperationInfo{"CREATE_TENANT", S::kCreating, "Tenant successfully created",
                  "Tenant creation failed"},
    OperationInfo{"UPDATE_TENANT", S::kUpdating, "Tenant successfully updated",
                  "Tenant update failed"},
    OperationInfo{"DELETE_TENANT", S::kDeleting, "Tenant successfully deleted",
                  "Tenant deletion failed"},
};
}  // namespace

std::optional<OperationInfo> FindOperation(std::string_view kind) noexcept {
    for (const auto& info : kOperations) {
        if (info.kind == kind) return info;
    }
    return std::nullopt;
}

}  // namespace escd::orchestrator
