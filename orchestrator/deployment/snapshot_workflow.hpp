#pragma once
/// @file
/// The VM snapshot operations (ESC reference "18-VM Snapshots" and snapshot-vm), run by the engine
/// on the strand of the VM's deployment: a snapshot changes a VM, so it serialises with the
/// deployment's other operations (each was accepted only while no other one ran on it).
///
/// Operation kinds and the one callback each sends (an <esc_event> with the VM's <vm_source>
/// and, in <event_details>, the snapshot's <snapshot_id> and <snapshot_name>), to Callback and,
/// when given and different, Callback-ESC-Events:
///   SNAPSHOT_VM      (POST .../deployments/snapshot-vm/{vm})  → VM_SNAPSHOT_COMPLETE
///   REVERT_SNAPSHOT  (POST /snapshots/{idOrName})             → VM_SNAPSHOT_REVERT_COMPLETE
///   DELETE_SNAPSHOT  (DELETE /snapshots/{idOrName})           → VM_SNAPSHOT_DELETE_COMPLETE
///   SNAPSHOT_VOLUME  (POST /snapshots/{id}/volumes)           → CREATE_VOLUME, the volume
///                                                                document as the volume routes
///                                                                send it
/// ESC-Status-Code 200 on success; on failure the VIM's (500, 404 when the VM or the snapshot is
/// gone from it) with the reason in ESC-Status-Message.
///
/// Each operation makes an idempotent VIM call keyed by the snapshot's id (vim::Snapshots), then
/// commits the snapshot's new state (model/snapshot_lifecycle.hpp, DeploymentStep::snapshots);
/// its callback commits with the operation's end, when the deployment takes requests again, so
/// a client that acts on the callback is not refused as busy. A rerun after a crash reads the
/// snapshot's state first: past the operation's own state, the first run did the work, and only
/// the callback (said by that state) is left to send. A volume from a snapshot is a volume
/// resource, CREATING from the accept on, then ACTIVE (or removed, when the VIM failed).

#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/resource_store.hpp"
#include "model/stores/snapshot_store.hpp"
#include "model/vm_snapshot.hpp"
#include "orchestrator/deployment/deployment_workflow.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "vim/capabilities/snapshots.hpp"

namespace escd::orchestrator {

/// Whether `kind` is the operation of a snapshot route: SNAPSHOT_VM, REVERT_SNAPSHOT,
/// DELETE_SNAPSHOT or SNAPSHOT_VOLUME.
bool IsSnapshotOperation(model::OperationKind kind);

class SnapshotWorkflow {
  public:
    SnapshotWorkflow(model::ResourceStore& resources,
                     model::DeploymentStore& deployments,
                     model::SnapshotStore& snapshots,
                     vim::Snapshots& vim,
                     Notifier& notifier)
        : resources_(resources),
          deployments_(deployments),
          snapshots_(snapshots),
          vim_(vim),
          notifier_(notifier) {}

    /// Runs `op` (one of the kinds above) and returns how it ends, its callback in
    /// Final::callbacks. Throws Error(kUnavailable) when the VIM or the database cannot be
    /// reached (the engine runs it again later).
    asio::awaitable<DeploymentWorkflow::Final> Run(const model::Operation& op);

  private:
    struct Context;
    /// SNAPSHOT_VM, REVERT_SNAPSHOT, DELETE_SNAPSHOT: the VIM call, then the snapshot's new state
    /// with the callback.
    asio::awaitable<DeploymentWorkflow::Final> Apply(Context& context);
    /// SNAPSHOT_VOLUME: the volume made, then ACTIVE (or removed) with its CREATE_VOLUME.
    asio::awaitable<DeploymentWorkflow::Final> MakeVolume(Context& context);

    model::ResourceStore& resources_;
    model::DeploymentStore& deployments_;
    model::SnapshotStore& snapshots_;
    vim::Snapshots& vim_;
    Notifier& notifier_;
};

}  // namespace escd::orchestrator
