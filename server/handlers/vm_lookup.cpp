#include "server/handlers/vm_lookup.hpp"

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/vm_state_machine.hpp"

namespace escd::server::handlers {

asio::awaitable<TenantVm> FindTenantVm(model::ResourceStore& resources,
                                       model::DeploymentStore& deployments,
                                       const std::string& tenant,
                                       const std::string& vm_name) {
    model::ValidateInternalId(tenant, "internal_tenant_id");
    model::ValidateName(vm_name, 1024, "vm_name");
    const auto deployment_kind = model::ResourceKind::kDeployment;
    auto vm = co_await deployments.GetVm(vm_name);
    std::optional<model::ResourceRecord> deployment;
    if (vm) deployment = co_await resources.GetResource(deployment_kind, vm->deployment_id);
    if (!deployment || deployment->tenant_id != tenant)
        throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found in tenant " + tenant);
    co_return TenantVm{std::move(*vm), std::move(*deployment)};
}

void RequireSettledVm(const model::VmRecord& vm, const std::string& operation) {
    if (model::VmIsSettled(vm.state)) return;
    throw Error(ErrorCode::kBadRequest, "VM operation " + operation + " is not applicable: VM " +
                                            vm.vm_name + " is " +
                                            std::string(model::ToString(vm.state)));
}

}  // namespace escd::server::handlers
