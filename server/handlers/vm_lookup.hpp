#pragma once
/// @file
/// Finding the VM a VM-level route names (/{tenant}/deployments/<operation>/{vm_name}): shared
/// by the snapshot and migration routes.

#include <string>

#include "common/asio.hpp"
#include "model/resource.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/resource_store.hpp"
#include "model/vm_record.hpp"

namespace escd::server::handlers {

struct TenantVm {
    model::VmRecord vm;
    model::ResourceRecord deployment;
};

/// The VM `vm_name` of tenant `tenant`, with its deployment. Validates both (400) and answers
/// 404 when escd has no such VM in that tenant.
asio::awaitable<TenantVm> FindTenantVm(model::ResourceStore& resources,
                                       model::DeploymentStore& deployments,
                                       const std::string& tenant,
                                       const std::string& vm_name);

/// 400 "VM operation <operation> is not applicable: VM <name> is <state>" unless settled
/// (model::VmIsSettled: what a snapshot, a revert or a migration needs).
void RequireSettledVm(const model::VmRecord& vm, const std::string& operation);

}  // namespace escd::server::handlers
