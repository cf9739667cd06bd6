#pragma once
/// @file
/// What escd stores about a deployment's VMs and the steps that change them.

#include <optional>
#include <string>
#include <vector>

#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/snapshot_lifecycle.hpp"
#include "model/vm_state_machine.hpp"

namespace escd::model {

struct VmRecord {
    std::string vm_name;  ///< <deployment>_<group>_<index>_<uuid>
    std::string deployment_id;
    std::string vm_group;
    int vm_index = 0;
    std::string uuid;  ///< the VIM's id
    std::string host;
    VmState state = VmState::kInit;
    std::string interfaces;  ///< <interfaces> XML of the allocated nics
    bool monitoring = true;
    /// Attempts made by the VM's running recovery (0 when none runs): a resumed recovery goes on
    /// from the next one.
    int recovery_attempts = 0;
    /// The image (internal id) the VM was created from; "" for one created before escd recorded
    /// it (its group's image).
    std::string image;
};

/// An address given to a VM interface (ip_allocations).
struct IpAllocation {
    std::string network_id;
    std::string address;
    std::string vm_name;
    int nicid = 0;
};

/// A resource the step finishes (a tenant the deployment created first).
struct ResourceUpdate {
    ResourceKind kind = ResourceKind::kTenant;
    std::string internal_id;
    std::string state;  ///< "ACTIVE", ...; "REMOVED" deletes the row
    std::string external_id;
    std::string spec{};  ///< the new stored spec; "" keeps the stored one
};

/// A snapshot the step moves (model/snapshot_lifecycle.hpp); kRemoved deletes its row.
struct SnapshotUpdate {
    std::string snapshot_id;
    SnapshotState state = SnapshotState::kActive;
};

/// One step of a deployment workflow, committed in one transaction with the events it emits.
struct DeploymentStep {
    std::string transaction_id;
    std::string deployment_id;
    std::optional<ServiceState> service_state;
    std::vector<VmRecord> upserts;     ///< VMs inserted or updated
    std::vector<std::string> removed;  ///< VM names deleted (with their addresses)
    std::vector<IpAllocation> allocations;
    /// Addresses given back: (vm_name, nicid) of an interface removed from a VM.
    std::vector<std::pair<std::string, int>> released;
    std::vector<ResourceUpdate> resources;
    std::vector<SnapshotUpdate> snapshots;
    /// When set, replaces the (kind, id) list of what the deployment uses (deployment_refs).
    std::optional<std::vector<ResourceKey>> uses;
    std::vector<OutboxMessage> events;  ///< in delivery order
    /// Commit only while no operation is accepted on the deployment (its resource ACTIVE);
    /// otherwise Error(kConflict) and nothing is written. For monitoring verdicts.
    bool require_idle = false;
};

}  // namespace escd::model
