#pragma once
/// @file
/// Routes of "01-Tenants" (ESC reference): GET /tenants, GET|POST|PUT|DELETE /tenants/{id}.

#include "model/stores/resource_store.hpp"
#include "orchestrator/engine/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

/// Reads and accepts go to `resources`; `engine` runs what was accepted.
void RegisterTenantRoutes(Router& router,
                          orchestrator::Engine& engine,
                          model::ResourceStore& resources);

}  // namespace escd::server::handlers
