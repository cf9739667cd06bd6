#pragma once
/// @file
/// VM snapshots: "18-VM Snapshots" of the ESC reference and snapshot-vm of "08-VM Operations",
/// each also under /internal/... :
///
///   POST   /{tenant}/deployments/snapshot-vm/{vm}  body <vm_operation><operation>snapshot
///          </operation><name>..</name>[<id>..</id>]</vm_operation> (any root element; <id>
///          defaults to a new UUID)                  → 201, <vm_snapshot> (CREATING)
///   GET    /snapshots[?internalTenantId=&generatedVMName=]  → 200, <vm_snapshots>
///   POST   /snapshots/{idOrName}                   revert   → 202, <vm_snapshot> (REVERTING)
///   DELETE /snapshots/{idOrName}                            → 200, <vm_snapshot> (DELETING)
///   POST   /snapshots/{idOrName}/volumes  body <volume><name>..</name>
///          [<internal_volume_id>..</internal_volume_id>]</volume> (the id defaults to a new
///          UUID; the volume joins the snapshot's tenant)  → 202, the <volume> (CREATING)
///
/// A snapshot is named by its id, or by its name when no id matches and exactly one snapshot has
/// that name (409 when several do; the path segment is percent-decoded). Every mutating route
/// needs a Callback header (400), answers 404 for an unknown tenant, VM or snapshot, 400 for a
/// bad body or a VM in a state where the operation does not apply, 409 when the snapshot's state
/// (model/snapshot_lifecycle.hpp) refuses it or another operation runs on the VM's deployment;
/// nothing is stored then. Otherwise the snapshot's change and an `operations` row commit before
/// the answer, and the work runs on the deployment's strand
/// (orchestrator/deployment/snapshot_workflow.hpp names the callback of each).

#include "model/stores/deployment_store.hpp"
#include "model/stores/resource_store.hpp"
#include "model/stores/snapshot_store.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

struct SnapshotContext {
    model::ResourceStore& resources;
    model::DeploymentStore& deployments;  ///< the VMs
    model::SnapshotStore& snapshots;
};

void RegisterSnapshotRoutes(Router& router, SnapshotContext context);

}  // namespace escd::server::handlers
