#pragma once
/// @file
/// vim::Migration — moving a VM that Compute::CreateVm made to another of the VIM's hosts
/// (Hosts::ListHosts names them).

#include <chrono>
#include <string>

#include "vim/capabilities/common.hpp"
#include "vim/capabilities/compute.hpp"

namespace escd::vim {

enum class MigrationType {
    kLive,  ///< the guest keeps running while it moves
    kCold,  ///< the guest is shut down, moved, and started again if it ran
};

/// Moving a VM to another compute host of the same VIM.
struct MigrationRequest {
    std::string vm_name;
    std::string target_host;
    MigrationType type = MigrationType::kCold;
    /// Live only: copy the disks too, for hosts that share no storage ("auto" decides for the
    /// VIM, which escd maps to true when the hosts share none).
    bool block_migration = false;
    /// Cold only: whether the VM runs once moved (escd's record decides, not the VIM).
    bool running = true;
    /// Cold only: how long a running guest has to shut down before it is forced off.
    std::chrono::seconds grace{10};
};

class Migration {
  public:
    virtual ~Migration() = default;

    /// Moves the VM to request.target_host, with its config drive and snapshots; reports it
    /// there. A VM that is on the target already is a success (a rerun finishes a move cut by a
    /// crash). kNotImplemented when the VIM cannot migrate this way (live on the libvirt test
    /// driver); kNotFound for an unknown host; on any failure the VM stays where it was.
    virtual asio::awaitable<VmInfo> MigrateVm(const MigrationRequest& request) = 0;
};

}  // namespace escd::vim
