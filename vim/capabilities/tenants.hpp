#pragma once
/// @file
/// vim::Tenants — the VIM's tenants (OpenStack projects; libvirt keeps a record). No
/// precondition: a tenant is the first thing made for a deployment and the last removed.

#include <string>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

struct TenantRequest {
    std::string internal_id;
    std::string name;
    bool enabled = true;
};

class Tenants {
  public:
    virtual ~Tenants() = default;

    /// Creates the VIM's tenant (project) and returns its external id. If a tenant for this
    /// internal id exists already, returns its id instead of creating a second one.
    virtual asio::awaitable<std::string> CreateTenant(const TenantRequest& request) = 0;
    /// `external_id`: what CreateTenant returned.
    virtual asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                               const TenantRequest& request) = 0;
    /// Deleting a tenant the VIM does not have is a success (the goal state holds).
    virtual asio::awaitable<void> DeleteTenant(const std::string& external_id) = 0;
};

}  // namespace escd::vim
