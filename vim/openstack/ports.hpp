#pragma once
/// @file
/// escd's VM NICs as Neutron ports, made before the server that uses them (Nova is given port
/// ids, so that escd, not Nova, chooses each NIC's MAC and addresses).
///
/// What makes a port escd's, after a crash too: its name, PortName(vm, nicid) =
/// "escd-<vm name>-nic<n>" (VM names are escd's unique keys), and its description,
/// PortOwner(vm) = "escd-vm:<vm name>", on which Neutron filters: one call lists all ports of a
/// VM (Neutron's name filter is an exact match, so names alone would take one call per NIC).
/// Lists cover every project: a VM's ports are in its tenant's project, and escd's user, an
/// admin, deletes them with a session scoped to the connector's (a VM name is unique to escd).
///
/// Ensure is "make it so": a port of the name that matches the request (network, MAC and fixed
/// IPs, where the request gives them) is reused; one that does not (a changed NIC, or a leftover
/// of an older VM of the same name) is deleted and made again, which also detaches it from a
/// server still using it. Extra ports of the same name (a create retried after its answer was
/// lost) are deleted. Deletes treat "already gone" as done.
///
/// Ids and requests are taken by value: a coroutine may outlive the caller's temporaries.

#include <optional>
#include <string>
#include <vector>

#include "vim/openstack/resources_json.hpp"
#include "vim/openstack/session.hpp"

namespace escd::vim::openstack {

class Ports {
  public:
    explicit Ports(Session& session) : session_(session) {}

    /// The port of `request`, as Neutron made it (its MAC and fixed IPs are what escd records
    /// when the request left them to Neutron).
    asio::awaitable<Port> EnsurePort(PortRequest request);
    /// Several ports (usually all NICs of one VM) in request order: one list per VM, deletes of
    /// what does not match, and one bulk create of everything missing (Neutron makes all or none).
    /// Ports of the VM that the requests do not name are left alone (DeletePort removes them).
    asio::awaitable<std::vector<Port>> EnsurePorts(std::vector<PortRequest> requests);
    /// Every port of escd's VM `vm_name` (by its description), in one call.
    asio::awaitable<std::vector<Port>> FindPorts(std::string vm_name);
    /// Port `port_id`; nullopt when Neutron has none.
    asio::awaitable<std::optional<Port>> GetPort(std::string port_id);
    /// Removes port `port_id`; one that is gone is a success.
    asio::awaitable<void> DeletePort(std::string port_id);
    /// Removes every port of escd's VM `vm_name` (after its server is deleted: a crash leftover).
    asio::awaitable<void> DeletePorts(std::string vm_name);

    /// Whether `port` is what `request` asks for: the same network, the MAC when one is asked,
    /// and exactly the asked fixed IPs (each by address, subnet or both) when any are.
    static bool Matches(const PortRequest& request, const Port& port);

  private:
    Session& session_;
};

}  // namespace escd::vim::openstack
