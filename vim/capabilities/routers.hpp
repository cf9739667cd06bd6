#pragma once
/// @file
/// vim::Routers — routers between subnets. OpenStack has objects for them (Neutron routers); a
/// hypervisor like libvirt records them without an object, and says so in the note.

#include <string>
#include <vector>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

struct RouterRequest {
    std::string internal_id;
    std::string tenant_id;
    std::string name;
    bool admin_state = true;
    /// The interfaces: subnets' external ids as Networks::EnsureNetwork reported them.
    std::vector<std::string> subnet_external_ids;
};

class Routers {
  public:
    virtual ~Routers() = default;

    /// Creates or updates the router (interfaces and routes as requested).
    virtual asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) = 0;
    /// `external_id`: what EnsureRouter reported. Gone already is a success.
    virtual asio::awaitable<void> DeleteRouter(const std::string& external_id) = 0;
};

}  // namespace escd::vim
