#pragma once
/// @file
/// escd's routers on Neutron, named escd-<internal id> (found again by that name after a
/// crash). EnsureRouter makes the router hold exactly the request's interfaces: one per subnet of
/// `subnet_external_ids`, added where missing, and every other interface removed. A router's
/// interfaces are read from its ports (device_id = the router, an interface device_owner), so a
/// rerun sees what an interrupted one did. Deletes treat "already gone" as done.
///
/// Ids and requests are taken by value: a coroutine may outlive the caller's temporaries.

#include <optional>
#include <string>
#include <vector>

#include "vim/openstack/resources_json.hpp"
#include "vim/openstack/session.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

class Routers {
  public:
    explicit Routers(Session& session) : session_(session) {}

    /// Neutron's id of escd's router `request.internal_id` after making its admin state and
    /// interfaces what `request` says.
    asio::awaitable<std::string> EnsureRouter(RouterRequest request);
    /// escd's router `internal_id`, nullopt when Neutron has none.
    asio::awaitable<std::optional<Router>> FindRouter(std::string internal_id);
    /// The subnets router `router_id` has an interface on.
    asio::awaitable<std::vector<std::string>> InterfaceSubnets(std::string router_id);
    /// Removes router `router_id`, its interfaces first (Neutron refuses to delete a router that
    /// has any); one that is gone is a success.
    asio::awaitable<void> DeleteRouter(std::string router_id);

  private:
    /// The router's interface ports.
    asio::awaitable<std::vector<Port>> Interfaces(std::string router_id);

    Session& session_;
};

}  // namespace escd::vim::openstack
