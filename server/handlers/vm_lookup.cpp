#include "server/handlers/vm_lookup.hpp"

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/vm_state_machine.hpp"

namespace escd::server::handlers {

asio::awaitable<TenantVm> FindTenantVm(orchestrator::Engine& engine,
                                       const std::string& tenant,
                                       const std::string& vm_name) {
    model::ValidateInternalId(tenant, "internal_tenant_id");
    model::ValidateName(vm_name, 1024, "vm_name");
    auto found =
        co_await engine.WithStore([&vm_name](model::Store& store) -> std::optional<TenantVm> {
            auto vm = store.GetVm(vm_name);
            if (!vm) return std::nullopt;
            auto deployment = store.GetResource(model::kind::kDeployment, vm->deployment_id);
            if (!deployment) return std::nullopt;
            return TenantVm{std::move(*vm), std::move(*deployment)};
        });
    if (!found || found->deployment.tenant_id != tenant)
        throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found in tenant " + tenant);
    co_return std::move(*found);
}

void RequireSettledVm(const model::VmRecord& vm, const std::string& operation) {
    if (model::VmIsSettled(vm.state)) return;
    throw Error(ErrorCode::kBadRequest, "VM operation " + operation + " is not applicable: VM " +
                                            vm.vm_name + " is " +
                                            std::string(model::ToString(vm.state)));
}

}  // namespace escd::server::handlers
