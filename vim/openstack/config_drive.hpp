#pragma once
/// @file
/// Day-0 files for a Nova config drive. escd's engine writes a VM's day-0 files as a ustar archive
/// (the disk libvirt attaches as the config drive, orchestrator/deployment/day0.hpp); on OpenStack,
/// Nova builds the config drive itself from the server's `personality` files, so the adapter reads
/// the archive back into (path, content) pairs.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escd::vim::openstack {

using ConfigFiles = std::vector<std::pair<std::string, std::string>>;

/// The regular files of ustar `archive`, in order. Paths are made absolute ("day0.cfg" →
/// "/day0.cfg"), as Nova's personality requires. Throws Error(kBadRequest) for an archive that
/// is cut short or whose header checksum does not match.
ConfigFiles ConfigDriveFiles(std::string_view archive);

}  // namespace escd::vim::openstack
