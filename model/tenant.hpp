#pragma once
/// @file
/// A tenant as the client describes it (ESC reference, "01-Tenants").

#include <optional>
#include <string>

namespace escd::model {

struct TenantSpec {
    std::string internal_id;  ///< internal_tenant_id (path parameter)
    std::string name;         ///< 1..64
    std::string description;
    bool enabled = true;
    bool managed_resource = true;
    std::optional<bool> vim_mapping;
};

}  // namespace escd::model
