// DeploymentWorkflow::Update: PUT /v0/deployments/{id} (docs/behaviour.md, "Update").
//
// The new datamodel (op.payload) is applied in this order, each VM step committed with its event:
//   0. VMs an earlier run of this update was removing are removed (a rerun after a crash); the
//      networks the new datamodel declares first are created — CREATE_NETWORK, CREATE_SUBNET;
//   1. new VMs: every vm_group gets as many VMs as it has, kept within its new min_active and
//      max_active (a new group: min_active) — VM_DEPLOYED, then VM_ALIVE once alive; then the
//      VMs of kept groups given another image, one at a time (deployment_rolling.cpp) —
//      VM_UPDATED per VM, or a rollback of the group;
//   2. interfaces added to or removed from a kept group: attached to / detached from each of its
//      VMs, addresses allocated / released — VM_UPDATED per VM;
//   3. VMs of removed groups, and those over a lowered max_active (highest index first) —
//      VM_UNDEPLOYED; then the networks it no longer declares — DELETE_SUBNET, DELETE_NETWORK;
//   4. SERVICE_UPDATED; the stored datamodel becomes the new one.
// A new VM that cannot be deployed or does not become alive within its bootup_time fails the
// update: the VMs it deployed are removed again (VM_UNDEPLOYED) and so are the networks it
// declared first (DELETE_SUBNET, DELETE_NETWORK); nothing else is changed, the stored datamodel
// stays the old one, and SERVICE_UPDATED carries the failure. The deployment
// stays functional (docs/decisions.md#a-failed-update-leaves-the-deployment-functional).
// Day-0 changes apply to VMs deployed (or redeployed by recovery) after the update; KPI and rule
// changes to the monitoring that resumes after it. While the update runs the deployment is busy,
// so no monitoring verdict changes its VMs.

#include <algorithm>
#include <set>

#include "common/log.hpp"
#include "model/resource.hpp"
#include "model/xml/deployment_xml.hpp"
#include "orchestrator/deployment/deployment_context.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::ServiceEvent;
using model::ServiceState;
using model::VmState;

std::vector<model::ResourceKey> UsesOf(std::string_view stored, std::string_view id) {
    std::vector<model::ResourceKey> uses;
    for (const auto& ref : xml::DeploymentReferences(stored, id))
        uses.emplace_back(ref.kind, ref.internal_id);
    for (const auto& network : xml::DeploymentSpecFromStored(stored, id).declared_networks)
        uses.emplace_back(model::ResourceKind::kNetwork, network);
    return uses;
}

// The ids of `from` that `others` lacks.
std::vector<std::string> Without(const std::vector<std::string>& from,
                                 const std::vector<std::string>& others) {
    std::vector<std::string> out;
    for (const auto& id : from)
        if (std::find(others.begin(), others.end(), id) == others.end()) out.push_back(id);
    return out;
}

// How many VMs a group keeps: as many as it has, within its bounds.
int TargetCount(const model::VmGroupSpec& group, int current) {
    const int low = group.scaling.min_active;
    return std::clamp(current, low, std::max(low, group.scaling.max_active));
}
}  // namespace

asio::awaitable<bool> DeploymentWorkflow::UpdateVmInterfaces(Context& context,
                                                             const model::VmGroupSpec& group,
                                                             model::VmRecord vm) {
    auto has = [](const auto& list, int nicid) {
        return std::any_of(list.begin(), list.end(),
                           [nicid](const auto& nic) { return nic.nicid == nicid; });
    };
    auto step = context.NewStep();
    AddressClaims::Held held(claims_);  // released after the commit of `step`
    std::vector<xml::AllocatedNic> kept;
    bool changed = false;
    std::string error;
    // Removed ones first.
    for (auto& nic : xml::InterfacesFromStored(vm.interfaces)) {
        if (has(group.interfaces, nic.nicid)) {
            kept.push_back(nic);
            continue;
        }
        const vim::VmNic removed{nic.nicid, nic.network,    nic.mac_address,
                                 "virtio",  nic.ip_address, nic.subnet};
        try {
            co_await vim_.vms.DetachNic(vm.vm_name, removed);
            step.released.emplace_back(vm.vm_name, nic.nicid);
            changed = true;
        } catch (const Error& e) {
            error = e.what();
            kept.push_back(nic);
        }
    }
    for (const auto& wanted : group.interfaces) {
        if (!error.empty()) break;
        if (has(kept, wanted.nicid)) continue;
        const auto allocations = step.allocations.size();
        try {
            auto added = co_await AllocateNic(group, vm.vm_name, vm.vm_index, wanted, step, held);
            const vim::VmNic nic{wanted.nicid, wanted.network,   added.mac_address,
                                 wanted.model, added.ip_address, added.subnet};
            co_await vim_.vms.AttachNic(vm.vm_name, nic);
            kept.push_back(std::move(added));
            changed = true;
        } catch (const Error& e) {
            error = e.what();
            step.allocations.resize(allocations);  // the address was not used
        }
    }
    if (!changed && error.empty()) co_return true;
    std::sort(kept.begin(), kept.end(),
              [](const auto& a, const auto& b) { return a.nicid < b.nicid; });
    vm.interfaces = xml::StoredInterfaces(kept);
    step.upserts.push_back(vm);
    if (error.empty()) {
        context.Emit(step, "VM_UPDATED", &vm, 200,
                     "VM has been updated successfully. vm: VM ID: [" + vm.vm_name + "]");
    } else {
        ESCD_WARN("engine") << "VM " << vm.vm_name << " not updated: " << error;
        context.Emit(step, "VM_UPDATED", &vm, kFailedStatus, "VM update failed: " + error);
    }
    co_await Commit(context, step);
    co_return error.empty();
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Update(const model::Operation& op) {
    Context context(op);
    co_await Load(context);
    const model::DeploymentSpec old_spec = context.spec;
    // From here on events describe the new datamodel (view.spec points at context.spec).
    context.spec = xml::DeploymentSpecFromStored(op.payload, op.target_id);

    if (context.view.service != ServiceState::kUpdating) {
        auto step = context.NewStep();
        step.service_state = Next(context.view.service, ServiceEvent::kUpdate);
        co_await Commit(context, step);
    }

    std::string failure;
    std::vector<std::string> deployed;  // VMs this update deployed: undone when it fails
    const auto added_networks = Without(context.spec.declared_networks, old_spec.declared_networks);
    try {
        // 0. A removal an earlier run began; the networks the new datamodel declares first.
        for (auto vm : std::vector(context.view.vms))
            if (vm.state == VmState::kUndeploying) co_await UndeployVm(context, vm);
        co_await CreateDeclaredNetworks(context);

        // 1. New VMs.
        for (const auto& group : context.spec.vm_groups) {
            if (!failure.empty()) break;
            const bool new_group = FindGroup(old_spec, group.name) == nullptr;
            auto members = context.view.MembersOf(group.name);
            std::set<int> used;
            for (auto& vm : members) {
                used.insert(vm.vm_index);
                if (model::VmIsBeingDeployed(vm.state)) {
                    deployed.push_back(vm.vm_name);  // begun by an earlier run
                    if (!co_await CreateOnVim(context, group, vm))
                        failure = "VM " + vm.vm_name + " could not be deployed";
                } else if (new_group && vm.state == VmState::kError) {
                    deployed.push_back(vm.vm_name);
                    failure = "VM " + vm.vm_name + " could not be deployed";
                }
            }
            int count = static_cast<int>(members.size());
            const int target = TargetCount(group, count);
            for (int index = 0; count < target && failure.empty(); ++index) {
                if (used.contains(index)) continue;
                auto vm = co_await PlanVm(context, group, index);
                deployed.push_back(vm.vm_name);
                ++count;
                if (!co_await CreateOnVim(context, group, vm))
                    failure = "VM " + vm.vm_name + " could not be deployed";
            }
        }
        if (failure.empty()) {
            std::vector<model::VmRecord> booting;
            for (const auto& name : deployed)
                if (auto* vm = context.Vm(name); vm && vm->state == VmState::kInert)
                    booting.push_back(*vm);
            co_await AwaitAlive(context, booting);
            for (const auto& name : deployed) {
                if (auto* vm = context.Vm(name); vm && vm->state != VmState::kAlive) {
                    failure = "VM " + name + " did not become alive within its bootup_time";
                    break;
                }
            }
        }
        // 1b. Groups given another image: their VMs made again on it, one at a time.
        if (failure.empty()) failure = co_await RollImages(context, old_spec);
    } catch (const Error& e) {
        if (e.retryable()) throw;  // the engine retries the whole update
        failure = e.what();
    }

    if (!failure.empty()) {
        ESCD_WARN("engine") << "update of " << op.target_id << " failed: " << failure;
        for (const auto& name : deployed)
            if (auto* vm = context.Vm(name)) co_await UndeployVm(context, *vm);
        co_await RemoveDeclaredNetworks(context, added_networks);
    } else {
        // 2. Interfaces of the VMs of kept groups.
        for (const auto& group : context.spec.vm_groups) {
            if (FindGroup(old_spec, group.name) == nullptr) continue;
            for (const auto& vm : context.view.MembersOf(group.name)) {
                if (vm.state == VmState::kError || vm.state == VmState::kUndeploying) continue;
                if (!co_await UpdateVmInterfaces(context, group, vm) && failure.empty())
                    failure = "the interfaces of VM " + vm.vm_name + " could not be changed";
            }
        }
        // 3. Removed groups, and VMs over a lowered max_active.
        for (const auto& vm : std::vector(context.view.vms))
            if (FindGroup(context.spec, vm.vm_group) == nullptr) co_await UndeployVm(context, vm);
        for (const auto& group : context.spec.vm_groups) {
            auto members = context.view.MembersOf(group.name);
            std::sort(members.begin(), members.end(),
                      [](const auto& a, const auto& b) { return a.vm_index > b.vm_index; });
            const int target = TargetCount(group, static_cast<int>(members.size()));
            for (std::size_t i = 0; static_cast<int>(members.size() - i) > target; ++i)
                co_await UndeployVm(context, members[i]);
        }
        // 3b. The networks no longer declared, once no VM is on them.
        co_await RemoveDeclaredNetworks(
            context, Without(old_spec.declared_networks, context.spec.declared_networks));
    }

    // 4. The service follows its VMs; what the deployment uses is what its datamodel names.
    const bool ok = failure.empty();
    auto step = context.NewStep();
    auto service = Next(context.view.service, ServiceEvent::kUpdated);
    const bool all_alive = context.AllAlive();
    if (all_alive) service = model::NextState(service, ServiceEvent::kAllAlive).value_or(service);
    step.service_state = service;
    step.uses = UsesOf(ok ? std::string_view(op.payload) : std::string_view(context.record.spec),
                       op.target_id);
    co_await Commit(context, step);

    Final final;
    final.outcome.state = model::ResourceState::kActive;
    if (ok) final.outcome.spec = op.payload;
    final.status = ok ? 200 : 500;
    final.message = ok ? "Service group update completed successfully"
                       : "Service group update failed: " + failure;
    if (!ok) context.spec = old_spec;  // the event describes what stays
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, "SERVICE_UPDATED", nullptr, final.status, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

}  // namespace escd::orchestrator
