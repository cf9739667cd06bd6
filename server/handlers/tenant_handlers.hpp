#pragma once
/// @file
/// Routes of "01-Tenants" (ESC reference): GET /tenants, GET|POST|PUT|DELETE /tenants/{id}.

#include "orchestrator/engine/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

void RegisterTenantRoutes(Router& router, orchestrator::Engine& engine);

}  // namespace escd::server::handlers
