#pragma once
/// @file
/// The CSM face's inventory routes (docs/csm.md, "The inventory"): for hosts, jump hosts,
/// regions, server repositories and custom command profiles, a bulk POST (each item stored on
/// its own; 200, or 207 when any item failed), a GET with its filters, and a DELETE
/// `/{name}/delete` that refuses what is in use.

#include "model/stores/csm_store.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

void RegisterInventoryRoutes(Router& router, model::CsmStore& store);

}  // namespace escd::server::csm
