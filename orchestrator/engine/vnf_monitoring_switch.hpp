#pragma once
/// @file
/// csm::VnfMonitoring (orchestrator/csm/vnf_monitoring.hpp) on the engine: the monitoring of a
/// VNF switched by escd's own disable_monitoring / enable_monitoring VM operations
/// (Engine::StartOwnVmOperation), their ends read from the operations table, so that a switch
/// another node runs (it took the deployment over) is awaited the same way.

#include <chrono>
#include <string>

#include "model/stores/stores.hpp"
#include "orchestrator/csm/vnf_monitoring.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {

class VnfMonitoringSwitch final : public csm::VnfMonitoring {
  public:
    VnfMonitoringSwitch(Engine& engine, const model::Stores& stores)
        : engine_(engine), stores_(stores) {}

    asio::awaitable<bool> MonitoringOn(std::string deployment, std::string vm) override;
    asio::awaitable<void> Hold(std::string deployment,
                               std::string vm,
                               std::string why,
                               std::chrono::milliseconds patience) override;
    asio::awaitable<void> Release(std::string deployment, std::string vm, std::string why) override;

    /// How often a busy deployment is asked again, and the longest pause between two looks at
    /// a running switch's end (the first look comes sooner: a switch with nothing to wait for
    /// ends within milliseconds).
    static constexpr std::chrono::milliseconds kRetry{1000};

  private:
    /// Accepts and launches `operation` on the VM, asking again every kRetry while the
    /// deployment is busy, for at most `patience` (for ever when zero): its transaction id.
    asio::awaitable<std::string> Start(const std::string& deployment,
                                       const std::string& vm,
                                       const std::string& operation,
                                       const std::string& why,
                                       std::chrono::milliseconds patience);

    Engine& engine_;
    const model::Stores& stores_;
};

}  // namespace escd::orchestrator
