// The rolling image upgrade of an update (docs/behaviour.md, "Update"): a PUT that gives a kept
// vm_group another image makes the group's VMs again on it, one at a time, in index order.
//
// Each VM: DEPLOYING (the step commits before the VIM is touched), deleted and created again
// under its name with its addresses and MACs (a new uuid; its snapshots gone with the old
// domain), INERT, then its alive check; VM_UPDATED 200 once alive (vm_source / vm_target as for a
// recovery's redeploy), and only then the next one. A VM is not taken down while fewer than the
// group's min_active others are alive.
//
// A VM that cannot be made, or is not alive within its bootup_time, on the new image ends the
// upgrade: VM_UPDATED 500 for it, then every VM of the group on the new image (it included) is
// made again on the old one (VM_UPDATED 200 "rolled back"), and the update fails naming the
// rollback (its failure path follows: the datamodel stays the old one).
//
// Each VM records the image it was made from (VmRecord::image), committed with its INERT step:
// an update cut by a crash runs again from its start, skips the VMs already on the new image and
// makes again the one it was making. A rollback cut by a crash thus becomes an upgrade again,
// which fails the same way and rolls back: the group ends on one image, never half on each with
// the update done.

#include <algorithm>
#include <chrono>

#include "common/log.hpp"
#include "orchestrator/deployment/deployment_context.hpp"

namespace escd::orchestrator {
namespace {
using model::VmEvent;
using model::VmState;

// The image a VM runs: the one it recorded, or its group's before escd recorded them.
const std::string& ImageOf(const model::VmRecord& vm, const model::VmGroupSpec& was) {
    return vm.image.empty() ? was.image : vm.image;
}
}  // namespace

asio::awaitable<bool> DeploymentWorkflow::RedeployOnImage(Context& context,
                                                          const model::VmGroupSpec& group,
                                                          model::VmRecord vm,
                                                          const std::string& done) {
    const auto before = vm;
    const auto& name = vm.vm_name;
    if (vm.state != VmState::kDeploying) {  // else: a run cut by a crash was making it
        vm.state = Next(vm.state, VmEvent::kRedeploy);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        *context.Vm(name) = vm;
        co_await Commit(context, step);
    }
    // What the VIM takes of the removal (bench/vnf.cpp reads this line; the launch logs its own).
    const auto removing = std::chrono::steady_clock::now();
    co_await vim_.vms.DeleteVm(name);  // with its config drive and its snapshots
    ESCD_INFO("engine") << "VM " << name << " removed for image " << group.image << ": VIM "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - removing)
                               .count()
                        << " ms";
    auto step = context.NewStep();
    co_await DropSnapshotRows(step, name);
    bool made = false;
    try {
        const auto info = co_await LaunchVm(context, group, vm);
        vm.uuid = info.uuid;
        vm.host = info.host;
        vm.image = group.image;
        vm.state = Next(vm.state, VmEvent::kVimDone);
        made = true;
    } catch (const vim::VimUnavailable&) {
        throw;  // the update runs again later and makes it then
    } catch (const Error& e) {
        if (e.origin() == ErrorOrigin::kInternal || e.origin() == ErrorOrigin::kDatabase) throw;
        ESCD_WARN("engine") << "VM " << name << " not made on image " << group.image << ": "
                            << e.what();
        vm.state = Next(vm.state, VmEvent::kVimFailed);
        context.Emit(
            step, "VM_UPDATED", &vm, HttpStatusOf(e, Reply::kCallback),
            "VM [" + name + "] could not be made on image " + group.image + ": " + e.what());
    }
    step.upserts.push_back(vm);
    *context.Vm(name) = vm;
    co_await Commit(context, step);
    if (!made) co_return false;
    auto end = context.NewStep();
    if (!co_await CheckAlive(context, vm)) {
        context.Emit(
            end, "VM_UPDATED", &vm, kFailedStatus,
            "VM [" + name + "] was not alive on image " + group.image + " within its bootup_time");
        co_await Commit(context, end);
        co_return false;
    }
    vm.state = Next(vm.state, VmEvent::kAlive);
    end.upserts.push_back(vm);
    *context.Vm(name) = vm;
    context.Emit(end, "VM_UPDATED", &vm, 200, done, &before);
    co_await Commit(context, end);
    co_return true;
}

asio::awaitable<std::string> DeploymentWorkflow::RollImages(Context& context,
                                                            const model::DeploymentSpec& old_spec) {
    for (const auto& group : context.spec.vm_groups) {
        const auto* was = FindGroup(old_spec, group.name);
        if (!was || was->image == group.image) continue;
        auto members = context.view.MembersOf(group.name);
        std::sort(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return a.vm_index < b.vm_index; });
        std::string failure;
        for (const auto& member : members) {
            if (ImageOf(member, *was) == group.image && member.state != VmState::kDeploying)
                continue;  // made on it by an earlier run
            const auto others = std::count_if(members.begin(), members.end(), [&](const auto& m) {
                const auto* now = context.Vm(m.vm_name);
                return m.vm_name != member.vm_name && now && now->state == VmState::kAlive;
            });
            if (others < group.scaling.min_active) {
                failure = "taking VM " + member.vm_name + " down would leave " +
                          std::to_string(others) + " VM(s) of vm_group " + group.name +
                          " alive, under its min_active " +
                          std::to_string(group.scaling.min_active);
                break;
            }
            const auto now = *context.Vm(member.vm_name);
            if (now.state != VmState::kDeploying &&
                !model::NextState(now.state, VmEvent::kRedeploy)) {
                failure = "VM " + now.vm_name + " is " + std::string(model::ToString(now.state)) +
                          ": it cannot be made again on another image";
                break;
            }
            ESCD_INFO("engine") << "update of " << context.op.target_id << ": VM " << now.vm_name
                                << " to image " << group.image;
            const auto done = "VM [" + now.vm_name + "] redeployed on image " + group.image +
                              " (was " + ImageOf(member, *was) + ")";
            if (!co_await RedeployOnImage(context, group, now, done)) {
                failure = "VM " + now.vm_name + " did not come alive on image " + group.image;
                break;
            }
        }
        if (failure.empty()) continue;
        ESCD_WARN("engine") << "update of " << context.op.target_id << ": " << failure
                            << "; vm_group " << group.name << " rolled back to image "
                            << was->image;
        for (const auto& member : context.view.MembersOf(group.name)) {
            if (ImageOf(member, *was) == was->image && member.state != VmState::kError &&
                member.state != VmState::kDeploying)
                continue;
            const auto back = "VM [" + member.vm_name + "] rolled back to image " + was->image;
            co_await RedeployOnImage(context, *was, member, back);
        }
        co_return "vm_group " + group.name + " rolled back to image " + was->image + ": " + failure;
    }
    co_return std::string();
}

}  // namespace escd::orchestrator
