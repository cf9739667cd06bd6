#pragma once
/// @file
/// POST /{tenant}/deployments/migrate-vm/{vm} ("08-VM Operations"): moves a VM to another
/// compute host of the VIM. Body (any root element):
///   <operation>migrate</operation>
///   <migrationType>live|cold</migrationType>   (also <migration_type>; default live)
///   <host>...</host>                           (optional: the first other enabled host)
///   <blockMigration>auto|true|false</blockMigration>  (live only; auto = true: escd's hosts
///                                                        share no storage)
/// Answers 200 with the accepted operation echoed, once it is committed; the work runs on the
/// deployment's strand (orchestrator/deployment/migration_workflow.hpp: the VM_MIGRATE_COMPLETE
/// callback). Refusals, with nothing stored: 400 (missing Callback, bad body, a VM in a transition,
/// the VM's own host, a disabled target host, no other enabled host), 404 (unknown tenant, VM or
/// host), 409 (another operation runs on the deployment), 503 (the VIM does not answer). Disabling
/// a host (POST /v0/hosts/{host}/disable) never moves its VMs: only this route does.

#include "model/stores/deployment_store.hpp"
#include "model/stores/host_store.hpp"
#include "model/stores/resource_store.hpp"
#include "server/router.hpp"
#include "vim/capabilities/hosts.hpp"

namespace escd::server::handlers {

struct MigrationContext {
    vim::Hosts& vim;  ///< its hosts
    model::ResourceStore& resources;
    model::DeploymentStore& deployments;  ///< the VMs
    model::HostStore& hosts;              ///< which take VMs
};

void RegisterMigrationRoutes(Router& router, MigrationContext context);

}  // namespace escd::server::handlers
