#pragma once
/// @file
/// The JSON bodies the OpenStack adapter sends to Neutron and Nova, and what it reads from
/// their answers. Pure functions (unit tested); the calls are the adapter's.
///
/// escd names every object it creates after its own id (`escd-<internal id>`), and puts its ids
/// in a server's metadata, so that after a crash it finds its objects again by listing, and
/// removes what it no longer records: nothing is leaked on the VIM.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vim/adapter.hpp"

namespace escd::vim::openstack {

/// The name of the VIM object escd creates for its object `internal_id`.
std::string ObjectName(std::string_view internal_id);

// --- Neutron (v2.0) --------------------------------------------------------------------------

/// POST /v2.0/networks
std::string NetworkBody(const NetworkRequest& request);
/// POST /v2.0/subnets: one of the request's subnets, on Neutron network `network_id`.
std::string SubnetBody(const std::string& network_id, const SubnetDefinition& subnet);

struct FixedIp {
    std::string subnet_id;  ///< "" = any subnet of the network holding the address
    std::string ip_address;
};
/// POST /v2.0/ports: a VM's NIC with the MAC and addresses escd allocated.
std::string PortBody(const std::string& name,
                     const std::string& network_id,
                     const std::string& mac,
                     const std::vector<FixedIp>& fixed_ips);

/// The "id" of the `kind` object in an answer ({"network": {"id": ...}}); throws
/// Error(kVimError) when there is none.
std::string IdIn(const std::string& body, std::string_view kind);

// --- Nova (v2.1) -----------------------------------------------------------------------------

struct ServerSpec {
    std::string name;
    std::string image_ref;
    std::string flavor_ref;
    std::vector<std::string> port_ids;  ///< in NIC order
    std::map<std::string, std::string> metadata;
    std::string availability_zone;  ///< "zone" or "zone:host" (admin), "" = the scheduler's
    std::string server_group;       ///< affinity / anti-affinity group id, "" = none
    /// Day-0 files, written on the config drive (personality: microversion <= 2.56).
    std::vector<std::pair<std::string, std::string>> files;
};
/// POST /v2.1/servers. Always a config drive: day-0 files and metadata reach the guest without
/// a metadata service.
std::string ServerBody(const ServerSpec& spec);

/// POST /v2.1/flavors
std::string FlavorBody(const FlavorRequest& request);

/// POST /v2.1/servers/{id}/action: "stop", "start", "soft-reboot", "hard-reboot".
std::string ServerActionBody(std::string_view action);

/// A server as Nova describes it.
struct Server {
    std::string id;
    std::string name;
    std::string status;  ///< ACTIVE, BUILD, SHUTOFF, REBOOT, HARD_REBOOT, ERROR, DELETED, ...
    std::string host;    ///< OS-EXT-SRV-ATTR:host (admin), else ""
    std::string fault;   ///< fault.message of an ERROR server
    std::map<std::string, std::string> metadata;

    bool Running() const { return status == "ACTIVE"; }
};
/// {"server": {...}}
Server ParseServer(const std::string& body);
/// {"servers": [{...}, ...]} of GET /servers/detail: every server in one call.
std::vector<Server> ParseServers(const std::string& body);

}  // namespace escd::vim::openstack
