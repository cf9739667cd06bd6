#pragma once
/// @file
/// The monitoring of escd's VNFs while an install job reloads them (docs/csm.md, "Install jobs
/// on escd's VNFs"): the narrow side of the engine the install runner needs. A device that
/// reloads for its job is expected to stop answering; the monitor must not take that for a
/// failure and recover (reboot, redeploy) the VM in the middle of its upgrade.
///
/// The switch is escd's own `disable_monitoring` / `enable_monitoring` VM operation, accepted
/// like a client's (durably, one operation at a time per deployment) and reported to the
/// deployment's clients with ESC's events (VM_DISABLE_MONITORING_COMPLETE,
/// VM_ENABLE_MONITORING_COMPLETE, then VM_ALIVE once the VM proves alive, or its recovery).

#include <chrono>
#include <string>

#include "common/asio.hpp"

namespace escd::orchestrator::csm {

class VnfMonitoring {
  public:
    virtual ~VnfMonitoring() = default;

    /// Whether the monitoring of VM `vm` of deployment `deployment` is on now.
    /// Throws Error(kNotFound) when the VM is gone.
    virtual asio::awaitable<bool> MonitoringOn(std::string deployment, std::string vm) = 0;
    /// Turns it off, for `why` (logged); returns once the operation ended and the monitoring is
    /// off. Off already: nothing is done. Throws Error when it cannot be turned off: the VM is
    /// gone (kNotFound), another operation keeps the deployment busy for longer than
    /// `patience` (kConflict), or the operation failed.
    virtual asio::awaitable<void> Hold(std::string deployment,
                                       std::string vm,
                                       std::string why,
                                       std::chrono::milliseconds patience) = 0;
    /// Turns it on again, for `why`; returns once the operation is accepted (committed: it runs,
    /// or resumes after a crash). The VM then has its bootup_time to prove alive, else recovery
    /// follows its policy. A deployment busy with another operation is waited for; a VM that is
    /// gone has nothing to release.
    virtual asio::awaitable<void> Release(std::string deployment,
                                          std::string vm,
                                          std::string why) = 0;
};

}  // namespace escd::orchestrator::csm
