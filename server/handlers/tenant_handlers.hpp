#pragma once
/// @file
/// Routes of "01-Tenants" (ESC reference): GET /tenants, GET|POST|PUT|DELETE /tenants/{id}.

#include "model/stores/resource_store.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

/// Reads and accepts go to `resources`; what was accepted runs after the answer (mutation.hpp).
void RegisterTenantRoutes(Router& router, model::ResourceStore& resources);

}  // namespace escd::server::handlers
