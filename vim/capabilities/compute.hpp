#pragma once
/// @file
/// vim::Compute — VMs: create, remove, stop, start, reboot, NICs, state, counters, list.
///
/// Preconditions a VmRequest states in its fields: its tenant (Tenants), its image (Storage,
/// VolumeKind::kImage), its flavor (Flavors, when it names one) and the networks of its NICs
/// (Networks) exist on the VIM. Its day-0 files are in the request itself: the backend makes the
/// VM's config drive inside CreateVm (libvirt: a read-only disk holding them; OpenStack: Nova's
/// config drive) and DeleteVm removes it with the VM; so too its ephemeral disks (VmDisk). A VM is
/// named by escd (VmRequest::name); every later call names it so.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

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

/// One file of a VM's day-0 configuration (a vm_group's config_data, variables substituted).
struct Day0File {
    std::string path;  ///< its name on the config drive (the configuration's <dst>)
    std::string content;
};

/// A blank writable disk of the VM's own (an ephemeral volume of its vm_group), made with it
/// and removed with it.
struct VmDisk {
    int volid = 0;  ///< its order among the VM's disks, and its name with the VM's
    std::uint64_t size_bytes = 0;
    std::string bus = "virtio";  ///< virtio, scsi, sata, ide
    std::string type{};          ///< the VIM's volume type ("" = its default)
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
    /// The VIM connector the VM's vm_group locator names ("" = the default VIM): where a router
    /// of several VIMs (vim/vim_router.hpp) creates it. A backend ignores it.
    std::string vim_id{};
    /// Affinity inside its vm_group: "affinity", "anti-affinity", "soft-affinity" or
    /// "soft-anti-affinity" ("" = none). escd places the VMs itself (`host`); a VIM that
    /// schedules (OpenStack) also gets the rule, as a server group of the deployment's group.
    std::string group_policy{};
    std::vector<VmNic> nics;
    std::string host;  ///< where to place it ("" = the VIM chooses)
    /// The VM's day-0 files; none = no config drive. The backend makes the drive (as a second,
    /// read-only disk on libvirt) where the VM is, replacing a leftover of an interrupted create.
    std::vector<Day0File> day0_files{};
    /// Its ephemeral disks, in volid order, attached after the config drive.
    std::vector<VmDisk> disks{};

    bool HasConfigDrive() const { return !day0_files.empty(); }
};

/// What the VIM says about a VM.
struct VmInfo {
    std::string uuid;
    std::string host;
    bool running = false;
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
    /// When the counters were read, stamped by the backend where it reads them: a rate divides
    /// by the time between two samples, not by when the callers of an offloaded read resumed
    /// (which adds the pools' queueing to one interval and not the other).
    std::chrono::steady_clock::time_point sampled_at{};
};

class Compute {
  public:
    virtual ~Compute() = default;

    /// Creates the VM with its config drive and starts it; a VM of this name that exists
    /// already is started if needed and reported (a rerun after a crash never makes a second).
    virtual asio::awaitable<VmInfo> CreateVm(const VmRequest& request) = 0;
    /// Stops (forcibly) and removes the VM with its config drive; one that is gone already is a
    /// success (and its drive, if a create was cut short before the VM was made, goes too).
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
    /// this MAC that is there already is a success. Its network exists (Networks).
    virtual asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) = 0;
    /// Removes the NIC with MAC `nic.mac`; one that is gone already is a success.
    virtual asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) = 0;
    /// The VM's state; nullopt when the VIM has no VM of that name.
    virtual asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) = 0;
    /// The VM's counters (CPU and memory metrics of KPIs); nullopt when the VIM has no VM of
    /// that name. kVimError when this VIM reports none.
    virtual asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) = 0;
    /// The names of every VM escd created on this VIM (found by escd's metadata), running or not.
    virtual asio::awaitable<std::vector<std::string>> ListVmNames() = 0;
};

}  // namespace escd::vim
