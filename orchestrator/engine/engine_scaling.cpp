// Scaling (docs/behaviour.md, "Scaling"): from a raised KPI event to a SCALE_OUT / SCALE_IN
// operation (deployment_scaling.cpp has the rules and the workflow). No scale starts in maintenance
// mode or while an operation runs on the deployment; a KPI that still holds afterwards is raised
// again after that operation (vm_monitor.hpp). After a failed scale, the group is left alone for
// kScaleHoldBack of the engine's clock (logged), not retried back to back.

#include "common/log.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {

// Parameters by value: the coroutine outlives the caller's strings.
asio::awaitable<void> Engine::ApplyKpiEvent(std::string deployment_id,
                                            std::string vm_name,
                                            std::string event,
                                            bool value) {
    auto latest = co_await operation_store_.LatestOperation(deployment_id);
    if (!latest) co_return;
    auto scale = co_await deployments_.ApplyKpiEvent(*latest, vm_name, event, value);
    if (!scale || stopping_) co_return;
    const auto kind = scale->out ? model::OperationKind::kScaleOut : model::OperationKind::kScaleIn;
    {
        std::lock_guard lock(scaling_mutex_);
        auto held = scaling_held_until_.find(deployment_id + "/" + scale->group);
        if (held != scaling_held_until_.end()) {
            if (clock_.now() < held->second) {
                ESCD_INFO("engine")
                    << event << " of VM " << vm_name << ": " << ToString(kind) << " of group "
                    << scale->group << " held back after a failed scale";
                co_return;
            }
            scaling_held_until_.erase(held);
        }
    }
    if (mode_.InMaintenance()) {
        ESCD_WARN("engine") << event << " of VM " << vm_name << ": " << ToString(kind)
                            << " of group " << scale->group
                            << " not started: escd is in maintenance mode";
        co_return;
    }
    const model::DeploymentAction action{.operation = scale->out ? "scale_out" : "scale_in",
                                         .vm_group = scale->group};
    auto op = co_await AcceptOwnOperation(kind, *latest, action);
    if (!op) {
        ESCD_INFO("engine") << event << " of VM " << vm_name << ": " << ToString(kind)
                            << " of group " << scale->group << " not started: an operation runs on "
                            << deployment_id;
        co_return;
    }
    ESCD_INFO("engine") << event << " of VM " << vm_name << ": " << ToString(kind) << " of group "
                        << scale->group << " of " << deployment_id
                        << " started, tx=" << op->transaction_id;
    Launch(std::move(*op));
}

void Engine::HoldBackScaling(const std::string& deployment_id, const std::string& group) {
    std::lock_guard lock(scaling_mutex_);
    scaling_held_until_[deployment_id + "/" + group] = clock_.now() + kScaleHoldBack;
    ESCD_WARN("engine") << "scaling of group " << group << " of " << deployment_id
                        << " failed: no other scale of it for " << kScaleHoldBack.count() << " s";
}

}  // namespace escd::orchestrator
