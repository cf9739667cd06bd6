// OpenStackAdapter: the resources around the VMs. Tenants are Keystone projects, and the
// session scoped to a tenant's project is what its networks, routers, ports and servers are
// made with (TenantSession); networks and subnets are Neutron's; images are Glance's, volumes
// Cinder's; flavors are Nova's and routers Neutron's.

#include "common/error.hpp"
#include "vim/openstack/openstack_adapter.hpp"

namespace escd::vim::openstack {

// --- tenants ---------------------------------------------------------------------------------

std::optional<std::string> OpenStackAdapter::KnownProject(const std::string& tenant_id) const {
    std::lock_guard lock(mutex_);
    auto it = tenant_projects_.find(tenant_id);
    if (it == tenant_projects_.end()) return std::nullopt;
    return it->second;
}

asio::awaitable<Session*> OpenStackAdapter::TenantSession(std::string tenant_id) {
    if (tenant_id.empty()) co_return &session_;
    auto project = KnownProject(tenant_id);
    if (!project) {
        // One lookup for the VMs of a tenant created together.
        co_await tenants_lock_.Lock();
        const AsyncMutex::Unlocker unlock(tenants_lock_);
        project = KnownProject(tenant_id);
        if (!project) {
            auto found = co_await projects_.FindProject(tenant_id);
            project = found.value_or(std::string());
            std::lock_guard lock(mutex_);
            tenant_projects_[tenant_id] = *project;
        }
    }
    if (project->empty()) co_return &session_;
    std::lock_guard lock(mutex_);
    auto& scoped = project_sessions_[*project];
    if (!scoped) {
        auto credentials = session_.keystone().credentials();
        credentials.project_id = *project;
        scoped = std::make_unique<Session>(client_, std::move(credentials),
                                           session_.keystone().renew_before());
    }
    co_return scoped.get();
}

asio::awaitable<std::string> OpenStackAdapter::CreateTenant(const TenantRequest& request) {
    auto id = co_await projects_.EnsureProject(request);
    std::lock_guard lock(mutex_);
    tenant_projects_[request.internal_id] = id;
    co_return id;
}

asio::awaitable<void> OpenStackAdapter::UpdateTenant(const std::string& external_id,
                                                     const TenantRequest& request) {
    co_await projects_.UpdateProject(external_id, request);
}

asio::awaitable<void> OpenStackAdapter::DeleteTenant(const std::string& external_id) {
    co_await projects_.DeleteProject(external_id);
    // Its session stays (a coroutine may still hold it) but is not handed out again.
    std::lock_guard lock(mutex_);
    std::erase_if(tenant_projects_,
                  [&external_id](const auto& entry) { return entry.second == external_id; });
}

// --- networks --------------------------------------------------------------------------------

asio::awaitable<EnsuredNetwork> OpenStackAdapter::EnsureNetwork(const NetworkRequest& request) {
    // In the tenant's project (a network of no tenant: the connector's).
    auto* session = co_await TenantSession(request.tenant_id);
    Neutron neutron(*session);
    auto id = co_await neutron.EnsureNetwork(request);
    // The subnets' Neutron ids: the caller's, and PortFor's (a fixed IP names its subnet).
    const auto subnets = co_await neutron.Subnets(id);
    EnsuredNetwork made{id, {}};
    std::lock_guard lock(mutex_);
    networks_[request.internal_id] = id;
    for (const auto& wanted : request.subnets) {
        for (const auto& subnet : subnets) {
            if (subnet.name != ObjectName(wanted.internal_id)) continue;
            subnets_[{id, wanted.internal_id}] = subnet.id;
            made.subnet_external_ids[wanted.internal_id] = subnet.id;
        }
    }
    co_return made;
}

std::string OpenStackAdapter::KnownSubnet(const std::string& network_external_id,
                                          const std::string& subnet_internal_id) const {
    std::lock_guard lock(mutex_);
    auto it = subnets_.find({network_external_id, subnet_internal_id});
    return it == subnets_.end() ? std::string() : it->second;
}

asio::awaitable<bool> OpenStackAdapter::HasNetwork(const std::string& internal_id) {
    const auto found = co_await neutron_.FindNetwork(internal_id);
    co_return found.has_value();
}

asio::awaitable<void> OpenStackAdapter::DeleteNetwork(const std::string& internal_id) {
    co_await neutron_.DeleteNetwork(internal_id);
    std::lock_guard lock(mutex_);
    networks_.erase(internal_id);
}

asio::awaitable<std::string> OpenStackAdapter::NetworkId(std::string internal_id) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = networks_.find(internal_id); it != networks_.end()) co_return it->second;
    }
    auto found = co_await neutron_.FindNetwork(internal_id);
    if (!found) {
        // Not made by escd on this VIM (a VIM that is not the default one): the network the
        // VIM's administrator named so.
        const std::string path = "/v2.0/networks?name=" + QueryValue(internal_id);
        found = co_await IdByName("network", path, "networks", internal_id);
    }
    if (!found)
        throw VimError(ErrorCode::kNotFound, "network " + internal_id + " is not on the VIM");
    std::lock_guard lock(mutex_);
    networks_[internal_id] = *found;
    co_return *found;
}

// --- volumes, images --------------------------------------------------------------------------

asio::awaitable<VimObject> OpenStackAdapter::CreateVolume(const VolumeRequest& request) {
    if (request.kind == VolumeKind::kImage) {
        ImageUpload upload;
        upload.internal_id = request.internal_id;
        upload.source_file = request.source_file;
        upload.disk_format = request.format.empty() ? "raw" : request.format;
        auto id = co_await glance_.EnsureImage(upload);
        std::lock_guard lock(mutex_);
        images_[request.internal_id] = id;
        co_return VimObject{id, {}};
    }
    auto id = co_await cinder_.EnsureVolume(request.internal_id, request.capacity_bytes);
    VimObject made{id, {}};
    if (!request.source_file.empty())
        made.note = "Cinder volumes are created blank; the source was not copied";
    co_return made;
}

asio::awaitable<void> OpenStackAdapter::DeleteVolume(VolumeKind kind,
                                                     const std::string& internal_id) {
    if (kind == VolumeKind::kImage) {
        co_await glance_.DeleteImage(internal_id);
        std::lock_guard lock(mutex_);
        images_.erase(internal_id);
        co_return;
    }
    co_await cinder_.DeleteVolume(internal_id);
}

// --- flavors, routers ------------------------------------------------------------------------

asio::awaitable<VimObject> OpenStackAdapter::CreateFlavor(const FlavorRequest& request) {
    auto id = co_await nova_.EnsureFlavor(request);
    std::lock_guard lock(mutex_);
    flavors_[request.internal_id] = id;
    co_return VimObject{id, {}};
}

asio::awaitable<void> OpenStackAdapter::DeleteFlavor(const std::string& external_id) {
    co_await nova_.DeleteFlavor(external_id);
    std::lock_guard lock(mutex_);
    std::erase_if(flavors_,
                  [&external_id](const auto& entry) { return entry.second == external_id; });
}

asio::awaitable<VimObject> OpenStackAdapter::EnsureRouter(const RouterRequest& request) {
    auto* session = co_await TenantSession(request.tenant_id);
    openstack::Routers routers(*session);  // not the capability vim::Routers this derives from
    auto id = co_await routers.EnsureRouter(request);
    co_return VimObject{std::move(id), {}};
}

asio::awaitable<void> OpenStackAdapter::DeleteRouter(const std::string& external_id) {
    co_await routers_.DeleteRouter(external_id);
}

}  // namespace escd::vim::openstack
