#include "orchestrator/vm_monitor.hpp"

#include "common/ip_network.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/resource.hpp"
#include "model/xml/deployment_docs.hpp"
#include "model/xml/deployment_xml.hpp"
#include "orchestrator/alive_check.hpp"

namespace escd::orchestrator {

struct VmMonitor::Watch {
    Watch(asio::io_context& ioc, std::string deployment_id, std::string vm_name)
        : deployment(std::move(deployment_id)),
          vm(std::move(vm_name)),
          strand(asio::make_strand(ioc)),
          timer(strand) {}

    std::string deployment;
    std::string vm;
    std::optional<asio::ip::address> address;  ///< pinged; none: watched through the VIM
    model::KpiSpec kpi;
    std::string identity;  ///< what a Sync compares to keep a watch and its counters
    bool poll_vim = false;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    // On `strand` only.
    int holding = 0;
    int failing = 0;
    std::optional<bool> raised;
    bool stopped = false;
};

VmMonitor::VmMonitor(asio::io_context& ioc,
                     model::Store& store,
                     asio::thread_pool& db_pool,
                     vim::Adapter& vim,
                     IcmpPinger& pinger)
    : ioc_(ioc), store_(store), db_pool_(db_pool), vim_(vim), pinger_(pinger) {}

VmMonitor::~VmMonitor() {
    Stop();
}

void VmMonitor::Stop() {
    std::map<std::string, std::shared_ptr<Watch>> watches;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        watches.swap(watches_);
    }
    for (auto& [name, watch] : watches) {
        asio::post(watch->strand, [watch] {
            watch->stopped = true;
            watch->timer.cancel();
        });
    }
}

void VmMonitor::Sync(const std::string& deployment_id) {
    asio::co_spawn(
        ioc_, Load(deployment_id),
        log::LogFailure(log::Level::kWarn, "monitor", "cannot watch the VMs of " + deployment_id));
}

void VmMonitor::Start() {
    vim_events_ = vim_.SubscribeVmEvents(
        [this](const std::string& vm_name, bool running) { VimEvent(vm_name, running); });
    ESCD_INFO("monitor") << (vim_events_ ? "VIM lifecycle events subscribed"
                                         : "the VIM delivers no lifecycle events: polling it");
    SyncAll();
}

void VmMonitor::SyncAll() {
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
            auto deployments = co_await Offload(db_pool_, [this] {
                return store_.ListResources(model::kind::kDeployment, std::nullopt);
            });
            for (const auto& deployment : deployments) Sync(deployment.internal_id);
        },
        asio::detached);
}

asio::awaitable<void> VmMonitor::Load(std::string deployment_id) {
    auto [record, service, vms] = co_await Offload(db_pool_, [this, &deployment_id] {
        return std::make_tuple(store_.GetResource(model::kind::kDeployment, deployment_id),
                               store_.GetServiceState(deployment_id),
                               store_.ListVms(deployment_id));
    });
    std::map<std::string, std::shared_ptr<Watch>> wanted;
    // A service in error waits for its undeploy, a stopped one for its start: neither watched.
    const bool serving =
        service == model::ServiceState::kActive || service == model::ServiceState::kInert;
    if (record && serving) {
        const auto spec = model::xml::DeploymentSpecFromStored(record->spec, deployment_id);
        const bool vim_events = vim_events_;
        for (const auto& vm : vms) {
            const bool watched = vm.monitoring && (vm.state == model::VmState::kAlive ||
                                                   vm.state == model::VmState::kInert);
            if (!watched) continue;
            auto watch = std::make_shared<Watch>(ioc_, deployment_id, vm.vm_name);
            for (const auto& group : spec.vm_groups) {
                if (group.name != vm.vm_group) continue;
                for (const auto& kpi : group.kpis) {
                    if (kpi.event_name != "VM_ALIVE" || kpi.collector_type != "ICMPPing") continue;
                    watch->kpi = kpi;
                    for (const auto& nic : model::xml::InterfacesFromStored(vm.interfaces)) {
                        if (nic.nicid != kpi.nicid) continue;
                        auto ip = ParseIp(nic.ip_address);
                        if (ip && pinger_.available() && pinger_.Allows(*ip)) {
                            watch->address = ip;
                        } else {
                            ESCD_INFO("monitor")
                                << "VM " << vm.vm_name << ": " << nic.ip_address
                                << " is not pinged (outside monitor.allowed_cidrs, or no ICMP "
                                   "socket); watched through the VIM only";
                        }
                    }
                    break;
                }
            }
            watch->poll_vim = !watch->address && !vim_events;
            if (!watch->address) {
                // The VIM's word is final: no debouncing.
                watch->kpi.occurrences_true = 1;
                watch->kpi.occurrences_false = 1;
            }
            watch->identity = (watch->address ? watch->address->to_string() : "vim") + "/" +
                              std::to_string(PollPeriod(watch->kpi).count()) + "/" +
                              watch->kpi.metric_cond + watch->kpi.metric_value + "/" +
                              std::to_string(watch->kpi.occurrences_true) + "/" +
                              std::to_string(watch->kpi.occurrences_false) +
                              (watch->kpi.continuous_alarm ? "/c" : "");
            // What the engine last decided is where the KPI starts: no VM_ALIVE again for a VM
            // that is alive, a first one for a VM that is not.
            if (vm.state == model::VmState::kAlive) watch->raised = true;
            wanted.emplace(vm.vm_name, std::move(watch));
        }
    }

    std::vector<std::shared_ptr<Watch>> started;
    std::vector<std::shared_ptr<Watch>> ended;
    std::vector<std::pair<std::shared_ptr<Watch>, std::optional<bool>>> kept;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) co_return;
        for (auto it = watches_.begin(); it != watches_.end();) {
            auto& [name, watch] = *it;
            auto next = wanted.find(name);
            if (watch->deployment != deployment_id ||
                (next != wanted.end() && next->second->identity == watch->identity)) {
                if (next != wanted.end()) {
                    kept.emplace_back(watch, next->second->raised);  // with its counters
                    wanted.erase(next);
                }
                ++it;
                continue;
            }
            ended.push_back(watch);
            it = watches_.erase(it);
        }
        for (auto& [name, watch] : wanted) {
            watches_[name] = watch;
            started.push_back(watch);
        }
    }
    for (auto& watch : ended) {
        asio::post(watch->strand, [watch] {
            watch->stopped = true;
            watch->timer.cancel();
        });
    }
    for (auto& watch : started) asio::co_spawn(watch->strand, Poll(watch), asio::detached);
    // A kept watch starts again from what the engine last decided. A verdict the engine dropped
    // (an operation was running; escd was in maintenance) is then raised again by the next
    // poll, and a VIM-only watch, which does not poll, looks once more.
    for (auto& [watch, raised] : kept) {
        asio::post(watch->strand, [this, watch, raised] {
            if (watch->stopped || watch->raised == raised) return;
            watch->raised = raised;
            if (OnceOnly(*watch)) asio::co_spawn(watch->strand, Check(watch), asio::detached);
        });
    }
    if (!started.empty() || !ended.empty()) {
        ESCD_DEBUG("monitor") << deployment_id << ": " << started.size() << " watch(es) started, "
                              << ended.size() << " ended";
    }
}

asio::awaitable<void> VmMonitor::Poll(std::shared_ptr<Watch> watch) {
    const auto period = watch->address ? std::chrono::milliseconds(PollPeriod(watch->kpi))
                                       : std::chrono::milliseconds(kVimPollPeriod);
    // A VIM-only watch on a VIM with events asks once, at its start: an event may have come
    // before the watch did (a VM restored at start-up); events do the rest.
    if (OnceOnly(*watch)) {
        co_await Check(watch);
        co_return;
    }
    while (!watch->stopped) {
        watch->timer.expires_after(period);
        co_await watch->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (watch->stopped) break;
        co_await Check(watch);
    }
}

bool VmMonitor::OnceOnly(const Watch& watch) {
    return !watch.address && !watch.poll_vim;
}

asio::awaitable<void> VmMonitor::Check(std::shared_ptr<Watch> watch) {
    bool holds = false;
    try {
        if (watch->address) {
            const int value =
                co_await IcmpPollValue(pinger_, *watch->address, PollTimeout(watch->kpi));
            holds = MetricHolds(value, watch->kpi.metric_cond, watch->kpi.metric_value);
        } else {
            const auto& name = watch->vm;
            auto info = co_await vim_.GetVm(name);
            holds = info && info->running;
        }
    } catch (const std::exception& e) {
        // Neither a ping nor the VIM can say: no verdict this round.
        ESCD_DEBUG("monitor") << "VM " << watch->vm << ": poll failed: " << e.what();
        co_return;
    }
    if (watch->stopped) co_return;
    if (holds) {
        watch->failing = 0;
        if (++watch->holding >= std::max(1, watch->kpi.occurrences_true)) Raise(*watch, true);
    } else {
        watch->holding = 0;
        if (++watch->failing >= std::max(1, watch->kpi.occurrences_false)) Raise(*watch, false);
    }
}

void VmMonitor::Raise(Watch& watch, bool alive) {
    if (watch.raised == alive && !(alive && watch.kpi.continuous_alarm)) return;
    watch.raised = alive;
    ESCD_INFO("monitor") << "VM " << watch.vm << ": VM_ALIVE KPI " << (alive ? "TRUE" : "FALSE");
    if (handler_) handler_(watch.deployment, watch.vm, alive);
}

void VmMonitor::VimEvent(const std::string& vm_name, bool running) {
    std::shared_ptr<Watch> watch;
    {
        std::lock_guard lock(mutex_);
        auto it = watches_.find(vm_name);
        if (it == watches_.end()) return;  // not watched: an operation of escd's own, or unknown
        watch = it->second;
    }
    asio::post(watch->strand, [this, watch, running] {
        if (watch->stopped) return;
        if (!running) {
            // Down at once, without waiting for missed pings; pings (if any) bring it back.
            watch->holding = 0;
            watch->failing = std::max(1, watch->kpi.occurrences_false);
            Raise(*watch, false);
        } else if (!watch->address) {
            Raise(*watch, true);
        }
    });
}

}  // namespace escd::orchestrator
