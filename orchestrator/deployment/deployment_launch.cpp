// Bringing a VM onto the VIM: planning it (PlanVm: name, addresses and MACs committed before
// any VIM call), choosing its host (PlaceVm: enabled hosts, zone_host, affinity and
// anti-affinity), its day-0 files (Day0Files), the VIM request (BuildVmRequest, sized by the
// flavors the groups name: ReadFlavors), the launch itself (LaunchVm), the VM's state steps
// around it (CreateOnVim), and redeploying VMs the VIM lost (RestoreVms).

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/xml/resource_spec_xml.hpp"
#include "orchestrator/deployment/day0.hpp"
#include "orchestrator/deployment/deployment_context.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::VmEvent;
using model::VmState;
}  // namespace

asio::awaitable<model::VmRecord> DeploymentWorkflow::PlanVm(Context& context,
                                                            const model::VmGroupSpec& group,
                                                            int index) {
    model::VmRecord vm;
    vm.deployment_id = context.spec.internal_id;
    vm.vm_group = group.name;
    vm.vm_index = index;
    vm.vm_name =
        context.spec.internal_id + "_" + group.name + "_" + std::to_string(index) + "_" + NewUuid();
    vm.state = VmState::kInit;

    std::vector<xml::AllocatedNic> nics;
    auto step = context.NewStep();
    AddressClaims::Held held(claims_);  // released after the commit below
    for (const auto& nic : group.interfaces)
        nics.push_back(co_await AllocateNic(group, vm.vm_name, index, nic, step, held));
    vm.interfaces = xml::StoredInterfaces(nics);
    step.upserts.push_back(vm);
    co_await Commit(context, step);
    co_return vm;
}

asio::awaitable<std::vector<vim::Day0File>> DeploymentWorkflow::Day0Files(
    Context& context, const model::VmGroupSpec& group, const model::VmRecord& vm) {
    std::vector<vim::Day0File> files;
    if (group.config_data.empty()) co_return files;
    const auto values = day0::VmValues(context.spec.name, vm);
    for (const auto& config : group.config_data) {
        auto own = values;
        for (const auto& [name, vals] : config.variables)
            if (!vals.empty()) own[name] = vals.front();
        std::string content = config.data;
        if (!config.file.empty()) {
            const FetchSource source{config.file, {}, {}};
            const std::string staged_name = "day0-" + vm.vm_name + "-" + config.dst;
            auto fetched = co_await fetcher_.Fetch(source, staged_name);
            content = co_await Offload(file_pool_, [&fetched] {
                std::ifstream in(fetched.path, std::ios::binary);
                std::string text((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
                FileFetcher::Discard(fetched);
                return text;
            });
        }
        files.push_back({config.dst, day0::Substitute(content, own)});
    }
    co_return files;
}

asio::awaitable<std::string> DeploymentWorkflow::PlaceVm(Context& context,
                                                         const model::VmGroupSpec& group,
                                                         const std::string& vm_name) {
    // Hosts are what the VIM reports; escd places only on those not disabled
    // (POST /v0/hosts/{host}/disable), and on the one a zone_host placement names. Asked once
    // per operation, not once per VM.
    if (!context.enabled_hosts) {
        auto hosts = co_await vim_.hosts.ListHosts();
        context.enabled_hosts = co_await hosts_.SchedulableHosts(hosts);
        context.vim_host_count = hosts.size();
    }
    const auto& enabled = *context.enabled_hosts;
    std::string wanted;
    for (const auto& placement : group.placement)
        if (placement.type == "zone_host" && !placement.host.empty()) wanted = placement.host;
    std::vector<std::string> candidates;
    for (const auto& host : enabled)
        if (wanted.empty() || host == wanted) candidates.push_back(host);
    if (candidates.empty() && !wanted.empty()) {
        throw ConfigurationError(
            ErrorCode::kUnavailable,
            "host " + wanted + " named by vm_group " + group.name + " is not an enabled VIM host");
    }
    if (candidates.empty()) {
        throw ConfigurationError(ErrorCode::kUnavailable,
                                 "no enabled host to place vm_group " + group.name + " on (" +
                                     std::to_string(context.vim_host_count) +
                                     " VIM host(s), all disabled)");
    }
    // Affinity: on a host where the related VMs are; anti-affinity: on one where none is. A
    // rule inside a group (no target groups) relates the group's own VMs; a policy between
    // groups relates them to the others it names. Strict rules fail the VM when no host
    // qualifies; loose ones fall back to any candidate.
    for (const auto& placement : group.placement) {
        if (placement.type != "affinity" && placement.type != "anti_affinity") continue;
        const auto& related = placement.target_groups.empty() ? std::vector<std::string>{group.name}
                                                              : placement.target_groups;
        std::set<std::string> used;
        for (const auto& vm : context.view.vms) {
            if (!vm.host.empty() &&
                std::find(related.begin(), related.end(), vm.vm_group) != related.end())
                used.insert(vm.host);
        }
        if (used.empty()) continue;  // the first VM of the relation goes anywhere
        const bool affinity = placement.type == "affinity";
        std::vector<std::string> narrowed;
        for (const auto& host : candidates)
            if (used.contains(host) == affinity) narrowed.push_back(host);
        if (!narrowed.empty()) {
            candidates = std::move(narrowed);
        } else if (placement.enforcement == "strict") {
            throw ConfigurationError(ErrorCode::kUnavailable,
                                     std::string(affinity ? "affinity" : "anti-affinity") +
                                         " of vm_group " + group.name + ": no enabled host " +
                                         (affinity ? "with" : "without") + " a VM of vm_group " +
                                         related.front() +
                                         (related.size() > 1 ? " (and others)" : ""));
        }
    }
    if (auto* planned = context.Vm(vm_name)) planned->host = candidates.front();
    co_return candidates.front();
}

asio::awaitable<vim::VmRequest> DeploymentWorkflow::BuildVmRequest(Context& context,
                                                                   const model::VmGroupSpec& group,
                                                                   const model::VmRecord& vm) {
    vim::VmRequest request;
    request.name = vm.vm_name;
    request.deployment_id = vm.deployment_id;
    request.tenant_id = context.spec.tenant;
    request.vm_group = group.name;
    request.vcpus = group.vcpus > 0 ? group.vcpus : model::kDefaultVcpus;
    request.memory_mb = group.memory_mb > 0 ? group.memory_mb : model::kDefaultMemoryMb;
    request.image_id = group.image;
    for (const auto& nic : xml::InterfacesFromStored(vm.interfaces)) {
        std::string model = "virtio";
        for (const auto& spec_nic : group.interfaces)
            if (spec_nic.nicid == nic.nicid) model = spec_nic.model;
        request.nics.push_back(
            {nic.nicid, nic.network, nic.mac_address, model, nic.ip_address, nic.subnet});
    }
    request.flavor_id = group.flavor;
    request.vim_id = group.vim_id;
    for (const auto& volume : group.volumes)
        if (volume.Ephemeral())
            request.disks.push_back({volume.volid, volume.size_bytes, volume.bus, volume.type});
    std::sort(request.disks.begin(), request.disks.end(),
              [](const auto& a, const auto& b) { return a.volid < b.volid; });
    for (const auto& rule : group.placement) {
        const bool inside = rule.target_groups.empty() ||
                            (rule.target_groups.size() == 1 && rule.target_groups[0] == group.name);
        if (!inside || (rule.type != "affinity" && rule.type != "anti_affinity")) continue;
        const std::string policy = rule.type == "affinity" ? "affinity" : "anti-affinity";
        request.group_policy = rule.enforcement == "strict" ? policy : "soft-" + policy;
    }
    if (!group.flavor.empty()) {
        co_await ReadFlavors(context);
        if (const auto& flavor = context.flavors.at(group.flavor)) {
            request.vcpus = flavor->vcpus;
            request.memory_mb = flavor->memory_mb;
        }
    }

    co_return request;
}

asio::awaitable<void> DeploymentWorkflow::ReadFlavors(Context& context) {
    std::vector<model::ResourceKey> unread;
    for (const auto& group : context.spec.vm_groups) {
        if (group.flavor.empty() || context.flavors.contains(group.flavor)) continue;
        model::ResourceKey key{model::ResourceKind::kFlavor, group.flavor};
        if (std::find(unread.begin(), unread.end(), key) == unread.end())
            unread.push_back(std::move(key));
    }
    if (unread.empty()) co_return;
    const auto flavors = co_await resources_.GetResources(unread);
    for (std::size_t i = 0; i < unread.size(); ++i) {
        std::optional<model::FlavorSpec> spec;
        if (flavors[i]) spec = xml::FlavorSpecFromStored(flavors[i]->spec);
        context.flavors.emplace(unread[i].second, std::move(spec));
    }
}

asio::awaitable<vim::VmInfo> DeploymentWorkflow::LaunchVm(Context& context,
                                                          const model::VmGroupSpec& group,
                                                          const model::VmRecord& vm,
                                                          LaunchOrder* order,
                                                          std::size_t index) {
    auto request = co_await BuildVmRequest(context, group, vm);
    {
        const InTurn::Guard placed{order ? &order->placed : nullptr, index};
        if (order) co_await order->placed.Wait(index);
        request.host = co_await PlaceVm(context, group, vm.vm_name);
    }
    // What the VIM takes of a VM's launch, apart from escd's own work (bench/vnf.cpp reads
    // this line): the day-0 files, then the VIM's config drive, define and start.
    using std::chrono::steady_clock;
    const auto started = steady_clock::now();
    request.day0_files = co_await Day0Files(context, group, vm);
    const auto files_done = steady_clock::now();
    auto info = co_await vim_.vms.CreateVm(request);  // the VIM makes the config drive
    const auto ms = [](steady_clock::duration d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    ESCD_INFO("deploy") << "VM " << vm.vm_name << " launched: VIM "
                        << ms(steady_clock::now() - started) << " ms (day-0 files "
                        << ms(files_done - started) << " ms, config drive+define+start "
                        << ms(steady_clock::now() - files_done) << " ms)";
    co_return info;
}

asio::awaitable<bool> DeploymentWorkflow::CreateOnVim(Context& context,
                                                      const model::VmGroupSpec& group,
                                                      model::VmRecord& vm,
                                                      std::string_view deployed_event,
                                                      LaunchOrder* order,
                                                      std::size_t index) {
    InTurn* turn = order ? &order->committed : nullptr;
    const InTurn::Guard finish{turn, index};  // a failure must not hold up the later ones
    const InTurn::Guard placed{order ? &order->placed : nullptr, index};  // nor an early one
    if (vm.state == VmState::kInit) {
        vm.state = Next(vm.state, VmEvent::kDeploy);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    auto step = context.NewStep();
    try {
        const auto info = co_await LaunchVm(context, group, vm, order, index);
        vm.uuid = info.uuid;
        vm.host = info.host;
        vm.image = group.image;
        vm.state = Next(vm.state, VmEvent::kVimDone);
        step.upserts.push_back(vm);
        context.Emit(step, std::string(deployed_event), &vm, 200, "VM Deployed");
        if (turn) co_await turn->Wait(index);
        co_await Commit(context, step);
        co_return true;
    } catch (const vim::VimUnavailable& e) {
        // A VIM service that does not answer: not the VM's failure. The VM stays DEPLOYING and
        // the engine runs the operation again later (a rerun finds the ports and the server
        // made so far by their names).
        ESCD_WARN("engine") << "VM " << vm.vm_name << " waits for the VIM: " << e.what();
        throw;
    } catch (const Error& e) {
        ESCD_WARN("engine") << "VM " << vm.vm_name << " not deployed: " << e.what();
        vm.state = Next(vm.state, VmEvent::kVimFailed);
        step.upserts.push_back(vm);
        context.Emit(step, std::string(deployed_event), &vm, HttpStatusOf(e, Reply::kCallback),
                     std::string("VM deployment failed: ") + e.what());
    }
    if (turn) co_await turn->Wait(index);
    co_await Commit(context, step);
    co_return false;
}

asio::awaitable<std::size_t> DeploymentWorkflow::RestoreVms(const model::Operation& op,
                                                            const std::set<std::string>& on_vim) {
    Context context(op);
    co_await Load(context);
    std::size_t restored = 0;
    for (auto vm : std::vector(context.view.vms)) {
        using V = VmState;
        if (!model::OnVim(vm.state) || on_vim.contains(vm.vm_name)) continue;
        const auto info = co_await LaunchVm(context, context.Group(vm.vm_group), vm);
        if (vm.state == V::kShutoff) {
            const std::string& name = vm.vm_name;
            co_await vim_.vms.StopVm(name, std::chrono::seconds(0));
        }
        ESCD_WARN("engine") << "VM " << vm.vm_name << " was missing from the VIM: redeployed as "
                            << info.uuid << " (was " << vm.uuid << ")";
        vm.uuid = info.uuid;
        vm.host = info.host;
        vm.image = context.Group(vm.vm_group).image;
        if (vm.state == V::kAlive) vm.state = V::kInert;  // it has to prove alive again
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
        ++restored;
    }
    co_return restored;
}

}  // namespace escd::orchestrator
