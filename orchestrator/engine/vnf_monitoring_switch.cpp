#include "orchestrator/engine/vnf_monitoring_switch.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::orchestrator {
namespace {
constexpr std::chrono::milliseconds kFirstEndLook{20};

// Real time, not the engine's clock: what is awaited is the database and another operation,
// not a timer the engine's tests drive.
asio::awaitable<void> PauseFor(std::chrono::milliseconds pause) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(pause);
    co_await timer.async_wait(asio::use_awaitable);
}
}  // namespace

asio::awaitable<bool> VnfMonitoringSwitch::MonitoringOn(std::string deployment, std::string vm) {
    const auto record = co_await stores_.deployments.GetVm(vm);
    if (!record || record->deployment_id != deployment)
        throw Error(ErrorCode::kNotFound, "VM " + vm + " of deployment " + deployment + " is gone");
    co_return record->monitoring;
}

asio::awaitable<std::string> VnfMonitoringSwitch::Start(const std::string& deployment,
                                                        const std::string& vm,
                                                        const std::string& operation,
                                                        const std::string& why,
                                                        std::chrono::milliseconds patience) {
    const auto started = std::chrono::steady_clock::now();
    model::DeploymentAction action{.operation = operation, .vm_name = vm, .trigger = why};
    for (bool said = false;; said = true) {
        const auto tx = co_await engine_.StartOwnVmOperation(deployment, action);
        if (tx) co_return *tx;
        co_await MonitoringOn(deployment, vm);  // throws when the VM is gone
        if (patience.count() > 0 && std::chrono::steady_clock::now() - started >= patience) {
            throw Error(ErrorCode::kConflict, "deployment " + deployment +
                                                  " stayed busy with another operation for " +
                                                  std::to_string(patience.count() / 1000) +
                                                  " s: cannot " + operation + " of VM " + vm);
        }
        if (!said) {
            ESCD_INFO("csm") << operation << " of VM " << vm << " (" << why
                             << ") waits for the operation running on " << deployment;
        }
        co_await PauseFor(kRetry);
    }
}

asio::awaitable<void> VnfMonitoringSwitch::Hold(std::string deployment,
                                                std::string vm,
                                                std::string why,
                                                std::chrono::milliseconds patience) {
    if (!co_await MonitoringOn(deployment, vm)) co_return;
    const auto tx = co_await Start(deployment, vm, "disable_monitoring", why, patience);
    auto pause = kFirstEndLook;
    for (;;) {
        const auto status = co_await stores_.operations.OperationEnd(tx);
        if (status) {
            if (*status != 200)
                throw Error(ErrorCode::kConflict, "disable_monitoring of VM " + vm +
                                                      " failed (status " + std::to_string(*status) +
                                                      ")");
            break;
        }
        co_await PauseFor(pause);
        pause = std::min(pause * 2, kRetry);
    }
    if (co_await MonitoringOn(deployment, vm))
        throw Error(ErrorCode::kConflict, "the monitoring of VM " + vm + " is on again");
}

asio::awaitable<void> VnfMonitoringSwitch::Release(std::string deployment,
                                                   std::string vm,
                                                   std::string why) {
    try {
        if (co_await MonitoringOn(deployment, vm)) co_return;
        co_await Start(deployment, vm, "enable_monitoring", why, std::chrono::milliseconds::zero());
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotFound) throw;
        ESCD_INFO("csm") << "VM " << vm << " of " << deployment
                         << " is gone: no monitoring to turn on again (" << why << ")";
    }
}

}  // namespace escd::orchestrator
