#pragma once
/// @file
/// vim::Snapshots — snapshots of a VM's state, and volumes made from them. Every call names a VM
/// that Compute::CreateVm made; kNotFound when the VM (or, for revert and volumes, the snapshot)
/// is gone.

#include <cstdint>
#include <string>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

/// A snapshot of a VM's state (disks as the VIM snapshots them, and memory when it runs). The VIM
/// object is named after escd's snapshot id, so a rerun finds it instead of taking another.
struct SnapshotRequest {
    std::string vm_name;
    std::string snapshot_id;
    std::string description;  ///< the client's name for it
};

/// A volume (VolumeKind::kVolume, escd's `volume_id`) made from the disk a VM snapshot recorded.
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

class Snapshots {
  public:
    virtual ~Snapshots() = default;

    /// Takes the snapshot; one of this id that exists already is a success.
    virtual asio::awaitable<void> CreateVmSnapshot(const SnapshotRequest& request) = 0;
    /// Brings the VM back to the snapshot (made by CreateVmSnapshot), then running or shut off
    /// as `running` says.
    virtual asio::awaitable<void> RevertVmSnapshot(const std::string& vm_name,
                                                   const std::string& snapshot_id,
                                                   bool running) = 0;
    /// Removes the snapshot; one that is gone already (or whose VM is) is a success.
    virtual asio::awaitable<void> DeleteVmSnapshot(const std::string& vm_name,
                                                   const std::string& snapshot_id) = 0;
    /// A new volume holding the disk the snapshot recorded (replacing a leftover of an
    /// interrupted create of the same id). Removed again by Storage::DeleteVolume(kVolume,
    /// volume_id).
    virtual asio::awaitable<SnapshotVolume> CreateVolumeFromSnapshot(
        const SnapshotVolumeRequest& request) = 0;
};

}  // namespace escd::vim
