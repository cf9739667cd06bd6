#pragma once
/// @file
/// Day-0 files for a Nova config drive. On OpenStack, Nova builds the config drive itself from
/// the server's `personality` files, so CreateVm hands it the VM's day-0 files
/// (vim::VmRequest::day0_files) under absolute paths.

#include <string>
#include <utility>
#include <vector>

#include "vim/capabilities/compute.hpp"

namespace escd::vim::openstack {

using ConfigFiles = std::vector<std::pair<std::string, std::string>>;

/// `files` as Nova's personality wants them, in order: paths made absolute ("day0.cfg" →
/// "/day0.cfg").
ConfigFiles ConfigDriveFiles(const std::vector<Day0File>& files);

}  // namespace escd::vim::openstack
