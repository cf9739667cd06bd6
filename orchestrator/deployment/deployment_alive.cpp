// Whether deployed VMs came up: one VM's check (CheckAlive: the group's ICMPPing VM_ALIVE KPI
// within bootup_time where escd may ping the address, else the VIM reporting the VM running),
// and the checks of several VMs run in parallel with their VM_ALIVE steps committed in VM order
// (AwaitAlive).

#include <algorithm>
#include <chrono>
#include <vector>

#include "common/log.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/monitor/alive_check.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::VmEvent;
}  // namespace

asio::awaitable<bool> DeploymentWorkflow::CheckAlive(Context& context,
                                                     model::VmRecord vm,
                                                     bool one_poll) {
    const auto& group = context.Group(vm.vm_group);
    if (const auto* alive_kpi = IcmpAliveKpi(group)) {
        auto kpi = *alive_kpi;
        auto deadline = clock_.now() + std::chrono::seconds(std::max(1, group.bootup_time));
        if (one_poll) {
            kpi.occurrences_true = 1;
            deadline = clock_.now() + PollPeriod(kpi);
        }
        std::string address;
        for (const auto& nic : xml::InterfacesFromStored(vm.interfaces))
            if (nic.nicid == kpi.nicid) address = nic.ip_address;
        // An address escd may not ping (outside monitor.allowed_cidrs, or no ICMP socket) is
        // not a verdict: the VIM's word decides, as it does for the monitor afterwards
        // (vm_monitor.cpp). So a VNF on a network escd cannot reach (an OpenStack tenant
        // network) is alive once its VIM runs it.
        if (pinger_.Pingable(address))
            co_return co_await WaitAlive(pinger_, clock_, address, kpi, deadline,
                                         context.cancel.get());
        ESCD_INFO("deploy") << "VM " << vm.vm_name << ": " << address
                            << " is not pinged (outside monitor.allowed_cidrs, or no ICMP "
                               "socket): alive when the VIM runs it";
    }
    const auto& name = vm.vm_name;
    auto info = co_await vim_.vms.GetVm(name);
    co_return info && info->running;
}

asio::awaitable<bool> DeploymentWorkflow::AliveAfterRestart(const model::Operation& op,
                                                            const std::string& vm_name) {
    Context context(op);
    co_await Load(context);
    const auto* known = context.Vm(vm_name);
    if (!known) co_return false;
    const auto vm = *known;
    co_return co_await CheckAlive(context, vm);
}

asio::awaitable<void> DeploymentWorkflow::AwaitAlive(Context& context,
                                                     const std::vector<model::VmRecord>& waiting) {
    // Alive: by the group's ICMPPing VM_ALIVE KPI within bootup_time, or (no such KPI)
    // when the VIM reports the VM running. VMs boot in parallel; the verdicts are committed
    // with their VM_ALIVE events once all are in, in the order of the VMs.
    auto executor = co_await asio::this_coro::executor;
    std::vector<char> alive(waiting.size(), 0);
    std::size_t done = 0;
    asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        asio::co_spawn(executor, CheckAlive(context, waiting[i]),
                       [&, i](std::exception_ptr e, bool ok) {
                           alive[i] = !e && ok;
                           if (++done == waiting.size()) all_done.cancel();
                       });
    }
    if (done < waiting.size()) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        if (!alive[i]) continue;
        auto vm = *context.Vm(waiting[i].vm_name);
        const auto moved = StepOf(vm.state, VmEvent::kAlive);
        vm.state = moved.next;
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        context.Emit(step, std::string(moved.stage), &vm, 200,
                     "VM_Alive event received, VM ID: [" + vm.vm_name + "]");
        co_await Commit(context, step);
    }
}

}  // namespace escd::orchestrator
