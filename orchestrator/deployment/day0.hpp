#pragma once
/// @file
/// Day-0 configuration (a vm_group's config_data): variable substitution and the config drive
/// escd hands the VIM. Pure functions; unit tested.
///
/// Variables: `$NAME` or `${NAME}`, NAME of [A-Za-z0-9_]. Per interface n of the VM:
/// NICID_n_IP_ADDRESS, NICID_n_GATEWAY, NICID_n_NETMASK, NICID_n_MAC_ADDRESS, NICID_n_NETWORK;
/// then the configuration's own <variable><name>NAME</name><val>...</val></variable> (the first
/// val); then DEPLOYMENT_NAME, VM_NAME, VM_GROUP_NAME. An unknown `$NAME` is left as written
/// (a shell script's own variables survive).
///
/// The config drive is a POSIX ustar archive of the files (each configuration's <dst> as its
/// name) on a raw disk: the guest reads it with `tar -x -f /dev/vdb` (busybox has tar), no
/// filesystem tools needed on either side.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace escd::orchestrator::day0 {

/// Replaces every known variable of `text` by its value.
std::string Substitute(const std::string& text, const std::map<std::string, std::string>& values);

/// The ustar archive of `files` (name, content), padded to whole 512-byte blocks and ended by
/// the two zero blocks. Names longer than 100 bytes are refused (std::invalid_argument).
std::string TarArchive(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace escd::orchestrator::day0
