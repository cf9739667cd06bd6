#pragma once
/// @file
/// vim::Flavors — VM sizes. OpenStack has objects for them (Nova flavors); a hypervisor like
/// libvirt records them without an object, and says so in the note of what it reports.

#include <string>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

struct FlavorRequest {
    std::string internal_id;
    std::string name;
    int vcpus = 1;
    long long memory_mb = 0;
    long long root_disk_mb = 0;
    long long ephemeral_disk_mb = 0;
};

class Flavors {
  public:
    virtual ~Flavors() = default;

    /// Creates the flavor; one of escd's id that exists already is reported, not made twice.
    virtual asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) = 0;
    /// `external_id`: what CreateFlavor reported. Gone already is a success.
    virtual asio::awaitable<void> DeleteFlavor(const std::string& external_id) = 0;
};

}  // namespace escd::vim
