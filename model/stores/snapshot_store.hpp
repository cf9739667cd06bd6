#pragma once
/// @file
/// model::SnapshotStore — the role of the store that keeps VM snapshots
/// (model/snapshot_lifecycle.hpp). Their requests are operations on the VM's deployment:
/// accepting one moves the deployment to UPDATING as ResourceStore::AcceptUpdate does (kNotFound
/// when it is gone, kConflict while another operation runs on it), so they serialise with its
/// other operations; their outcome is a DeploymentStep (DeploymentStep::snapshots).
/// Conventions: model/stores/resource_store.hpp.

#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/vm_snapshot.hpp"

namespace escd::model {

class SnapshotStore {
  public:
    virtual ~SnapshotStore() = default;

    /// VM snapshots, optionally of one tenant and/or one generated VM name.
    virtual asio::awaitable<std::vector<VmSnapshot>> ListVmSnapshots(
        const std::string& tenant_id, const std::string& vm_name) = 0;
    /// The snapshots whose id or whose name is `id_or_name` (ids are unique, names need not be),
    /// oldest first.
    virtual asio::awaitable<std::vector<VmSnapshot>> FindVmSnapshots(
        const std::string& id_or_name) = 0;
    /// snapshot-vm: the deployment of `op` to UPDATING, `snapshot` inserted CREATING (kNotFound
    /// when its VM is no longer in that deployment; kConflict when its id is taken), `op` recorded.
    virtual asio::awaitable<void> AcceptVmSnapshot(const VmSnapshot& snapshot,
                                                   const Operation& op) = 0;
    /// A request on an existing snapshot (revert, delete, a volume from it): the deployment of
    /// `op` to UPDATING, the snapshot moved by `event` (kNotFound when it is gone; kConflict when
    /// its transition table has no row for `event`), `volume` (when given) inserted CREATING
    /// under its tenant (kConflict when its internal id is used by anything), `op` recorded.
    virtual asio::awaitable<void> AcceptVmSnapshotRequest(
        const std::string& snapshot_id,
        SnapshotEvent event,
        const std::optional<ResourceRecord>& volume,
        const Operation& op) = 0;
};

}  // namespace escd::model
