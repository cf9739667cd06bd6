// OpenStackAdapter: VMs as Nova servers. Creating one (CreateVm: image, flavor, ports in one
// bulk create, server group, day-0 files, then ACTIVE as the shared server poller sees it),
// deleting one with its ports and, with the last member, its server group (DeleteVm), stop,
// start and reboot (Act), attaching and detaching NICs, and reading a VM's state, statistics and
// the names of this installation's servers from the poller's shared list.

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "vim/openstack/openstack_adapter.hpp"
#include "vim/openstack/server_metadata.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
using Clock = ServerPoller::Clock;

// Named: GCC 12 miscompiles a braced list passed to a coroutine inside co_await.
}  // namespace

// --- VMs -------------------------------------------------------------------------------------

asio::awaitable<std::string> OpenStackAdapter::FlavorRef(const VmRequest& request) {
    FlavorRequest flavor;
    if (!request.flavor_id.empty()) {
        {
            std::lock_guard lock(mutex_);
            if (auto it = flavors_.find(request.flavor_id); it != flavors_.end())
                co_return it->second;
        }
        auto found = co_await nova_.FindFlavor(request.flavor_id);
        if (!found) {
            const std::string path = "/flavors?is_public=None";
            found = co_await IdByName("compute", path, "flavors", request.flavor_id);
        }
        if (!found)
            throw VimError(ErrorCode::kNotFound,
                           "flavor " + request.flavor_id + " is not on the VIM");
        std::lock_guard lock(mutex_);
        flavors_[request.flavor_id] = *found;
        co_return *found;
    }
    // No flavor named: Nova needs one, so escd keeps one per size (escd-auto-<vcpus>c-<mem>m).
    flavor.internal_id =
        "auto-" + std::to_string(request.vcpus) + "c-" + std::to_string(request.memory_mb) + "m";
    flavor.name = flavor.internal_id;
    flavor.vcpus = request.vcpus;
    flavor.memory_mb = request.memory_mb;
    {
        std::lock_guard lock(mutex_);
        if (auto it = flavors_.find(flavor.internal_id); it != flavors_.end()) co_return it->second;
    }
    auto id = co_await nova_.EnsureFlavor(flavor);
    std::lock_guard lock(mutex_);
    flavors_[flavor.internal_id] = id;
    co_return id;
}

asio::awaitable<PortRequest> OpenStackAdapter::PortFor(std::string vm_name, VmNic nic) {
    PortRequest port;
    port.vm_name = vm_name;
    port.nicid = nic.nicid;
    port.network_id = co_await NetworkId(nic.network_id);
    port.mac = nic.mac;
    if (!nic.ip_address.empty()) {
        FixedIp fixed;
        fixed.ip_address = nic.ip_address;
        if (!nic.subnet_id.empty()) fixed.subnet_id = KnownSubnet(port.network_id, nic.subnet_id);
        port.fixed_ips.push_back(std::move(fixed));
    }
    co_return port;
}

asio::awaitable<std::string> OpenStackAdapter::ServerGroup(Session& session,
                                                           std::string name,
                                                           std::string policy) {
    // One at a time: the VMs of a group are created together, and two creates of one name
    // would make two groups, each binding only its own server.
    co_await groups_lock_.Lock();
    const AsyncMutex::Unlocker unlock(groups_lock_);
    {
        std::lock_guard lock(mutex_);
        if (auto it = server_groups_.find(name); it != server_groups_.end()) co_return it->second;
    }
    Servers servers(session);
    auto id = co_await servers.EnsureServerGroup(name, policy);
    std::lock_guard lock(mutex_);
    server_groups_[name] = id;
    co_return id;
}

asio::awaitable<VmInfo> OpenStackAdapter::CreateVm(const VmRequest& request) {
    try {
        co_return co_await CreateVmOnce(request);
    } catch (const Error& e) {
        // Another node sharing this VIM may have removed and made again a network, image,
        // flavor or tenant whose OpenStack id this node remembers (docs/cluster.md, "A shared
        // VIM"): Nova or Neutron then refuse the stale id (404, or Nova's 400 naming it).
        // Forgotten, looked up again, tried once more; an overloaded VIM is not asked twice.
        if (e.code() == ErrorCode::kUnavailable || !ForgetIdsOf(request)) throw;
        ESCD_INFO("vim") << "creating " << request.name << " failed (" << e.what()
                         << "); the ids it used are looked up again";
    }
    co_return co_await CreateVmOnce(request);
}

bool OpenStackAdapter::ForgetIdsOf(const VmRequest& request) {
    std::lock_guard lock(mutex_);
    std::size_t forgotten = images_.erase(request.image_id) + flavors_.erase(request.flavor_id) +
                            tenant_projects_.erase(request.tenant_id);
    for (const auto& nic : request.nics) {
        forgotten += networks_.erase(nic.network_id);
        std::erase_if(subnets_, [&](const auto& entry) {
            const bool named = entry.first.second == nic.subnet_id;
            forgotten += named;
            return named;
        });
    }
    return forgotten > 0;
}

asio::awaitable<VmInfo> OpenStackAdapter::CreateVmOnce(const VmRequest& request) {
    if (!request.disks.empty()) {
        // Nova could make them (block_device_mapping_v2, blank Cinder volumes deleted with the
        // server); not built yet: refused rather than a VM without the disks it was given.
        throw VimError(ErrorCode::kNotImplemented,
                       "VM " + request.name +
                           ": ephemeral volumes (a vm_group <volume> with a <size>) are not "
                           "supported on an OpenStack VIM by escd yet");
    }
    const auto created = Clock::now();
    const auto touched = TouchedAt(request.name);
    Touch(request.name);
    ServerSpec spec;
    spec.name = request.name;
    {
        std::unique_lock lock(mutex_);
        auto image = images_.find(request.image_id);
        if (image != images_.end()) spec.image_ref = image->second;
    }
    if (spec.image_ref.empty()) {
        auto found = co_await glance_.FindImage(request.image_id);
        if (!found) {
            const std::string path =
                "/v2/images?status=active&name=" + QueryValue(request.image_id);
            found = co_await IdByName("image", path, "images", request.image_id);
        }
        if (!found)
            throw VimError(ErrorCode::kNotFound,
                           "image " + request.image_id + " is not on the VIM");
        spec.image_ref = *found;
        std::lock_guard lock(mutex_);
        images_[request.image_id] = *found;
    }
    spec.flavor_ref = co_await FlavorRef(request);
    // All NICs' ports in one list and one bulk create (a rerun reuses what matches).
    std::vector<PortRequest> wanted;
    for (const auto& nic : request.nics) {
        auto port = co_await PortFor(request.name, nic);
        wanted.push_back(std::move(port));
    }
    // The server and its ports in the tenant's project: made with a token scoped to it.
    auto* session = co_await TenantSession(request.tenant_id);
    Ports ports(*session);
    for (const auto& port : co_await ports.EnsurePorts(std::move(wanted)))
        spec.port_ids.push_back(port.id);
    spec.metadata = {{kInstanceKey, options_.instance_id},
                     {"escd_deployment", request.deployment_id},
                     {kTenantKey, request.tenant_id},
                     {"escd_vm_group", request.vm_group}};
    if (!request.host.empty()) {
        const auto hosts = co_await ListHosts();
        // Only a host of this VIM: placement may have chosen among another VIM's hosts.
        if (std::find(hosts.begin(), hosts.end(), request.host) != hosts.end())
            spec.availability_zone = "nova:" + request.host;
    }
    if (!request.group_policy.empty()) {
        // The group's rule for Nova's scheduler too: one server group per deployment's group.
        const auto group_name = ObjectName(request.deployment_id + "-" + request.vm_group);
        auto group = co_await ServerGroup(*session, group_name, request.group_policy);
        spec.server_group = std::move(group);
        spec.metadata[kGroupKey] = group_name;
    }
    spec.files = ConfigDriveFiles(request.day0_files);
    // A server of this name from an earlier attempt (a crash, a retry) is in any list taken
    // after that attempt began: the shared list answers (usually with no call of its own), and
    // Nova is asked to create only when it has none.
    const auto listed = co_await poller_.Snapshot(touched);
    Server server;
    auto earlier = std::find_if(listed.begin(), listed.end(),
                                [&request](const Server& s) { return s.name == request.name; });
    if (earlier != listed.end() && !earlier->Gone()) {
        server = *earlier;
    } else {
        Servers servers(*session);
        server = co_await servers.CreateServer(spec, /*find_first=*/false);
    }
    if (server.status == "SHUTOFF") {
        // Found from an earlier run, stopped since: this call promises it runs.
        const std::string start = "start";
        co_await servers_.Action(server.id, start);
    }
    const std::set<std::string> active{"ACTIVE"};
    server = co_await poller_.WaitFor(server.id, active, created, options_.boot_timeout);
    Touch(request.name);
    ESCD_INFO("vim") << "Nova server " << request.name << " " << server.id << " ACTIVE"
                     << (server.host.empty() ? std::string() : " on " + server.host);
    co_return VmInfo{server.id, server.host, true};
}

asio::awaitable<std::optional<Server>> OpenStackAdapter::Listed(std::string name,
                                                                Clock::time_point not_before) {
    const auto servers = co_await poller_.Snapshot(std::max(not_before, TouchedAt(name)));
    for (const auto& server : servers)
        if (server.name == name) co_return server;
    co_return std::nullopt;
}

asio::awaitable<Server> OpenStackAdapter::Require(std::string name) {
    auto server = co_await Listed(name, Clock::now());
    if (!server) throw VimError(ErrorCode::kNotFound, "VM " + name + " is not on the VIM");
    co_return *server;
}

asio::awaitable<void> OpenStackAdapter::DeleteVm(const std::string& name) {
    Touch(name);
    // Every server of the name: a create whose answer was lost may have made a second one.
    auto found = co_await servers_.FindServers(name);
    for (const auto& one : found) co_await servers_.DeleteServer(one.id);
    std::optional<Server> server;
    if (!found.empty()) server = std::move(found.front());
    // Its ports: marked as the VM's, so a port left by a create cut short goes too.
    co_await ports_.DeletePorts(name);
    {
        std::lock_guard lock(mutex_);
        touched_.erase(name);
    }
    // Its server group (its metadata names it) goes with the group's last server. The checks take
    // turns: two VMs of a group deleted together would each see the other still a member.
    if (!server || !server->metadata.contains(kGroupKey)) co_return;
    const auto group_name = server->metadata[kGroupKey];
    co_await groups_lock_.Lock();
    const AsyncMutex::Unlocker unlock(groups_lock_);
    std::optional<std::string> id;
    {
        std::lock_guard lock(mutex_);
        if (auto it = server_groups_.find(group_name); it != server_groups_.end()) id = it->second;
    }
    if (!id) {
        // Every project's: the group is in the VM's tenant's project.
        const std::string path = "/os-server-groups?all_projects=True";
        id = co_await IdByName("compute", path, "server_groups", group_name);
    }
    if (!id) co_return;
    auto group = co_await servers_.GetServerGroup(*id);
    if (group && group->members.empty()) {
        co_await servers_.DeleteServerGroup(*id);
        ESCD_INFO("vim") << "deleted Nova server group " << group_name << ": its last server went";
    }
    std::lock_guard lock(mutex_);
    if (!group || group->members.empty()) server_groups_.erase(group_name);
}

asio::awaitable<void> OpenStackAdapter::Act(std::string name,
                                            std::string action,
                                            std::string wanted) {
    auto server = co_await Require(name);
    if (server.status == wanted) co_return;
    const auto acted = Clock::now();
    Touch(name);
    co_await servers_.Action(server.id, action);
    const std::set<std::string> statuses{wanted};
    co_await poller_.WaitFor(server.id, statuses, acted, options_.boot_timeout);
    Touch(name);
}

asio::awaitable<void> OpenStackAdapter::StopVm(const std::string& name, std::chrono::seconds) {
    // Nova's stop is itself graceful: the guest is asked to shut down and forced off after
    // Nova's own shutdown_timeout (nova.conf), which is the grace on this VIM.
    co_await Act(name, "stop", "SHUTOFF");
}

asio::awaitable<void> OpenStackAdapter::StartVm(const std::string& name) {
    co_await Act(name, "start", "ACTIVE");
}

asio::awaitable<void> OpenStackAdapter::RebootVm(const std::string& name, std::chrono::seconds) {
    auto server = co_await Require(name);
    if (server.status == "SHUTOFF")
        throw VimError(ErrorCode::kConflict, "VM " + name + " is stopped: it cannot be rebooted");
    Touch(name);
    // A running guest gets a soft reboot: Nova asks it and falls back to a hard one itself. A
    // server in any other state (ERROR: what a recovery meets) gets a hard one, the reset Nova
    // allows from there. The server shows REBOOT or HARD_REBOOT from the moment the call
    // returns, so ACTIVE in a list begun after that is the rebooted guest. (A list begun
    // before, while the call was on its way, may still say ACTIVE of the guest before the
    // reboot: the caller then looked at a server still rebooting, took it for down and
    // recovered it; seen under load.)
    const std::string kind = server.status == "ACTIVE" ? "soft-reboot" : "hard-reboot";
    co_await servers_.Action(server.id, kind);
    const auto acted = Clock::now();
    const std::set<std::string> active{"ACTIVE"};
    co_await poller_.WaitFor(server.id, active, acted, options_.boot_timeout);
    Touch(name);
}

asio::awaitable<void> OpenStackAdapter::AttachNic(const std::string& name, const VmNic& nic) {
    auto server = co_await Require(name);
    auto port = co_await PortFor(name, nic);
    // In the server's project, as its other ports.
    auto* session = co_await TenantSession(server.metadata[kTenantKey]);
    Ports ports(*session);
    auto made = co_await ports.EnsurePort(std::move(port));
    json::object attachment{{"interfaceAttachment", json::object{{"port_id", made.id}}}};
    const auto path = "/servers/" + server.id + "/os-interface";
    // 409 when the port is attached already (a rerun): the goal state holds.
    const std::set<int> attached{409};
    co_await session_.Call("compute", http::verb::post, path, json::serialize(attachment),
                           attached);
    Touch(name);
}

asio::awaitable<void> OpenStackAdapter::DetachNic(const std::string& name, const VmNic& nic) {
    auto server = co_await Require(name);
    const auto ports = co_await ports_.FindPorts(name);
    for (const auto& port : ports) {
        if (port.name != PortName(name, nic.nicid)) continue;
        const auto path = "/servers/" + server.id + "/os-interface/" + port.id;
        co_await session_.Call("compute", http::verb::delete_, path, std::string(),
                               kGoneIsAnAnswer);
        co_await ports_.DeletePort(port.id);
    }
    Touch(name);
}

asio::awaitable<std::optional<VmInfo>> OpenStackAdapter::GetVm(const std::string& name) {
    // A list from the last second answers: the monitor's checks of many VMs share it.
    auto server = co_await Listed(name, Clock::now() - std::chrono::seconds(1));
    if (!server) co_return std::nullopt;
    co_return VmInfo{server->id, server->host, RunningByStatus(server->status).value_or(false)};
}

asio::awaitable<std::optional<VmStats>> OpenStackAdapter::GetVmStats(const std::string& name) {
    // The id from the shared list, then Nova's diagnostics of the server (an admin API: the
    // connector's user is one). One call per VM and poll: Nova has no batched form.
    auto server = co_await Listed(name, Clock::now() - std::chrono::seconds(1));
    if (!server) co_return std::nullopt;
    const auto answer = co_await session_.Call("compute", http::verb::get,
                                               "/servers/" + server->id + "/diagnostics",
                                               std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    auto stats = ParseDiagnostics(answer.body);
    // Nova's diagnostics carry no time of their own: the answer's arrival is the nearest.
    stats.sampled_at = Clock::now();
    co_return stats;
}

asio::awaitable<std::vector<std::string>> OpenStackAdapter::ListVmNames() {
    const auto servers = co_await poller_.Snapshot(Clock::now());
    std::vector<std::string> names;
    for (const auto& server : servers) names.push_back(server.name);
    co_return names;
}

}  // namespace escd::vim::openstack
