#pragma once
/// @file
/// model::Stores — every role store of one database, for the wiring (server/main.cpp) and the
/// engine, which hands each of its parts the roles that part uses. Consumers otherwise take the
/// single roles they use (model/stores/*_store.hpp), never this.

#include "model/stores/catalogue_store.hpp"
#include "model/stores/csm_job_store.hpp"
#include "model/stores/csm_store.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/dynamic_mapping_store.hpp"
#include "model/stores/host_store.hpp"
#include "model/stores/lease_store.hpp"
#include "model/stores/node_store.hpp"
#include "model/stores/operation_store.hpp"
#include "model/stores/resource_store.hpp"
#include "model/stores/settings_store.hpp"
#include "model/stores/snapshot_store.hpp"
#include "model/stores/vim_connector_store.hpp"

namespace escd::model {

struct Stores {
    ResourceStore& resources;
    OperationStore& operations;
    DeploymentStore& deployments;
    SnapshotStore& snapshots;
    HostStore& hosts;
    DynamicMappingStore& dynamic_mappings;
    SettingsStore& settings;
    VimConnectorStore& vim_connectors;
    NodeStore& nodes;
    LeaseStore& leases;
    CatalogueStore& catalogue;
    CsmStore& csm;
    CsmJobStore& csm_jobs;
};

}  // namespace escd::model
