#pragma once
/// @file
/// vim::Adapter — the one interface the engine uses to act on a VIM (libvirt, OpenStack).
///
/// Calls are coroutines: an implementation whose client library blocks (libvirt) runs the call on
/// its own thread pool and resumes the caller on the caller's executor, so the engine may call it
/// from a strand. Errors are exceptions of the VIM's origin (escd::VimError, common/error.hpp):
/// kUnavailable when the VIM cannot be reached (retryable), kVimError when it refused or failed
/// the request, kNotFound when the object is gone; a connector that cannot be used as configured
/// is a ConfigurationError; a bug in escd a plain Error(kInternal).
/// Every create is idempotent on escd's internal id, so that an operation interrupted by a crash
/// can simply be run again (docs/decisions.md#vim-calls-are-idempotent-on-escds-ids).
///
/// Parameters are const references: the caller awaits each call at once, so its arguments
/// outlive the call (and g++ 12 mishandles by-value class parameters of coroutines awaited
/// inside a co_await expression: it may destroy them twice).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "common/error.hpp"

namespace escd::vim {

struct TenantRequest {
    std::string internal_id;
    std::string name;
    bool enabled = true;
};

/// One subnet of a network, as the VIM needs it (addresses already validated by the model).
struct SubnetDefinition {
    std::string internal_id;
    std::string cidr;     ///< "10.0.0.0/24"
    std::string gateway;  ///< "" when the subnet has none
    bool enable_dhcp = true;
    std::vector<std::pair<std::string, std::string>> pools;  ///< allocation pools (start, end)
};

/// A network with ALL its subnets: the VIM is told the whole wanted state, so that creating,
/// changing or deleting a subnet is one idempotent "make it so" on its network.
struct NetworkRequest {
    std::string internal_id;
    std::string tenant_id;
    std::string name;
    bool admin_state_up = true;  ///< false: defined but not started
    bool shared = false;
    std::vector<SubnetDefinition> subnets;
};

/// A storage volume: a blank disk (`source_file` empty) or an image's disk filled from a local
/// file (a file:// source or a finished download).
struct VolumeRequest {
    std::string kind;  ///< "volume", "image" or "day0" (a config drive): part of its name
    std::string internal_id;
    std::string tenant_id;
    std::uint64_t capacity_bytes = 0;
    std::string format = "raw";  ///< qcow2, raw, ...
    std::string source_file;
    /// The compute host whose storage holds it, on a VIM whose hosts do not share storage: a
    /// VM's config drive goes where the VM goes. "" = where the VIM keeps what no VM uses yet.
    /// Images are put on every host, whatever this says: a VM may be placed on any of them.
    std::string host{};
    /// A day-0 drive goes to the VIM of its VM: the VIM connector its group's locator names
    /// ("" = the default one).
    std::string vim_id{};
};

/// Flavors and routers: OpenStack has objects for them; a hypervisor like libvirt does not.
struct FlavorRequest {
    std::string internal_id;
    std::string name;
    int vcpus = 1;
    long long memory_mb = 0;
    long long root_disk_mb = 0;
    long long ephemeral_disk_mb = 0;
};

struct RouterRequest {
    std::string internal_id;
    std::string tenant_id;
    std::string name;
    bool admin_state = true;
    std::vector<std::string> subnet_external_ids;  ///< the interfaces
};

/// What a create reports: the VIM's id, and a note for the callback message when the VIM did
/// less than an OpenStack would (libvirt records flavors and routers without an object).
struct VimObject {
    std::string external_id;
    std::string note;
};

/// One NIC of a VM: on the VIM network of escd's network `network_id`.
struct VmNic {
    int nicid = 0;
    std::string network_id;  ///< escd's internal network id
    std::string mac;
    std::string model = "virtio";
    /// The address escd allocated ("" = none); a VIM that assigns addresses (Neutron) is told it,
    /// libvirt leaves it to the guest's day-0 configuration.
    std::string ip_address{};
    std::string subnet_id{};  ///< escd's internal subnet id of ip_address, "" = any
};

/// A VM to create (ids in the VIM object's metadata; the name is unique and escd's key).
struct VmRequest {
    std::string name;
    std::string deployment_id;
    std::string tenant_id;
    std::string vm_group;
    int vcpus = 1;
    long long memory_mb = 512;
    std::string image_id;  ///< escd's internal image id: the boot disk is its volume
    /// escd's internal flavor id ("" = none: vcpus and memory_mb say it all). libvirt reads
    /// vcpus and memory_mb; OpenStack boots the Nova flavor of this id.
    std::string flavor_id{};
    /// The VIM connector the VM's vm_group locator names ("" = the default VIM).
    std::string vim_id{};
    /// Affinity inside its vm_group: "affinity", "anti-affinity", "soft-affinity" or
    /// "soft-anti-affinity" ("" = none). escd places the VMs itself (`host`); a VIM that
    /// schedules (OpenStack) also gets the rule, as a server group of the deployment's group.
    std::string group_policy{};
    std::vector<VmNic> nics;
    std::string host;  ///< where to place it ("" = the VIM chooses)
    /// Attach the volume ("day0", name) as a second, read-only disk: the day-0 config drive.
    bool config_drive = false;
};

/// What the VIM says about a VM.
struct VmInfo {
    std::string uuid;
    std::string host;
    bool running = false;
};

/// A snapshot of a VM's state (disks as the VIM snapshots them, and memory when it runs). The VIM
/// object is named after escd's snapshot id, so a rerun finds it instead of taking another.
struct SnapshotRequest {
    std::string vm_name;
    std::string snapshot_id;
    std::string description;  ///< the client's name for it
};

/// A volume ("volume" kind, escd's `volume_id`) made from the disk a VM snapshot recorded.
struct SnapshotVolumeRequest {
    std::string vm_name;
    std::string snapshot_id;
    std::string volume_id;
    std::string tenant_id;
};

/// The volume a SnapshotVolumeRequest made.
struct SnapshotVolume {
    std::string external_id;
    std::uint64_t capacity_bytes = 0;
    std::string host;  ///< where it is kept
    std::string note;  ///< for the callback message, when the VIM did less than asked
};

enum class MigrationType {
    kLive,  ///< the guest keeps running while it moves
    kCold,  ///< the guest is shut down, moved, and started again if it ran
};

/// Moving a VM to another compute host of the same VIM.
struct MigrationRequest {
    std::string vm_name;
    std::string target_host;
    MigrationType type = MigrationType::kCold;
    /// Live only: copy the disks too, for hosts that share no storage ("auto" decides for the
    /// VIM, which escd maps to true when the hosts share none).
    bool block_migration = false;
    /// Cold only: whether the VM runs once moved (escd's record decides, not the VIM).
    bool running = true;
    /// Cold only: how long a running guest has to shut down before it is forced off.
    std::chrono::seconds grace{10};
};

/// A VM's counters, from which the monitor derives utilisation between two samples.
struct VmStats {
    std::uint64_t cpu_time_ns = 0;  ///< CPU time used by all its vCPUs since it started
    /// The VIM's own figure of the CPU in use now, in % (Nova's diagnostics give one): when
    /// present it is the CPU metric, else the rate of cpu_time_ns between two samples.
    std::optional<double> cpu_percent;
    int vcpus = 1;
    std::uint64_t memory_kb = 0;  ///< memory the guest has (current balloon)
    /// Memory the guest reports unused (balloon driver statistics); nullopt when the VIM or
    /// the guest gives none: utilisation is then the balloon against the maximum.
    std::optional<std::uint64_t> unused_kb;
    std::uint64_t max_memory_kb = 0;
    /// When the counters were read, stamped by the adapter where it reads them: a rate divides
    /// by the time between two samples, not by when the callers of an offloaded read resumed
    /// (which adds the pools' queueing to one interval and not the other).
    std::chrono::steady_clock::time_point sampled_at{};
};

/// What CheckStatus() reports about the connection to the VIM.
struct VimStatus {
    bool reachable = false;
    std::string message;  ///< "connected to test:///default", or why not
};

/// A service of the VIM that did not answer (connection refused, reset or timed out) or
/// answered that it is down for now (502, 503, 504 after the retries): the same call may succeed
/// once the service is back, unchanged. ErrorCode kUnavailable (503), like any unreachable VIM;
/// the type lets the engine tell such an outage from a VIM that refuses for good (no host to
/// place on, a server that never boots): a deployment operation that meets an outage is run
/// again later rather than failed (orchestrator/engine/engine.cpp).
class VimUnavailable : public VimError {
  public:
    /// `service` names the VIM's service for the client, e.g. "network service (Neutron)"; ""
    /// when the caller does not know it yet (the HTTP client: the session names it).
    VimUnavailable(std::string service, std::string message)
        : VimError(ErrorCode::kUnavailable, std::move(message)), service_(std::move(service)) {}
    const std::string& service() const noexcept { return service_; }

  private:
    std::string service_;
};

class Adapter {
  public:
    virtual ~Adapter() = default;

    /// "libvirt", "openstack".
    virtual std::string_view Kind() const noexcept = 0;

    /// Creates the VIM's tenant (project) and returns its external id. If a tenant for this
    /// internal id exists already, returns its id instead of creating a second one.
    virtual asio::awaitable<std::string> CreateTenant(const TenantRequest& request) = 0;
    virtual asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                               const TenantRequest& request) = 0;
    /// Deleting a tenant the VIM does not have is a success (the goal state holds).
    virtual asio::awaitable<void> DeleteTenant(const std::string& external_id) = 0;

    /// Creates the network, or makes the existing one (found by escd's id) match `request`,
    /// including its subnets. Returns the network's external id.
    virtual asio::awaitable<std::string> EnsureNetwork(const NetworkRequest& request) = 0;
    /// A subnet's external id on network `network_external_id` (stable for the same ids).
    virtual std::string SubnetExternalId(const std::string& network_external_id,
                                         const std::string& subnet_internal_id) const = 0;
    /// Whether the VIM has the network of escd's `internal_id` (reconciliation after a restart).
    virtual asio::awaitable<bool> HasNetwork(const std::string& internal_id) = 0;
    /// Removes the network; one that is gone already is a success.
    virtual asio::awaitable<void> DeleteNetwork(const std::string& internal_id) = 0;

    /// Creates the volume (replacing a leftover of an interrupted create of the same id) and
    /// fills it from request.source_file. On failure nothing of it is left on the VIM.
    virtual asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) = 0;
    /// Removes the volume of `kind`/`internal_id`; one that is gone already is a success.
    virtual asio::awaitable<void> DeleteVolume(const std::string& kind,
                                               const std::string& internal_id) = 0;

    virtual asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) = 0;
    virtual asio::awaitable<void> DeleteFlavor(const std::string& external_id) = 0;
    /// Creates or updates the router (interfaces and routes as requested).
    virtual asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) = 0;
    virtual asio::awaitable<void> DeleteRouter(const std::string& external_id) = 0;

    /// Creates and starts the VM; a VM of this name that exists already is started if needed and
    /// reported (a rerun after a crash never makes a second one).
    virtual asio::awaitable<VmInfo> CreateVm(const VmRequest& request) = 0;
    /// Stops (forcibly) and removes the VM; one that is gone already is a success.
    virtual asio::awaitable<void> DeleteVm(const std::string& name) = 0;
    /// Stops the VM: a graceful shutdown, forced after `grace`. A stopped VM is a success.
    virtual asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) = 0;
    /// Starts a stopped VM. A running VM is a success.
    virtual asio::awaitable<void> StartVm(const std::string& name) = 0;
    /// Restarts a running VM gracefully, as a Nova soft reboot does: the guest is asked to shut
    /// down (forced after `grace`) and started again. When it returns the guest is booting
    /// afresh, so what is seen alive afterwards is the rebooted guest. A stopped VM: kConflict.
    virtual asio::awaitable<void> RebootVm(const std::string& name, std::chrono::seconds grace) = 0;
    /// Adds a NIC to the VM, live when it runs and in its persistent definition. A NIC with
    /// this MAC that is there already is a success.
    virtual asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) = 0;
    /// Removes the NIC with MAC `mac`; one that is gone already is a success.
    virtual asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) = 0;
    /// The VM's state; nullopt when the VIM has no VM of that name.
    virtual asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) = 0;

    /// The VM's counters (CPU and memory metrics of KPIs); nullopt when the VIM has no VM of
    /// that name. kVimError when this VIM reports none.
    virtual asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) = 0;

    /// The names of every VM escd created on this VIM (found by escd's metadata), running or not.
    virtual asio::awaitable<std::vector<std::string>> ListVmNames() = 0;

    /// The compute hosts the VIM schedules onto (libvirt: the hypervisor's host name, or the
    /// names of the configured hosts).
    virtual asio::awaitable<std::vector<std::string>> ListHosts() = 0;

    // VM snapshots. kNotFound when the VM (or, for revert and volumes, the snapshot) is gone.
    /// Takes the snapshot; one of this id that exists already is a success.
    virtual asio::awaitable<void> CreateVmSnapshot(const SnapshotRequest& request) = 0;
    /// Brings the VM back to the snapshot, then running or shut off as `running` says.
    virtual asio::awaitable<void> RevertVmSnapshot(const std::string& vm_name,
                                                   const std::string& snapshot_id,
                                                   bool running) = 0;
    /// Removes the snapshot; one that is gone already (or whose VM is) is a success.
    virtual asio::awaitable<void> DeleteVmSnapshot(const std::string& vm_name,
                                                   const std::string& snapshot_id) = 0;
    /// A new volume holding the disk the snapshot recorded (replacing a leftover of an
    /// interrupted create of the same id). Removed again by DeleteVolume("volume", volume_id).
    virtual asio::awaitable<SnapshotVolume> CreateVolumeFromSnapshot(
        const SnapshotVolumeRequest& request) = 0;

    /// Moves the VM to request.target_host, with its config drive and snapshots; reports it
    /// there. A VM that is on the target already is a success (a rerun finishes a move cut by a
    /// crash). kNotImplemented when the VIM cannot migrate this way (live on the libvirt test
    /// driver); kNotFound for an unknown host; on any failure the VM stays where it was.
    virtual asio::awaitable<VmInfo> MigrateVm(const MigrationRequest& request) = 0;

    /// Whether the VIM answers now; never throws.
    virtual asio::awaitable<VimStatus> CheckStatus() = 0;
    /// Drops the connection and opens a new one; reports the outcome like CheckStatus().
    virtual asio::awaitable<VimStatus> Reconnect() = 0;

    /// Ends the adapter's background work (an OpenStack VIM's state polling): its connector was
    /// changed or removed. The object stays valid for calls still in flight.
    virtual void Retire() {}

    /// Called with a VM's name when the VIM reports it started (true) or stopped, crashed or
    /// removed (false). May be called on any thread.
    using VmEventHandler = std::function<void(const std::string& vm_name, bool running)>;
    /// Subscribes `handler` to the VIM's lifecycle events; false when this VIM delivers none
    /// (callers then poll GetVm).
    virtual bool SubscribeVmEvents(VmEventHandler handler) {
        (void)handler;
        return false;
    }
};

}  // namespace escd::vim
