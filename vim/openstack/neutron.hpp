#pragma once
/// @file
/// escd's networks on Neutron: a network named escd-<internal id> with one subnet per subnet
/// of escd's network (named escd-<subnet id>). EnsureNetwork makes Neutron hold what the request
/// says, whatever was there (a rerun after a crash finds its own objects by name and creates only
/// what is missing; a subnet escd no longer has is deleted). Deletes treat "already gone" as done.
/// Ids are taken by value (a coroutine may outlive the caller's strings); a request by reference
/// must outlive the awaited call.

#include <optional>
#include <string>
#include <vector>

#include "vim/openstack/session.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

struct NeutronSubnet {
    std::string id;
    std::string name;
    std::string cidr;
    std::string gateway_ip;  ///< "" when none
    bool enable_dhcp = true;
};

class Neutron {
  public:
    explicit Neutron(Session& session) : session_(session) {}

    /// The network's Neutron id after making it and its subnets what `request` says.
    asio::awaitable<std::string> EnsureNetwork(const NetworkRequest& request);
    /// Neutron's id of escd's network `internal_id`, nullopt when there is none.
    asio::awaitable<std::optional<std::string>> FindNetwork(std::string internal_id);
    /// The subnets of Neutron network `network_id`.
    asio::awaitable<std::vector<NeutronSubnet>> Subnets(std::string network_id);
    /// Removes escd's network `internal_id` and its subnets; none is a success.
    asio::awaitable<void> DeleteNetwork(std::string internal_id);

  private:
    Session& session_;
};

}  // namespace escd::vim::openstack
