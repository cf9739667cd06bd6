#pragma once
/// @file
/// A VM's day-0 config drive on libvirt: a POSIX ustar archive of its day-0 files (each
/// configuration's <dst> as its name) on a raw disk, attached read-only as vdb. The guest reads
/// it with `tar -x -f /dev/vdb` (busybox has tar), no filesystem tools needed on either side.

#include <string>
#include <vector>

#include "vim/capabilities/compute.hpp"

namespace escd::vim::libvirt {

/// The ustar archive of `files`, padded to whole 512-byte blocks and ended by the two zero
/// blocks. Names longer than 99 bytes are refused (std::invalid_argument).
std::string TarArchive(const std::vector<Day0File>& files);

}  // namespace escd::vim::libvirt
