#pragma once
/// @file
/// vim::Networks — networks with their subnets. The whole wanted state of a network travels in
/// one NetworkRequest, and what it made (the network's and every subnet's external id) comes back
/// in one EnsuredNetwork: there is no later call that depends on an earlier one.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

/// One subnet of a network, as the VIM needs it (addresses already validated by the model).
struct SubnetDefinition {
    std::string internal_id;
    std::string cidr;     ///< "10.0.0.0/24"
    std::string gateway;  ///< "" when the subnet has none
    bool enable_dhcp = true;
    std::vector<std::pair<std::string, std::string>> pools;  ///< allocation pools (start, end)
};

/// A network with ALL its subnets: the VIM is told the whole wanted state, so that creating,
/// changing or deleting a subnet is one idempotent "make it so" on its network.
struct NetworkRequest {
    std::string internal_id;
    std::string tenant_id;  ///< escd's tenant id ("" = none); the tenant exists already
    std::string name;
    bool admin_state_up = true;  ///< false: defined but not started
    bool shared = false;
    std::vector<SubnetDefinition> subnets;
};

/// What EnsureNetwork made: the network's external id and, for every subnet of the request, its
/// external id keyed by escd's internal subnet id (stable for the same ids).
struct EnsuredNetwork {
    std::string external_id;
    std::map<std::string, std::string> subnet_external_ids;

    /// The external id of escd's subnet `internal_id`; "" when the request had no such subnet.
    std::string SubnetExternalId(const std::string& internal_id) const {
        auto it = subnet_external_ids.find(internal_id);
        return it == subnet_external_ids.end() ? std::string() : it->second;
    }
};

class Networks {
  public:
    virtual ~Networks() = default;

    /// Creates the network, or makes the existing one (found by escd's id) match `request`,
    /// including its subnets.
    virtual asio::awaitable<EnsuredNetwork> EnsureNetwork(const NetworkRequest& request) = 0;
    /// Whether the VIM has the network of escd's `internal_id` (reconciliation after a restart).
    virtual asio::awaitable<bool> HasNetwork(const std::string& internal_id) = 0;
    /// Removes the network with its subnets; one that is gone already is a success.
    virtual asio::awaitable<void> DeleteNetwork(const std::string& internal_id) = 0;
};

}  // namespace escd::vim
