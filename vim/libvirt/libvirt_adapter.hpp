#pragma once
/// @file
/// The libvirt VIM: `test:///default` (in-process test driver, the embedded default) or a real
/// hypervisor such as `qemu:///system`, or several hypervisors as named compute hosts. libvirt's
/// API blocks, so every call runs on the VIM thread pool given at construction.
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
/// - VM snapshots: libvirt domain snapshots named `escd-<snapshot id>` (the client's name is the
///   description), so a rerun finds the one a first run took. A volume from a snapshot is a
///   clone (virStorageVolCreateXMLFrom) of the boot disk the snapshot's own definition records,
///   made on the VM's host. escd attaches every VM disk read-only (domain_xml.hpp), so that disk
///   still holds exactly what it held when the snapshot was taken: the clone is the snapshot's
///   disk. (A VIM whose guests write to their disks would need the snapshot's disk state itself,
///   e.g. an external snapshot's backing file.)
///
/// Several compute hosts (Options::hosts, config `[vim] hosts`): one connection per host. escd's
/// networks are defined on every host (with one UUID), as a cloud's networks span its hosts;
/// images are put in escd's pool on every host, since a VM may be placed on any; a config drive
/// (made by CreateVm from the request's day-0 files) lives on its VM's host and moves with it;
/// blank volumes go to the first host, volumes from snapshots to their VM's host; deleting a volume
/// removes it wherever it is. Every per-VM call finds the VM on whichever host holds it: a name →
/// host cache, filled by creates, lists and moves, is tried first and verified; on a miss every
/// host is asked. Lifecycle events are subscribed on every host; an event from a host that no
/// longer holds the VM (the source of a migration, stopping the copy it gives up) is dropped, so
/// monitoring sees only the VM's own.
///
/// Migration (MigrateVm): live through virDomainMigrate (a driver that cannot, such as the test
/// driver, answers kNotImplemented); cold as the VIM's honest move: the domain's definition read
/// from the source, the guest shut down there, defined (and started when it ran) on the target
/// with its config drive copied and its snapshots redefined, then removed from the source. Each
/// stage is checked on a rerun, so a move cut by a crash is finished rather than repeated.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vim/vim.hpp"

typedef struct _virConnect* virConnectPtr;
typedef struct _virStoragePool* virStoragePoolPtr;
typedef struct _virDomain* virDomainPtr;

namespace escd::vim {

class LibvirtAdapter final : public Vim {
  public:
    /// One compute host: the name escd shows for it (GET /v0/hosts/{name}/status, a VM's
    /// host_name) and the libvirt URI of its hypervisor.
    struct HostUri {
        std::string name;
        std::string uri;
    };
    struct Options {
        std::string uri = "test:///default";
        std::string storage_pool = "escd";  ///< escd's storage pool (created when missing)
        std::string storage_dir;            ///< its directory
        /// This escd installation's id (in each VM's metadata; ListVmNames lists only its own).
        std::string instance_id;
        /// Several named compute hosts, one connection each; the first keeps the blank volumes.
        /// Empty: one host, `uri`, named after its hypervisor's host name.
        std::vector<HostUri> hosts{};
    };
    /// Does not connect; call Connect() (blocking) at start-up.
    LibvirtAdapter(Options options, asio::thread_pool& pool);
    ~LibvirtAdapter() override;

    /// Opens the connection of every host. Blocking. Throws Error(kUnavailable) with libvirt's
    /// message when one cannot be opened (the others stay open).
    void Connect();

    // Vim
    std::string_view Kind() const noexcept override { return "libvirt"; }
    asio::awaitable<std::string> CreateTenant(const TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;
    /// A subnet's external id is derived from its network's UUID and escd's id (stable).
    asio::awaitable<EnsuredNetwork> EnsureNetwork(const NetworkRequest& request) override;
    asio::awaitable<void> DeleteNetwork(const std::string& internal_id) override;
    asio::awaitable<bool> HasNetwork(const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) override;
    asio::awaitable<void> DeleteVolume(VolumeKind kind, const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) override;
    asio::awaitable<void> DeleteFlavor(const std::string& external_id) override;
    asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) override;
    asio::awaitable<void> DeleteRouter(const std::string& external_id) override;
    /// Makes the config drive (config_drive.hpp) on the VM's host before defining the VM.
    asio::awaitable<VmInfo> CreateVm(const VmRequest& request) override;
    /// Removes the VM's snapshots and config drive with it.
    asio::awaitable<void> DeleteVm(const std::string& name) override;
    asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> StartVm(const std::string& name) override;
    asio::awaitable<void> RebootVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) override;
    /// virDomainGetInfo (CPU time, balloon) and, where the guest has a balloon driver,
    /// virDomainMemoryStats' "unused".
    asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) override;
    asio::awaitable<std::vector<std::string>> ListVmNames() override;
    /// The configured names of the hosts that answer (kUnavailable when none does); with one
    /// unnamed host, its hypervisor's host name.
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
    /// Reachable when every host answers.
    asio::awaitable<VimStatus> CheckStatus() override;
    asio::awaitable<VimStatus> Reconnect() override;
    /// libvirt lifecycle events (STARTED, RESUMED: running; STOPPED, CRASHED, SUSPENDED: not),
    /// subscribed on every connection the adapter opens (libvirt_events.hpp runs the loop).
    bool SubscribeVmEvents(VmEventHandler handler) override;

    /// Whether libvirt at `uri` (another hypervisor than this adapter's) answers now: opens a
    /// read-only connection of its own on the VIM pool, checks it and closes it. For VIM
    /// connectors that name another libvirt URI. Never throws.
    asio::awaitable<VimStatus> CheckUri(const std::string& uri);

    /// The hosts whose hypervisor has a domain named `vm_name`, asked directly (no cache).
    /// Blocking; for tests, since a custom test-driver instance is private to its connection.
    std::vector<std::string> HostsOfVmForTest(const std::string& vm_name);
    /// The hosts whose escd pool has volume `kind`/`internal_id`. Blocking; for tests.
    std::vector<std::string> HostsOfVolumeForTest(VolumeKind kind, const std::string& internal_id);
    /// The libvirt names of the snapshots of `vm_name`, wherever it is. Blocking; for tests.
    std::vector<std::string> SnapshotsOfVmForTest(const std::string& vm_name);

  private:
    struct Host;     // libvirt_host.hpp
    struct Located;  // libvirt_host.hpp

    Host& DefaultHost() { return *hosts_.front(); }
    /// The host named `name`, or nullptr.
    Host* FindHost(const std::string& name);
    /// Blocking: checks the host's connection, reconnecting once; throws kUnavailable.
    void EnsureAlive(Host& host);
    /// EnsureAlive() of every host on the VIM pool.
    asio::awaitable<void> CheckAlive();
    /// Blocking: EnsureAlive() of every host as a status.
    VimStatus Status();
    /// Opens the host's connection and subscribes to its events. Under mutex_.
    void OpenLocked(Host& host);
    /// Closes the host's connection (ending its subscription). Under mutex_.
    void CloseLocked(Host& host);
    /// Subscribes the open connection of `host` to lifecycle events. Under mutex_.
    bool SubscribeLocked(Host& host);
    static int OnLifecycle(
        virConnectPtr conn, virDomainPtr domain, int event, int detail, void* opaque);
    /// Blocking: a counted reference to the host's live connection (see libvirt_handles.hpp).
    virConnectPtr Ref(Host& host);

    /// Blocking: the VM's domain and host (host null when no host has it). Throws kUnavailable
    /// when it is on no host that answered and some host did not answer.
    Located Locate(const std::string& vm_name);
    /// Locate() that throws kNotFound when no host has the VM.
    Located FindVm(const std::string& vm_name);
    /// The name → host cache (placement_mutex_ only: the event thread reads it, and no libvirt
    /// call is ever made under it).
    void Remember(const std::string& vm_name, Host& host);
    void Forget(const std::string& vm_name);
    Host* Remembered(const std::string& vm_name);
    /// Blocking: the VM's state as VmInfo, host name included.
    static VmInfo InfoOf(const Host& host, virDomainPtr domain);

    /// Blocking: escd's storage pool on a connection, defined, built and started when missing.
    virStoragePoolPtr EscdPool(virConnectPtr conn);
    /// Blocking: EnsureNetwork / CreateVolume on the VIM thread.
    EnsuredNetwork EnsureNetworkNow(const NetworkRequest& request);
    VimObject CreateVolumeNow(const VolumeRequest& request);
    /// Blocking: creates the volume in escd's pool of one host, filled from request.source_file
    /// or else from `contents` (a config drive).
    VimObject CreateVolumeOn(Host& host,
                             const VolumeRequest& request,
                             std::string_view contents = {});
    /// Blocking: CreateVm's config drive, made on `host` (replacing a leftover).
    void MakeConfigDrive(Host& host, const VmRequest& request);
    /// Blocking: CreateVm's blank ephemeral disks, made on `host` (replacing leftovers).
    void MakeDisks(Host& host, const VmRequest& request);
    /// Blocking: removes VM `name`'s config drive and the volumes `disks` from every host.
    void DeleteOwnVolumes(const std::string& name, const std::vector<std::string>& disks);
    /// Blocking: the names of escd's volumes on the host that start with `prefix`.
    std::vector<std::string> VolumesStartingWith(Host& host, const std::string& prefix);
    /// Blocking: makes escd's volume `volume_name` exist on `to` with what it holds on `from`
    /// (streamed from one to the other where the driver can; else of the same size and format,
    /// and logged as holding no data). False when `from` has no such volume.
    bool CopyVolume(Host& from, Host& to, const std::string& volume_name);
    /// Blocking: removes escd's volume `volume_name` from the host's pool; gone is a success.
    void DeleteVolumeOn(Host& host, const std::string& volume_name);
    /// Blocking: whether the host's pool has escd's volume `volume_name`.
    bool HasVolumeOn(Host& host, const std::string& volume_name);
    /// Blocking: the moves of MigrateVm (libvirt_migration.cpp).
    VmInfo MoveCold(Located& source, Host& target, const MigrationRequest& request);
    VmInfo MoveLive(Located& source, Host& target, const MigrationRequest& request);
    /// Blocking: the volumes of VM `vm_name`'s own (its config drive, the ephemeral disks
    /// `domain_xml` names) that `from` has, copied to `to` (CopyVolume); what was copied.
    std::vector<std::string> CopyOwnVolumes(Host& from,
                                            Host& to,
                                            const std::string& vm_name,
                                            const std::string& domain_xml);
    /// Blocking: a finished move's last stage: the copies the target does not need any more,
    /// the VM's `volumes` among them.
    void RemoveSource(Located& source,
                      const std::string& vm_name,
                      const std::vector<std::string>& volumes);

    Options options_;
    asio::thread_pool& pool_;
    std::vector<std::unique_ptr<Host>> hosts_;    ///< fixed after construction; [0] the default
    std::mutex mutex_;                            ///< the hosts' connections
    std::map<std::string, std::string> tenants_;  ///< internal id -> external id; under mutex_
    std::mutex events_mutex_;
    VmEventHandler vm_events_;  ///< under events_mutex_
    std::mutex placement_mutex_;
    std::map<std::string, Host*> placement_;  ///< VM name -> the host last seen holding it
};

}  // namespace escd::vim
