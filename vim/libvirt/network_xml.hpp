#pragma once
/// @file
/// The libvirt network XML escd defines for a network and its subnets (pure; unit tested).
///
/// - Name `escd-<internal id>`, and <metadata> with escd's ids, so that escd finds its networks
///   again after a crash (the libvirt name is the lookup key; the metadata says whose it is).
/// - No <forward>: an isolated network. escd never bridges guests onto the host's uplinks.
/// - One <ip> per subnet with a gateway (the gateway is the host's address on the bridge); DHCP
///   ranges from the allocation pools on the first subnet of each address family that enables
///   DHCP (libvirt serves DHCP on one <ip> per family).
/// - No bridge name: libvirt picks a free virbrN.

#include <string>

#include "vim/vim.hpp"

namespace escd::vim::libvirt {

inline constexpr const char* kMetadataNs = "https://escd.dev/xmlns/vim-object/1";

std::string NetworkName(const std::string& internal_id);
std::string RenderNetworkXml(const NetworkRequest& request, const std::string& uuid);

}  // namespace escd::vim::libvirt
