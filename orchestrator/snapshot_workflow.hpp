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
/// Each operation moves its snapshot through model/snapshot_lifecycle.hpp in ONE step with its
/// callback (DeploymentStep::snapshots), after an idempotent VIM call keyed by the snapshot's id
/// (vim::Adapter). A rerun after a crash reads the snapshot's state first: one past the
/// operation's own state was finished by the first run (and its callback is in the outbox), so
/// nothing is done or sent twice. A volume from a snapshot is a volume resource, CREATING from
/// the accept on, ACTIVE (or removed, when the VIM failed) with the same step.

#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/store.hpp"
#include "orchestrator/deployment_workflow.hpp"
#include "orchestrator/notifier.hpp"
#include "vim/adapter.hpp"

namespace escd::orchestrator {

/// operations.kind of each snapshot route.
inline constexpr std::string_view kSnapshotVm = "SNAPSHOT_VM";
inline constexpr std::string_view kRevertSnapshot = "REVERT_SNAPSHOT";
inline constexpr std::string_view kDeleteSnapshot = "DELETE_SNAPSHOT";
inline constexpr std::string_view kSnapshotVolume = "SNAPSHOT_VOLUME";
bool IsSnapshotOperation(std::string_view kind);

/// operations.payload of a snapshot operation: the snapshot, and the volume made from it.
std::string SnapshotPayload(const std::string& snapshot_id, const std::string& volume_id = {});

class SnapshotWorkflow {
  public:
    SnapshotWorkflow(model::Store& store,
                     asio::thread_pool& db_pool,
                     vim::Adapter& vim,
                     Notifier& notifier)
        : store_(store), db_pool_(db_pool), vim_(vim), notifier_(notifier) {}

    /// Runs `op` (one of the kinds above) and returns how it ends; its callback has been
    /// committed by then (Final::callbacks is empty), unless the operation failed before its
    /// snapshot could be read. Throws Error(kUnavailable) when the VIM or the database cannot be
    /// reached (the engine runs it again later).
    asio::awaitable<DeploymentWorkflow::Final> Run(const model::Operation& op);

  private:
    struct Context;
    /// SNAPSHOT_VM, REVERT_SNAPSHOT, DELETE_SNAPSHOT: the VIM call, then the snapshot's new state
    /// with the callback.
    asio::awaitable<DeploymentWorkflow::Final> Apply(Context& context);
    /// SNAPSHOT_VOLUME: the volume made, then ACTIVE (or removed) with its CREATE_VOLUME.
    asio::awaitable<DeploymentWorkflow::Final> MakeVolume(Context& context);

    model::Store& store_;
    asio::thread_pool& db_pool_;
    vim::Adapter& vim_;
    Notifier& notifier_;
};

}  // namespace escd::orchestrator
