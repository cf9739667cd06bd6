#pragma once
/// @file
/// Private to vim/libvirt: one compute host of the libvirt adapter (a named hypervisor and the
/// adapter's connection to it), where a VM was found, and the blocking helpers that the
/// adapter's files share. Everything here runs on the VIM thread pool.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"
#include "vim/libvirt/libvirt_handles.hpp"

namespace escd::vim {

struct LibvirtAdapter::Host {
    Host(LibvirtAdapter& owner, std::string host_name, std::string host_uri, bool is_named)
        : adapter(owner), name(std::move(host_name)), uri(std::move(host_uri)), named(is_named) {}

    LibvirtAdapter& adapter;
    /// What escd calls the host. A configured name never changes; the single unnamed host takes
    /// the hypervisor's host name at its first connection and keeps it (set under the adapter's
    /// mutex_, read only after Ref() or EnsureAlive() returned, which took that mutex).
    std::string name;
    const std::string uri;
    const bool named;
    virConnectPtr connection = nullptr;  ///< under the adapter's mutex_
    int event_callback = -1;             ///< on `connection`, or -1; under the adapter's mutex_
};

/// A VM's domain and the host that holds it (host null: no host has a VM of that name).
struct LibvirtAdapter::Located {
    Host* host = nullptr;
    libvirt::ConnectionRef connection;
    libvirt::Domain domain;
};

namespace libvirt {

/// Throws Error(kVimError) with `what` and libvirt's last error of this thread.
[[noreturn]] inline void Fail(const std::string& what) {
    throw VimError(ErrorCode::kVimError, what + ": " + LastError());
}

/// The libvirt name of escd's snapshot `snapshot_id`.
std::string SnapshotName(const std::string& snapshot_id);
/// The libvirt name of escd's volume of `kind` ("image", "volume", "day0") and `internal_id`.
std::string VolumeName(VolumeKind kind, const std::string& internal_id);

/// The storage volume XML of volume `name` (the libvirt name) of `capacity` bytes in `format`.
std::string VolumeXml(const std::string& name, std::uint64_t capacity, const std::string& format);
/// A volume's capacity and format ("raw" when it names none): to make its twin or clone.
std::pair<std::uint64_t, std::string> ShapeOf(virStorageVolPtr volume);
/// Deletes volume `name` from `pool` when it is there: what an interrupted create or copy of it
/// left may be incomplete, so a rerun replaces it. Whether there was one.
bool DeleteStaleVolume(virStoragePoolPtr pool, const std::string& name);

/// Stops a running domain: a graceful shutdown (ACPI), forced after `grace`. A stopped domain
/// is left alone.
void StopDomain(virDomainPtr domain, const std::string& name, std::chrono::seconds grace);

/// Removes every snapshot of the domain (its metadata on drivers that keep the data in the
/// disks). Throws on failure.
void DeleteSnapshots(virDomainPtr domain, const std::string& name);

}  // namespace libvirt
}  // namespace escd::vim
