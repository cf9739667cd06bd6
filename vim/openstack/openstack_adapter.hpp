#pragma once
/// @file
/// vim::Vim on an OpenStack cloud: Keystone, Neutron, Glance, Nova, Cinder over REST, as one
/// VIM user in one project (the VIM connector's os_project_name).
///
/// What maps to what:
/// - tenants → Keystone projects; networks/subnets/routers → Neutron; images → Glance (uploaded
///   from the file escd fetched, checksum checked); flavors → Nova flavors; volumes → Cinder.
/// - VMs → Nova servers named as escd names the VM, with one Neutron port per NIC (escd's MAC and
///   fixed IP), escd's ids in the server's metadata (`escd_instance` marks this installation's),
///   and a config drive holding the day-0 files (`personality`).
/// - A VM's day-0 files (VmRequest::day0_files) are given to Nova with the server, which builds
///   the config drive itself; it goes with the server.
/// - VM state: one `GET /servers/detail` for all of escd's servers, shared by every waiter and
///   by the lifecycle loop that turns status changes into VM events (server_poller.hpp).
///
/// Every object escd makes is named after escd's id (`escd-<id>`, servers after the VM name),
/// so a rerun after a crash finds it instead of making a second, and undeploy leaves nothing.
///
/// On a VIM connector that is not the default one, escd makes no resources (ESC's rule): a
/// deployment's image, flavor and networks are then the VIM's own objects of those names.
///
/// A tenant's networks, subnets, routers, VMs, their ports and server groups are made in the
/// tenant's Keystone project, with a token scoped to it (escd's user is admin there); images,
/// flavors and volumes, which ESC does not give a tenant, stay in the connector's project. CPU
/// and memory metrics are Nova's server diagnostics (an admin API).
///
/// Not on this VIM (yet): VM snapshots and migration (kNotImplemented, which the callers
/// report): Nova's fake driver of the test plane stores no snapshot and has one host.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "vim/openstack/async_mutex.hpp"
#include "vim/openstack/cinder.hpp"
#include "vim/openstack/config_drive.hpp"
#include "vim/openstack/glance.hpp"
#include "vim/openstack/neutron.hpp"
#include "vim/openstack/nova.hpp"
#include "vim/openstack/ports.hpp"
#include "vim/openstack/projects.hpp"
#include "vim/openstack/routers.hpp"
#include "vim/openstack/server_poller.hpp"
#include "vim/openstack/servers.hpp"
#include "vim/openstack/session.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

struct OpenStackOptions {
    /// This escd installation (its database's escd.instance_id): the metadata that marks its
    /// servers, so that another escd's servers in the same project are never touched.
    std::string instance_id;
    /// How often the lifecycle loop lists the servers.
    std::chrono::milliseconds poll_period{2000};
    /// How long a server may take from create (or start, reboot) to ACTIVE.
    std::chrono::milliseconds boot_timeout{std::chrono::minutes(5)};
};

class OpenStackAdapter final : public Vim {
  public:
    /// `files`: where image and day-0 files are read (blocking file I/O stays off the caller's
    /// executor); `executor`: where the state poller runs.
    OpenStackAdapter(ApiClient& client,
                     Credentials credentials,
                     OpenStackOptions options,
                     asio::any_io_executor executor,
                     asio::thread_pool& files);
    ~OpenStackAdapter() override;

    std::string_view Kind() const noexcept override { return "openstack"; }

    asio::awaitable<std::string> CreateTenant(const TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;

    asio::awaitable<EnsuredNetwork> EnsureNetwork(const NetworkRequest& request) override;
    asio::awaitable<bool> HasNetwork(const std::string& internal_id) override;
    asio::awaitable<void> DeleteNetwork(const std::string& internal_id) override;

    asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) override;
    asio::awaitable<void> DeleteVolume(VolumeKind kind, const std::string& internal_id) override;

    asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) override;
    asio::awaitable<void> DeleteFlavor(const std::string& external_id) override;
    asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) override;
    asio::awaitable<void> DeleteRouter(const std::string& external_id) override;

    asio::awaitable<VmInfo> CreateVm(const VmRequest& request) override;
    asio::awaitable<void> DeleteVm(const std::string& name) override;
    asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> StartVm(const std::string& name) override;
    asio::awaitable<void> RebootVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) override;
    asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) override;
    asio::awaitable<std::vector<std::string>> ListVmNames() override;
    asio::awaitable<std::vector<std::string>> ListHosts() override;

    asio::awaitable<void> CreateVmSnapshot(const SnapshotRequest& request) override;
    asio::awaitable<void> RevertVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id,
                                           bool running) override;
    asio::awaitable<void> DeleteVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id) override;
    asio::awaitable<SnapshotVolume> CreateVolumeFromSnapshot(
        const SnapshotVolumeRequest& request) override;
    asio::awaitable<VmInfo> MigrateVm(const MigrationRequest& request) override;

    asio::awaitable<VimStatus> CheckStatus() override;
    asio::awaitable<VimStatus> Reconnect() override;
    bool SubscribeVmEvents(VmEventHandler handler) override;
    void Retire() override { poller_.Stop(); }

    /// REST calls made so far, and server lists among them (bench/openstack).
    std::uint64_t server_lists() const { return poller_.fetches(); }

  private:
    /// The server named `name` as last listed no earlier than `not_before`.
    asio::awaitable<std::optional<Server>> Listed(std::string name,
                                                  ServerPoller::Clock::time_point not_before);
    /// The server named `name`, freshly listed; kNotFound when there is none.
    asio::awaitable<Server> Require(std::string name);
    /// The id of the object named `name` in the list `collection` that GET `path` returns:
    /// what escd did not make itself (on a VIM that is not the default one, images, flavors and
    /// networks are the VIM's own, named as the deployment names them).
    asio::awaitable<std::optional<std::string>> IdByName(std::string service,
                                                         std::string path,
                                                         std::string collection,
                                                         std::string name);
    /// Neutron's id of escd's network `internal_id`: the one escd made, else the VIM's network
    /// of that name.
    asio::awaitable<std::string> NetworkId(std::string internal_id);
    asio::awaitable<std::string> FlavorRef(const VmRequest& request);
    /// CreateVm's one attempt, with the OpenStack ids this node remembers.
    asio::awaitable<VmInfo> CreateVmOnce(const VmRequest& request);
    /// Forgets the OpenStack ids `request` named through this node's memory (its image, flavor,
    /// networks, subnets and tenant's project); whether there were any.
    bool ForgetIdsOf(const VmRequest& request);
    /// Neutron's id of escd's subnet `subnet_internal_id` on network `network_id` as the last
    /// EnsureNetwork of that network found it; "" when unknown.
    std::string KnownSubnet(const std::string& network_id,
                            const std::string& subnet_internal_id) const;
    /// The port escd wants for `nic` (Neutron's network and subnet ids, escd's MAC and address).
    asio::awaitable<PortRequest> PortFor(std::string vm_name, VmNic nic);
    /// Runs `action` on the server and waits for `wanted`.
    asio::awaitable<void> Act(std::string name, std::string action, std::string wanted);
    /// Nova's id of server group `name` with `policy` in the project of `session`, made once
    /// even when the VMs of a group ask at the same time.
    asio::awaitable<std::string> ServerGroup(Session& session,
                                             std::string name,
                                             std::string policy);
    /// The session scoped to the Keystone project of escd's tenant `tenant_id` on this VIM, where
    /// its networks, routers, VMs and their ports and server groups are made; the connector's
    /// own session when escd has no project for it here (no tenant, or a VIM that is not the
    /// default one: escd makes no tenants there). One Keystone token per project.
    asio::awaitable<Session*> TenantSession(std::string tenant_id);
    /// The project of tenant `tenant_id` as last looked up ("" = none); nullopt if never.
    std::optional<std::string> KnownProject(const std::string& tenant_id) const;
    void Touch(const std::string& name);
    ServerPoller::Clock::time_point TouchedAt(const std::string& name) const;

    /// Around server group creation.
    AsyncMutex groups_lock_;
    /// The same around the first hosts list: the deployments placed at once share one call.
    AsyncMutex hosts_lock_;
    /// The same around a tenant's project lookup.
    AsyncMutex tenants_lock_;
    OpenStackOptions options_;
    asio::thread_pool& files_;
    ApiClient& client_;
    Session session_;
    Neutron neutron_;
    Nova nova_;
    Glance glance_;
    Cinder cinder_;
    Projects projects_;
    Ports ports_;
    openstack::Routers routers_;  // Neutron's routers (vim::Routers is the capability)
    Servers servers_;
    ServerPoller poller_;

    mutable std::mutex mutex_;
    std::map<std::string, std::string> networks_;  ///< escd id → Neutron id
    std::map<std::pair<std::string, std::string>, std::string> subnets_;  ///< (net, escd id)
    std::map<std::string, std::string> images_;                           ///< escd id → Glance id
    std::map<std::string, std::string> flavors_;                          ///< escd id → Nova id
    std::map<std::string, ServerPoller::Clock::time_point> touched_;  ///< VM name → last change
    std::optional<std::vector<std::string>> hosts_;
    std::map<std::string, std::string> server_groups_;  ///< name → Nova id
    /// escd tenant id → its Keystone project id on this VIM ("" = none: the connector's).
    std::map<std::string, std::string> tenant_projects_;
    std::map<std::string, std::unique_ptr<Session>> project_sessions_;  ///< by project id
};

}  // namespace escd::vim::openstack
