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

#include "vim/vim.hpp"

namespace escd::vim::openstack {

/// The name of the VIM object escd creates for its object `internal_id`.
std::string ObjectName(std::string_view internal_id);

// --- Neutron (v2.0) --------------------------------------------------------------------------

/// POST /v2.0/networks
std::string NetworkBody(const NetworkRequest& request);
/// POST /v2.0/subnets: one of the request's subnets, on Neutron network `network_id`.
std::string SubnetBody(const std::string& network_id, const SubnetDefinition& subnet);

/// A percent-encoded query parameter value (RFC 3986: all but the unreserved characters), for
/// names and ids in list filters ("?name=...").
std::string QueryValue(std::string_view value);

struct FixedIp {
    std::string subnet_id;   ///< "" = any subnet of the network holding the address
    std::string ip_address;  ///< "" = any free address of subnet_id (Neutron chooses)

    bool operator==(const FixedIp&) const = default;
};
/// POST /v2.0/ports: a VM's NIC with the MAC and addresses escd allocated.
std::string PortBody(const std::string& name,
                     const std::string& network_id,
                     const std::string& mac,
                     const std::vector<FixedIp>& fixed_ips);

/// NIC `nicid` of escd's VM `vm_name` as a Neutron port. The port is escd's by its name,
/// PortName(vm_name, nicid), which is how a rerun after a crash finds it; its description,
/// PortOwner(vm_name), lists all ports of the VM in one filtered call.
struct PortRequest {
    std::string vm_name;
    int nicid = 0;
    std::string network_id;          ///< Neutron's
    std::string mac;                 ///< "" = Neutron chooses
    std::vector<FixedIp> fixed_ips;  ///< empty = Neutron chooses from the network's subnets
};
/// "escd-<vm name>-nic<n>"
std::string PortName(std::string_view vm_name, int nicid);
/// "escd-vm:<vm name>": the description of every port of the VM (Neutron filters on it).
std::string PortOwner(std::string_view vm_name);
/// POST /v2.0/ports, several at once: {"ports": [...]} (Neutron makes all or none).
std::string PortsBody(const std::vector<PortRequest>& requests);

/// A port as Neutron describes it.
struct Port {
    std::string id;
    std::string name;
    std::string description;
    std::string network_id;
    std::string mac;  ///< mac_address, lower case as Neutron gives it
    std::vector<FixedIp> fixed_ips;
    std::string status;        ///< DOWN, ACTIVE, BUILD
    std::string device_id;     ///< the server (or router) using it, "" = none
    std::string device_owner;  ///< "compute:nova", "network:router_interface", ...
};
/// {"port": {...}}
Port ParsePort(const std::string& body);
/// {"ports": [{...}, ...]}: a list, or what a bulk create made (in the order asked).
std::vector<Port> ParsePorts(const std::string& body);

/// POST /v2.0/routers: escd's router, named ObjectName(internal id).
std::string RouterBody(const RouterRequest& request);
/// PUT /v2.0/routers/{id}/add_router_interface and remove_router_interface, by subnet.
std::string RouterInterfaceBody(const std::string& subnet_id);

struct Router {
    std::string id;
    std::string name;
    bool admin_state_up = true;
};
/// {"routers": [{...}, ...]}
std::vector<Router> ParseRouters(const std::string& body);

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
/// a metadata service. No ports: "networks": "none" (a server without NICs; an empty list is
/// not one of the values Nova takes from 2.37 on).
std::string ServerBody(const ServerSpec& spec);
/// Nova's `name` filter of GET /servers is a regular expression: this one matches `name`
/// exactly (anchored, every metacharacter escaped). Callers still compare the names they get.
std::string ExactNameRegex(std::string_view name);

/// POST /v2.1/flavors
std::string FlavorBody(const FlavorRequest& request);

/// POST /v2.1/servers/{id}/action: "stop", "start", "soft-reboot", "hard-reboot".
std::string ServerActionBody(std::string_view action);

/// A server as Nova describes it.
struct Server {
    std::string id;
    std::string name;
    std::string status;      ///< ACTIVE, BUILD, SHUTOFF, REBOOT, HARD_REBOOT, ERROR, DELETED, ...
    std::string host;        ///< OS-EXT-SRV-ATTR:host (admin), else ""
    std::string project_id;  ///< tenant_id: the Keystone project it belongs to
    /// OS-EXT-STS:task_state: what Nova is doing to it ("powering-off", "rebooting", ...);
    /// "" when nothing. A status is settled only without a task.
    std::string task_state;
    std::string fault;  ///< fault.message of an ERROR server
    bool config_drive = false;
    std::map<std::string, std::string> metadata;
    std::vector<std::string> server_groups;  ///< ids (microversion >= 2.71)

    bool Running() const { return status == "ACTIVE"; }
    /// Deleted (or soft-deleted): listed, but no longer a server to use or wait for.
    bool Gone() const { return status == "DELETED" || status == "SOFT_DELETED"; }
};
/// {"server": {...}}
Server ParseServer(const std::string& body);
/// {"servers": [{...}, ...]} of GET /servers/detail: every server in one call.
std::vector<Server> ParseServers(const std::string& body);
/// The query of the "next" link of a paginated list (`links_key`, e.g. "servers_links"): what
/// follows the '?' of its href, to ask the same endpoint for the next page; "" on the last page.
std::string NextPageQuery(const std::string& body, std::string_view links_key);

/// GET /servers/{id}/diagnostics in the standard form (microversion >= 2.48):
/// cpu_time_ns = the sum of cpu_details[].time; cpu_percent = the mean of their "utilisation"
/// where the driver gives one; vcpus = num_cpus; memory_details maximum and used (MiB) →
/// memory_kb = max_memory_kb = maximum, unused_kb = maximum - used. A field the driver leaves
/// null is absent (Nova's libvirt driver gives no utilisation; its fake gives every field).
/// Throws Error(kVimError) when the answer has no memory maximum to measure against.
VmStats ParseDiagnostics(const std::string& body);

/// POST /os-server-groups (microversion >= 2.64: one "policy", a string).
std::string ServerGroupBody(const std::string& name, const std::string& policy);
struct ServerGroup {
    std::string id;
    std::string name;
    std::string policy;  ///< affinity, anti-affinity, soft-affinity, soft-anti-affinity
    std::vector<std::string> members;  ///< server ids
};
/// {"server_group": {...}}
ServerGroup ParseServerGroup(const std::string& body);
/// {"server_groups": [{...}, ...]}
std::vector<ServerGroup> ParseServerGroups(const std::string& body);

}  // namespace escd::vim::openstack
