#pragma once
/// @file
/// A snapshot of one VM of a deployment (snapshot-vm, /v0/snapshots). Its row goes with its VM
/// (vm_snapshots.vm_name references vms), so an undeploy removes it too.

#include <string>

#include "model/snapshot_lifecycle.hpp"

namespace escd::model {

struct VmSnapshot {
    std::string snapshot_id;  ///< the client's <id>, or a UUID escd chose; unique
    std::string name;         ///< the client's <name>; need not be unique
    std::string tenant_id;
    std::string vm_name;        ///< the generated VM name
    std::string deployment_id;  ///< the VM's deployment (read from vms)
    SnapshotState state = SnapshotState::kCreating;
    std::string created_at;  ///< ISO 8601, UTC
};

}  // namespace escd::model
