#include "orchestrator/csm/vnf_hosts.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/deployment_docs.hpp"
#include "orchestrator/deployment/day0.hpp"

namespace escd::orchestrator::csm {
namespace {
namespace xml = model::xml;
using model::csm::Host;

// Whether two hosts reach the device the same way (what the extension and the VM decide).
bool SameAccess(const Host& a, const Host& b) {
    return a.region == b.region && a.connection_type == b.connection_type &&
           a.ts_or_ip == b.ts_or_ip && a.port_number == b.port_number && a.username == b.username &&
           a.password == b.password && a.enable_password == b.enable_password &&
           a.vnf_deployment == b.vnf_deployment;
}
}  // namespace

Host VnfHostOf(const model::DeploymentSpec& deployment,
               const model::VmGroupSpec& group,
               const model::CsmHostSpec& spec,
               const model::VmRecord& vm) {
    auto values = day0::VmValues(deployment.name, vm);
    // The group's day-0 variables too: the credentials are usually the ones its day-0 sets.
    for (const auto& config : group.config_data)
        for (const auto& [name, vals] : config.variables)
            if (!vals.empty()) values.try_emplace(name, vals.front());
    Host host;
    host.hostname = vm.vm_name;
    host.region = spec.region.empty() ? deployment.tenant : spec.region;
    host.connection_type = spec.connection_type == "telnet" ? model::csm::ConnectionType::kTelnet
                                                            : model::csm::ConnectionType::kSsh;
    for (const auto& nic : xml::InterfacesFromStored(vm.interfaces))
        if (nic.nicid == spec.nicid && !nic.ip_address.empty()) host.ts_or_ip = {nic.ip_address};
    if (!spec.port.empty()) host.port_number = {spec.port};
    host.username = day0::Substitute(spec.username, values);
    host.password = day0::Substitute(spec.password, values);
    host.enable_password = day0::Substitute(spec.enable_password, values);
    host.location = deployment.internal_id;
    host.created_by = "escd";
    host.vnf_deployment = deployment.internal_id;
    return host;
}

VnfHosts::VnfHosts(asio::any_io_executor executor, model::CsmStore& store, HostDiscovery& discovery)
    : strand_(asio::make_strand(executor)), store_(store), discovery_(discovery) {}

void VnfHosts::VmsChanged(const model::DeploymentSpec& spec,
                          const std::vector<model::VmRecord>& vms) {
    const bool wanted = std::any_of(spec.vm_groups.begin(), spec.vm_groups.end(),
                                    [](const auto& group) { return group.csm_host.has_value(); });
    {
        std::lock_guard lock(mutex_);
        if (!wanted && !deployments_.contains(spec.internal_id)) return;  // the common case
    }
    Queue([this, spec, vms]() { return Sync(spec, vms); },
          "the hosts of deployment " + spec.internal_id);
}

void VnfHosts::Restarted(std::vector<Deployment> claimed) {
    Queue(
        [this, claimed = std::move(claimed)]() -> asio::awaitable<void> {
            const std::string why = "the host was retired: its deployment was removed";
            const auto gone = co_await store_.RetireHostsOfGoneDeployments(why);
            if (gone > 0)
                ESCD_INFO("csm") << gone << " host(s) of removed deployments retired at start";
            for (const auto& deployment : claimed) {
                const bool wanted =
                    std::any_of(deployment.spec.vm_groups.begin(), deployment.spec.vm_groups.end(),
                                [](const auto& group) { return group.csm_host.has_value(); });
                // Registered before (its groups may have dropped the extension since) or wanted.
                const auto& id = deployment.spec.internal_id;
                const auto registered =
                    wanted ? std::vector<std::string>() : co_await store_.VnfHostnames(id);
                if (wanted || !registered.empty()) co_await Sync(deployment.spec, deployment.vms);
            }
        },
        "the hosts of escd's VNFs at start");
}

void VnfHosts::Queue(std::function<asio::awaitable<void>()> work, std::string what) {
    {
        std::lock_guard lock(mutex_);
        ++pending_;
    }
    asio::co_spawn(
        strand_,
        [this, work = std::move(work), what = std::move(what)]() -> asio::awaitable<void> {
            try {
                co_await work();
            } catch (const std::exception& e) {
                ESCD_WARN("csm") << what << " were not brought up to date: " << e.what()
                                 << " (again at the next change or start)";
            }
            Done();
        },
        asio::detached);
}

void VnfHosts::Done() {
    std::lock_guard lock(mutex_);
    if (--pending_ == 0) idle_.notify_all();
}

bool VnfHosts::WaitIdleForTest(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [this] { return pending_ == 0; });
}

asio::awaitable<void> VnfHosts::Sync(model::DeploymentSpec spec, std::vector<model::VmRecord> vms) {
    std::set<std::string> living;
    for (const auto& vm : vms) {
        living.insert(vm.vm_name);
        if (vm.state != model::VmState::kAlive) continue;  // registered once alive
        const auto group = std::find_if(spec.vm_groups.begin(), spec.vm_groups.end(),
                                        [&](const auto& g) { return g.name == vm.vm_group; });
        if (group == spec.vm_groups.end() || !group->csm_host) {
            living.erase(vm.vm_name);  // its group no longer asks for a host
            continue;
        }
        auto host = VnfHostOf(spec, *group, *group->csm_host, vm);
        if (host.ts_or_ip.empty()) {
            ESCD_WARN("csm") << "VM " << vm.vm_name << " has no address on interface "
                             << group->csm_host->nicid << ": not a host";
            continue;
        }
        const auto identity = vm.uuid + "@" + vm.host;
        const auto within = std::chrono::seconds(std::max(60, group->bootup_time));
        co_await Register(spec, std::move(host), identity, within);
    }
    const auto registered = co_await store_.VnfHostnames(spec.internal_id);
    for (const auto& hostname : registered) {
        if (living.contains(hostname)) continue;
        const auto why = "its VM " + hostname + " was removed from deployment " + spec.internal_id;
        const auto message = "the host was retired: " + why;
        if (co_await store_.RetireHost(hostname, message))
            ESCD_INFO("csm") << "host " << hostname << " retired: " << why;
        registered_.erase(hostname);
    }
}

asio::awaitable<void> VnfHosts::Register(const model::DeploymentSpec& spec,
                                         Host host,
                                         const std::string& identity,
                                         std::chrono::seconds discover_within) {
    const auto stored = co_await store_.GetHost(host.hostname);
    const auto known = registered_.find(host.hostname);
    const bool same_vm = known != registered_.end() && known->second == identity;
    if (stored && same_vm && SameAccess(*stored, host)) co_return;
    {
        std::lock_guard lock(mutex_);
        deployments_.insert(spec.internal_id);
    }
    const auto regions = co_await store_.ListRegions(host.region);
    if (regions.empty()) {
        // The operator gives it its repositories (PUT /api/v1/regions); never overwritten here.
        const model::csm::Region region{host.region, {}, "escd"};
        co_await store_.PutRegion(region);
        ESCD_INFO("csm") << "region " << host.region << " created for the hosts of escd's VNFs";
    }
    if (stored) host.facts = stored->facts;  // until discovery reads them again
    if (const auto missing = co_await store_.PutHost(host)) {
        throw Error(ErrorCode::kConflict,
                    "host " + host.hostname + ": " + missing->name + " vanished meanwhile");
    }
    registered_[host.hostname] = identity;
    ESCD_INFO("csm") << (stored ? "host " + host.hostname + " refreshed"
                                : "host " + host.hostname + " registered")
                     << " for VM " << host.hostname << " of deployment " << spec.internal_id
                     << " at " << host.ts_or_ip.front();
    // Alive means it answers pings: its SSH and telnet servers may start a moment later.
    discovery_.DiscoverWhenUp(host.hostname, discover_within);
}

}  // namespace escd::orchestrator::csm
