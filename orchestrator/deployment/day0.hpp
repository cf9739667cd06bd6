#pragma once
/// @file
/// Day-0 configuration (a vm_group's config_data): variable substitution in the files escd hands
/// the VIM with the VM (vim::VmRequest::day0_files; the backend makes the config drive). Pure
/// functions; unit tested.
///
/// Variables: `$NAME` or `${NAME}`, NAME of [A-Za-z0-9_]. Per interface n of the VM:
/// NICID_n_IP_ADDRESS, NICID_n_GATEWAY, NICID_n_NETMASK, NICID_n_MAC_ADDRESS, NICID_n_NETWORK;
/// then the configuration's own <variable><name>NAME</name><val>...</val></variable> (the first
/// val); then DEPLOYMENT_NAME, VM_NAME, VM_GROUP_NAME. An unknown `$NAME` is left as written
/// (a shell script's own variables survive).

#include <map>
#include <string>

#include "model/vm_record.hpp"

namespace escd::orchestrator::day0 {

/// Replaces every known variable of `text` by its value.
std::string Substitute(const std::string& text, const std::map<std::string, std::string>& values);

/// The values of VM `vm` of deployment `deployment_name` that every file of its day-0
/// configuration gets: those of its interfaces, DEPLOYMENT_NAME, VM_NAME, VM_GROUP_NAME (a
/// configuration adds its own variables).
std::map<std::string, std::string> VmValues(const std::string& deployment_name,
                                            const model::VmRecord& vm);

}  // namespace escd::orchestrator::day0
