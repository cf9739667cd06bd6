#pragma once
/// @file
/// The stored form of a non-deployment resource, whatever its kind.

#include <string>

#include "model/resource_lifecycle.hpp"

namespace escd::model {

/// Kinds as stored in resources.kind and used in operations.target_kind.
namespace kind {
inline constexpr const char* kTenant = "tenant";
}  // namespace kind

struct ResourceRecord {
    std::string kind;         ///< kind::kTenant, ...
    std::string internal_id;  ///< client-chosen, unique across all kinds
    std::string tenant_id;    ///< owning tenant; empty for tenants and global resources
    std::string name;
    ResourceState state = ResourceState::kCreating;
    std::string external_id;  ///< the VIM's id; empty until the VIM created it
    std::string spec;         ///< canonical XML of the accepted request (see model/xml/)
};

}  // namespace escd::model
