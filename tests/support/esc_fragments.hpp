#pragma once
// Pieces of ESC documents and of their expected callbacks that the engine, integration and
// OpenStack tests share, so that a test of the same behaviour on another stack asks for and
// expects exactly the same thing.

#include <string>
#include <vector>

namespace escd::test {

/// A VM_ALIVE KPI pinging nicid 0 every second (ICMPPing): alive after one answered poll, down
/// after two unanswered ones.
std::string IcmpAliveKpi();

/// The stages of a recovery that reboots the VM once, redeploys it VM_RECOVERY_RETRY_MAX (2)
/// times and then gives up (docs/behaviour.md, "Recovery").
std::vector<std::string> RecoveryGivenUpStages();

/// Expects `body`, a VM_RECOVERY_DEPLOYED callback, to report the VM as it was and as it is:
/// `old_uuid` as the source, a new uuid as the target, the target keeping `address`.
void ExpectRedeployedKeepingAddress(const std::string& body,
                                    const std::string& old_uuid,
                                    const std::string& address);

}  // namespace escd::test
