#pragma once
/// @file
/// The stored form of a non-deployment resource, whatever its kind.

#include <string>
#include <string_view>
#include <utility>

#include "model/kinds.hpp"
#include "model/resource_lifecycle.hpp"

namespace escd::model {

/// (kind, internal id): a resource's key.
using ResourceKey = std::pair<ResourceKind, std::string>;

struct ResourceRecord {
    ResourceKind kind = ResourceKind::kTenant;
    std::string internal_id;  ///< client-chosen, unique across all kinds
    std::string tenant_id;    ///< owning tenant; empty for tenants and global resources
    std::string name;
    ResourceState state = ResourceState::kCreating;
    std::string external_id;  ///< the VIM's id; empty until the VIM created it
    std::string spec;         ///< canonical XML of the accepted request (see model/xml/)
    std::string parent_id;    ///< the direct parent (tenant, or a subnet's network); may be empty
};

}  // namespace escd::model
