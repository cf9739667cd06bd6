#pragma once
/// @file
/// The stored form of a non-deployment resource, whatever its kind.

#include <string>
#include <string_view>

#include "model/resource_lifecycle.hpp"

namespace escd::model {

/// Kinds as stored in resources.kind and used in operations.target_kind.
namespace kind {
inline constexpr const char* kTenant = "tenant";
inline constexpr const char* kNetwork = "network";
inline constexpr const char* kSubnet = "subnet";
inline constexpr const char* kImage = "image";
inline constexpr const char* kFlavor = "flavor";
inline constexpr const char* kVolume = "volume";
inline constexpr const char* kRouter = "router";
inline constexpr const char* kFileServer = "file_server";
inline constexpr const char* kDeployment = "deployment";
}  // namespace kind

/// The kind a resource of `kind` lives in: "tenant" for networks, volumes, routers, deployments,
/// "network" for subnets, "" for tenants, images, flavors and file servers (global).
std::string_view ParentKindOf(std::string_view kind) noexcept;

struct ResourceRecord {
    std::string kind;         ///< kind::kTenant, ...
    std::string internal_id;  ///< client-chosen, unique across all kinds
    std::string tenant_id;    ///< owning tenant; empty for tenants and global resources
    std::string name;
    ResourceState state = ResourceState::kCreating;
    std::string external_id;  ///< the VIM's id; empty until the VIM created it
    std::string spec;         ///< canonical XML of the accepted request (see model/xml/)
    std::string parent_id;    ///< the direct parent (tenant, or a subnet's network); may be empty
};

}  // namespace escd::model
