// Engine::Reconcile (docs/behaviour.md, "After a restart"): at start-up, before unfinished
// operations resume, escd's records and the VIM are made to agree: VMs on the VIM escd has no
// record of are removed (with their config drives), active networks the VIM lacks are defined
// again, and VMs of a deployment that the VIM should run and does not are redeployed
// (DeploymentWorkflow::RestoreVms). A VIM that cannot be asked skips the reconciliation.
//
// Several nodes may share the VIM (docs/cluster.md): a VM's row is committed before its domain
// is made, so a domain without a row is nobody's on any node; but a deployment's missing VMs are
// restored only by the node that watches it (the monitoring it claimed at this start), since
// another node's may be missing a VM on purpose, for a moment (a recovery that redeploys it).

#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"
#include "orchestrator/engine/engine.hpp"
#include "orchestrator/resources/resource_workflows.hpp"

namespace escd::orchestrator {
asio::awaitable<void> Engine::Reconcile(const std::vector<std::string>& monitored) {
    if (options_.paused_for_test) co_return;
    if (follower_) {
        // What follows the VMs (escd's VNFs as CSM hosts) starts from the committed ones.
        std::vector<VmFollower::Deployment> claimed;
        for (const auto& id : monitored) {
            try {
                auto loaded = co_await LoadDeployment(deployment_store_, id);
                claimed.push_back({loaded->spec, loaded->view.vms});
            } catch (const Error& e) {
                ESCD_WARN("engine") << "deployment " << id << " not read at start: " << e.what();
            }
        }
        follower_->Restarted(std::move(claimed));
    }
    std::vector<std::string> on_vim;
    try {
        on_vim = co_await vim_.ListVmNames();
    } catch (const Error& e) {
        ESCD_WARN("engine") << "no reconciliation with the VIM: " << e.what();
        co_return;
    }
    const std::set<std::string> present(on_vim.begin(), on_vim.end());
    const std::set<std::string> watched(monitored.begin(), monitored.end());
    struct Records {
        std::vector<model::ResourceRecord> networks;
        std::set<std::string> vms;
        std::set<std::string> lacking;  ///< deployments with a VM the VIM should have and lacks
    };
    const auto network_kind = model::ResourceKind::kNetwork,
               subnet_kind = model::ResourceKind::kSubnet;
    const std::optional<std::string> any_tenant;
    Records records;
    records.networks = co_await resource_store_.ListResources(network_kind, any_tenant);
    const auto all_vms = co_await deployment_store_.ListAllVms();
    for (const auto& vm : all_vms) {
        records.vms.insert(vm.vm_name);
        if (model::OnVim(vm.state) && !present.contains(vm.vm_name) &&
            watched.contains(vm.deployment_id))
            records.lacking.insert(vm.deployment_id);
    }
    std::size_t orphans = 0, networks = 0, vms = 0;
    for (const auto& name : on_vim) {
        if (records.vms.contains(name)) continue;
        ESCD_WARN("engine") << "VM " << name
                            << " is on the VIM but escd has no record of it: removed";
        co_await vim_.DeleteVm(name);  // with its config drive
        ++orphans;
    }
    for (const auto& network : records.networks) {
        if (network.state != model::ResourceState::kActive) continue;
        const auto& id = network.internal_id;
        if (co_await vim_.HasNetwork(id)) continue;
        auto subnets = co_await resource_store_.ListChildren(subnet_kind, id);
        const auto request = NetworkRequestOf(network, subnets);
        co_await vim_.EnsureNetwork(request);
        ESCD_WARN("engine") << "network " << id << " was missing from the VIM: defined again";
        ++networks;
    }
    for (const auto& id : records.lacking) {
        auto op = co_await operation_store_.LatestOperation(id);
        if (!op) continue;
        try {
            vms += co_await deployments_.RestoreVms(*op, present);
        } catch (const Error& e) {
            ESCD_ERROR("engine") << "cannot restore the VMs of " << id << ": " << e.what();
        }
    }
    ESCD_INFO("engine") << "reconciled with the VIM: " << on_vim.size() << " VM(s) found, "
                        << orphans << " orphan(s) removed, " << networks << " network(s) and "
                        << vms << " VM(s) restored";
}

}  // namespace escd::orchestrator
