#pragma once
/// @file
/// Routes of "06-Deployments" (ESC reference): GET /deployments, GET|POST|DELETE
/// /deployments/{id}, GET /deployments/config/{id}. POST validates the whole esc_datamodel and
/// checks that the images, flavors and networks it names exist (404) and that the VIM answers
/// (503) before anything is stored; the tenant it names is created first when missing.
/// PUT (update) and the deployment/VM operations come with the rest of issue 5.

#include "orchestrator/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

void RegisterDeploymentRoutes(Router& router, orchestrator::Engine& engine);

}  // namespace escd::server::handlers
