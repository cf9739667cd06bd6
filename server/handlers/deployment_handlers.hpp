#pragma once
/// @file
/// Routes of "06-Deployments" (ESC reference): GET /deployments, GET|POST|PUT|DELETE
/// /deployments/{id}, GET /deployments/config/{id}; and of "07-Deployment Operations" /
/// "08-VM Operations": POST /{tenant}/deployments/service/{id}, /{tenant}/deployments/vm/{vm},
/// /{tenant}/deployments/recovery-vm/{vm}. POST and PUT validate the whole esc_datamodel and
/// check that the images, flavors and networks it names exist (404) and that the VIM answers
/// (503) before anything is stored; POST creates the tenant it names first when missing.
/// Events of each: docs/behaviour.md, "Event sequences".

#include "model/stores/deployment_store.hpp"
#include "model/stores/resource_store.hpp"
#include "orchestrator/engine/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

struct DeploymentContext {
    orchestrator::Engine& engine;  ///< checks that the VIM answers
    model::ResourceStore& resources;
    model::DeploymentStore& deployments;
};

void RegisterDeploymentRoutes(Router& router, DeploymentContext context);

}  // namespace escd::server::handlers
