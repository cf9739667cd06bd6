#pragma once
/// @file
/// "18-VM Snapshots", the listing: GET /snapshots and GET /internal/snapshots, optionally
/// filtered by the query parameters internalTenantId and generatedVMName. Answers
/// <vm_snapshots> with one <vm_snapshot> per snapshot (none until VM operations take them).

#include "orchestrator/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

void RegisterSnapshotRoutes(Router& router, orchestrator::Engine& engine);

}  // namespace escd::server::handlers
