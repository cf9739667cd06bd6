#pragma once
/// @file
/// vim::Storage — images and volumes, the disks a VM boots from or a client keeps. A VM's day-0
/// config drive is not one of them: it travels in its VmRequest (compute.hpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

/// What a storage volume is for: part of its name on the VIM, and of DeleteVolume's key.
enum class VolumeKind {
    kImage,        ///< an image's disk, filled from a file
    kVolume,       ///< a client's volume: blank, or made from a VM snapshot
    kConfigDrive,  ///< a VM's day-0 drive (libvirt's own; never asked of Storage by escd)
    kVmDisk,       ///< a VM's ephemeral disk (libvirt's own, as the drive: VmRequest::disks)
};

/// "image", "volume", "day0": the text a backend names a volume of `kind` by.
constexpr std::string_view ToString(VolumeKind kind) noexcept {
    switch (kind) {
        case VolumeKind::kImage:
            return "image";
        case VolumeKind::kVolume:
            return "volume";
        case VolumeKind::kConfigDrive:
            return "day0";
        case VolumeKind::kVmDisk:
            return "disk";
    }
    return {};
}

/// A storage volume: a blank disk (`source_file` empty) or an image's disk filled from a local
/// file (a file:// source or a finished download). Images are put where every VM can boot from
/// them (on every host of a VIM whose hosts share no storage).
struct VolumeRequest {
    VolumeKind kind = VolumeKind::kVolume;
    std::string internal_id;
    std::string tenant_id;
    std::uint64_t capacity_bytes = 0;
    std::string format = "raw";  ///< qcow2, raw, ...
    std::string source_file;
};

class Storage {
  public:
    virtual ~Storage() = default;

    /// Creates the volume (replacing a leftover of an interrupted create of the same id) and
    /// fills it from request.source_file. On failure nothing of it is left on the VIM.
    virtual asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) = 0;
    /// Removes the volume of `kind`/`internal_id` (as created by CreateVolume, or for kVolume by
    /// Snapshots::CreateVolumeFromSnapshot); one that is gone already is a success.
    virtual asio::awaitable<void> DeleteVolume(VolumeKind kind, const std::string& internal_id) = 0;
};

}  // namespace escd::vim
