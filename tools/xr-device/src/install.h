// The install operations of IOS XR 64-bit (install add/activate/deactivate/remove/commit) and the
// reload they may cause. An operation is numbered, logged in the state dir, and runs in a
// detached background worker so that it outlives the session that started it.
#pragma once

#include <string>
#include <vector>

#include "session.h"

namespace xr {

void install_add(Session& s, const std::string& source, const std::vector<std::string>& files);
// args: package names, or "id" followed by install add operation ids.
void install_activate(Session& s, const std::vector<std::string>& args, bool deactivate);
void install_remove(Session& s, const std::vector<std::string>& args);
void install_remove_inactive(Session& s);
void install_commit(Session& s);
// hw_module: "hw-module location all reload" (admin plane) instead of "reload".
void reload_device(Session& s, bool hw_module);

// The reload itself: boots the pending activation if there is one, otherwise reverts to the
// committed software; marks the device down for reload_seconds, ends all sessions and runs
// reload_command. Runs in the calling (detached) process.
void do_reload(const Config& c);

// Called once when the machine the device runs on has booted (`--boot`, from a VM's init), before
// any login: finishes a reload whose reload_command rebooted the machine (its software is already
// in place), or treats a restart nobody asked for as a reload (pending activation applied, else
// uncommitted changes reverted, a running operation aborted); the uptime starts now (or at the
// end of the reload window), and the sessions of the previous boot are forgotten.
void boot_device(const Config& c);

}  // namespace xr
