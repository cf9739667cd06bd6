#pragma once
/// @file
/// The libvirt VIM: `test:///default` (in-process test driver, the embedded default) or a real
/// hypervisor such as `qemu:///system`. libvirt's API blocks, so every call runs on the VIM
/// thread pool given at construction.
///
/// How escd's resources map onto libvirt:
/// - Tenants: libvirt has none. The adapter keeps a record per internal id and answers with a
///   generated 32-hex external id (the shape of an OpenStack project id), after checking that the
///   hypervisor connection is alive, so that an unreachable VIM still fails a tenant create.
/// - Networks and their subnets: libvirt networks (network_xml.hpp), external id = libvirt UUID.
/// - Images and volumes: storage volumes `escd-image-<id>` / `escd-volume-<id>` in escd's own
///   storage pool (a directory pool, defined on first use); external id = the volume's key.
///   Image data is uploaded through a libvirt stream; a driver without upload (the test driver)
///   gets a volume of the right size and the callback says that it holds no data.
/// - Flavors and routers: no libvirt object; recorded by escd, with a name-derived UUID as the
///   external id, and the callback message says so.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "vim/adapter.hpp"

typedef struct _virConnect* virConnectPtr;
typedef struct _virStoragePool* virStoragePoolPtr;
typedef struct _virDomain* virDomainPtr;

namespace escd::vim {

class LibvirtAdapter final : public Adapter {
  public:
    struct Options {
        std::string uri = "test:///default";
        std::string storage_pool = "escd";  ///< escd's storage pool (created when missing)
        std::string storage_dir;            ///< its directory
        /// This escd installation's id (in each VM's metadata; ListVmNames lists only its own).
        std::string instance_id;
    };
    /// Does not connect; call Connect() (blocking) at start-up.
    LibvirtAdapter(Options options, asio::thread_pool& pool);
    ~LibvirtAdapter() override;

    /// Opens the connection. Blocking. Throws Error(kUnavailable) with libvirt's message.
    void Connect();

    // Adapter
    std::string_view Kind() const noexcept override { return "libvirt"; }
    asio::awaitable<std::string> CreateTenant(const TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;
    asio::awaitable<std::string> EnsureNetwork(const NetworkRequest& request) override;
    std::string SubnetExternalId(const std::string& network_external_id,
                                 const std::string& subnet_internal_id) const override;
    asio::awaitable<void> DeleteNetwork(const std::string& internal_id) override;
    asio::awaitable<bool> HasNetwork(const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) override;
    asio::awaitable<void> DeleteVolume(const std::string& kind,
                                       const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) override;
    asio::awaitable<void> DeleteFlavor(const std::string& external_id) override;
    asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) override;
    asio::awaitable<void> DeleteRouter(const std::string& external_id) override;
    asio::awaitable<VmInfo> CreateVm(const VmRequest& request) override;
    asio::awaitable<void> DeleteVm(const std::string& name) override;
    asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> StartVm(const std::string& name) override;
    asio::awaitable<void> RebootVm(const std::string& name) override;
    asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) override;
    /// virDomainGetInfo (CPU time, balloon) and, where the guest has a balloon driver,
    /// virDomainMemoryStats' "unused".
    asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) override;
    asio::awaitable<std::vector<std::string>> ListVmNames() override;
    asio::awaitable<std::vector<std::string>> ListHosts() override;
    asio::awaitable<VimStatus> CheckStatus() override;
    asio::awaitable<VimStatus> Reconnect() override;
    /// libvirt lifecycle events (STARTED, RESUMED: running; STOPPED, CRASHED, SUSPENDED: not),
    /// subscribed on every connection the adapter opens (libvirt_events.hpp runs the loop).
    bool SubscribeVmEvents(VmEventHandler handler) override;

    /// Whether libvirt at `uri` (another hypervisor than this adapter's) answers now: opens a
    /// read-only connection of its own on the VIM pool, checks it and closes it. For VIM
    /// connectors that name another libvirt URI. Never throws.
    asio::awaitable<VimStatus> CheckUri(const std::string& uri);

  private:
    struct Connection;
    /// Blocking: checks the connection, reconnecting once; throws kUnavailable.
    void EnsureAlive();
    /// EnsureAlive() on the VIM pool.
    asio::awaitable<void> CheckAlive();
    /// Blocking: EnsureAlive() as a status.
    VimStatus Status();
    /// Opens the connection and subscribes to its events. Under mutex_.
    void OpenLocked();
    /// Closes the connection (ending its subscription). Under mutex_.
    void CloseLocked();
    static int OnLifecycle(
        virConnectPtr conn, virDomainPtr domain, int event, int detail, void* opaque);
    /// Blocking: a counted reference to the live connection (see libvirt_handles.hpp).
    virConnectPtr Ref();
    /// Blocking: escd's storage pool, defined, built and started when missing.
    virStoragePoolPtr EscdPool(virConnectPtr conn);
    /// Blocking: EnsureNetwork / CreateVolume on the VIM thread.
    std::string EnsureNetworkNow(const NetworkRequest& request);
    VimObject CreateVolumeNow(const VolumeRequest& request);

    Options options_;
    const std::string& uri_ = options_.uri;
    asio::thread_pool& pool_;
    std::unique_ptr<Connection> connection_;
    std::mutex mutex_;
    std::map<std::string, std::string> tenants_;  ///< internal id -> external id
    std::mutex events_mutex_;
    VmEventHandler vm_events_;  ///< under events_mutex_
    int event_callback_ = -1;   ///< on connection_, or -1
};

}  // namespace escd::vim
