#pragma once
/// @file
/// The CSM face's inventory routes (docs/csm.md, "The inventory"): for hosts, jump hosts,
/// regions, server repositories and custom command profiles, a bulk POST (each item stored on
/// its own; 200, or 207 when any item failed), a GET with its filters, and a DELETE
/// `/{name}/delete` that refuses what is in use.

#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/host_discovery.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

/// The inventory's routes; a host created is discovered in the background, and
/// `POST /hosts/{hostname}/discover` discovers one now (escd's own route, docs/csm.md).
void RegisterInventoryRoutes(Router& router,
                             model::CsmStore& store,
                             orchestrator::csm::HostDiscovery& discovery);

}  // namespace escd::server::csm
