#pragma once
/// @file
/// vim::Hosts — the compute hosts a VM may be placed on (VmRequest::host,
/// MigrationRequest::target_host name one of them).

#include <string>
#include <vector>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

class Hosts {
  public:
    virtual ~Hosts() = default;

    /// The compute hosts the VIM schedules onto (libvirt: the hypervisor's host name, or the
    /// names of the configured hosts).
    virtual asio::awaitable<std::vector<std::string>> ListHosts() = 0;
};

}  // namespace escd::vim
