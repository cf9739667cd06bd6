#include "orchestrator/monitor/vm_monitor.hpp"

#include <random>

#include "common/ip_network.hpp"
#include "common/log.hpp"
#include "model/resource.hpp"
#include "model/xml/deployment_docs.hpp"
#include "model/xml/deployment_xml.hpp"
#include "model/xml/dynamic_mapping_xml.hpp"
#include "orchestrator/monitor/alive_check.hpp"
#include "orchestrator/monitor/vm_metrics.hpp"

namespace escd::orchestrator {

struct VmMonitor::Watch {
    Watch(asio::io_context& ioc,
          Clock& clock,
          std::string deployment_id,
          std::string vm_name,
          std::string kpi)
        : deployment(std::move(deployment_id)),
          vm(std::move(vm_name)),
          event(std::move(kpi)),
          strand(asio::make_strand(ioc)),
          timer(clock.MakeTimer(strand)) {}

    bool alive_kpi() const { return event == kAliveEvent; }

    std::string deployment;
    std::string vm;
    std::string event;  ///< the KPI's event_name
    MetricSource source = MetricSource::kIcmp;
    std::optional<asio::ip::address> address;  ///< pinged; none: watched through the VIM
    model::KpiSpec kpi;
    std::string identity;  ///< what a Sync compares to keep a watch and its counters
    bool poll_vim = false;
    asio::strand<asio::io_context::executor_type> strand;
    std::unique_ptr<Clock::Timer> timer;  ///< the pause between polls
    // On `strand` only.
    int holding = 0;
    int failing = 0;
    std::optional<bool> raised;
    /// Bumped when an operation ends (Hold) and when a Sync resets the watch: a poll that was
    /// under way then tells nothing about the state the engine has just committed (a
    /// recovery's guest, booting while it ran).
    std::uint64_t generation = 0;
    bool stopped = false;
    std::optional<vim::VmStats> last_sample;
};

namespace {
std::string WatchKey(const std::string& vm, const std::string& event) {
    return vm + '\n' + event;
}
}  // namespace

VmMonitor::VmMonitor(asio::io_context& ioc,
                     model::DeploymentStore& deployments,
                     model::DynamicMappingStore& mappings,
                     vim::Compute& vms,
                     vim::VmEvents& vm_events,
                     Pinger& pinger,
                     Clock& clock)
    : ioc_(ioc),
      deployments_(deployments),
      mappings_(mappings),
      vms_(vms),
      vm_events_(vm_events),
      pinger_(pinger),
      clock_(clock) {}

VmMonitor::~VmMonitor() {
    Stop();
}

void VmMonitor::Stop() {
    std::map<std::string, WatchSet> watches;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        watches.swap(watches_);
        alive_watches_.clear();
    }
    for (auto& [deployment, set] : watches) {
        for (auto& [key, watch] : set) {
            asio::post(watch->strand, [watch] {
                watch->stopped = true;
                watch->timer->Cancel();
            });
        }
    }
}

void VmMonitor::Sync(const std::string& deployment_id) {
    asio::co_spawn(
        ioc_, Load(deployment_id),
        log::LogFailure(log::Level::kWarn, "monitor", "cannot watch the VMs of " + deployment_id));
}

void VmMonitor::Hold(const std::string& deployment_id) {
    std::vector<std::shared_ptr<Watch>> current;
    {
        std::lock_guard lock(mutex_);
        held_.insert(deployment_id);
        if (!started_) return;  // Start() syncs it
        if (auto it = watches_.find(deployment_id); it != watches_.end())
            for (const auto& [key, watch] : it->second) current.push_back(watch);
    }
    // Posted before the caller (the engine, ending an operation) lets verdicts through again,
    // so a poll that completes after the operation counts only if it started after this.
    for (auto& watch : current) {
        asio::post(watch->strand, [watch] {
            watch->holding = watch->failing = 0;
            ++watch->generation;
        });
    }
    Sync(deployment_id);
}

void VmMonitor::Drop(const std::string& deployment_id) {
    {
        std::lock_guard lock(mutex_);
        if (!held_.erase(deployment_id)) return;
    }
    Apply(deployment_id, nullptr, {});
}

void VmMonitor::Start() {
    {
        std::lock_guard lock(mutex_);
        started_ = true;
    }
    vim_events_ = vm_events_.SubscribeVmEvents(
        [this](const std::string& vm_name, bool running) { VimEvent(vm_name, running); });
    ESCD_INFO("monitor") << (vim_events_ ? "VIM lifecycle events subscribed"
                                         : "the VIM delivers no lifecycle events: polling it");
    SyncAll();
    asio::co_spawn(ioc_, Report(),
                   log::LogFailure(log::Level::kWarn, "monitor", "monitor report ended"));
}

asio::awaitable<void> VmMonitor::Report() {
    // Every minute: how much pinging there was, and whether escd kept up with it.
    asio::steady_timer timer(co_await asio::this_coro::executor);
    std::uint64_t sent = pinger_.sent(), answered = pinger_.answered(),
                  inconclusive = pinger_.inconclusive();
    for (;;) {
        timer.expires_after(kReportPeriod);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        std::size_t watches = 0;
        {
            std::lock_guard lock(mutex_);
            if (stopped_) co_return;
            for (const auto& [deployment, set] : watches_) watches += set.size();
        }
        const auto now_sent = pinger_.sent(), now_answered = pinger_.answered(),
                   now_inconclusive = pinger_.inconclusive();
        ESCD_INFO("monitor") << watches << " KPI watch(es); last minute: " << now_sent - sent
                             << " echo request(s), " << now_answered - answered << " answered";
        if (now_inconclusive != inconclusive) {
            ESCD_WARN("monitor") << now_inconclusive - inconclusive
                                 << " poll(s) in the last minute could not tell (escd short of CPU "
                                    "or of ICMP socket buffer): no verdict was taken from them";
        }
        sent = now_sent;
        answered = now_answered;
        inconclusive = now_inconclusive;
    }
}

namespace {
// Whether a deployment has a KPI other than VM_ALIVE (its metrics need the dynamic mappings).
bool HasMetricKpis(const model::DeploymentSpec& spec) {
    for (const auto& group : spec.vm_groups)
        for (const auto& kpi : group.kpis)
            if (kpi.event_name != VmMonitor::kAliveEvent) return true;
    return false;
}
}  // namespace

void VmMonitor::SyncAll() {
    // Two reads whatever the number of deployments (start-up, leaving maintenance).
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
            const auto deployments = co_await deployments_.ReadDeployments();
            const auto metrics = co_await ReadMetrics();
            for (const auto& deployment : deployments)
                Apply(deployment.record.internal_id, &deployment, metrics);  // if held
        },
        log::LogFailure(log::Level::kWarn, "monitor", "cannot watch the deployments"));
}

asio::awaitable<std::vector<model::MetricSpec>> VmMonitor::ReadMetrics() {
    const auto mappings = co_await mappings_.ListDynamicMappings(model::MappingKind::kMetric);
    std::vector<model::MetricSpec> metrics;
    for (const auto& mapping : mappings)
        metrics.push_back(model::xml::MetricSpecFromStored(mapping.document));
    co_return metrics;
}

asio::awaitable<void> VmMonitor::Load(std::string deployment_id) {
    const auto deployment = co_await deployments_.ReadDeployment(deployment_id);
    std::vector<model::MetricSpec> metrics;
    if (deployment &&
        HasMetricKpis(model::xml::DeploymentSpecFromStored(deployment->record.spec, deployment_id)))
        metrics = co_await ReadMetrics();
    Apply(deployment_id, deployment ? &*deployment : nullptr, metrics);
}

void VmMonitor::Apply(const std::string& deployment_id,
                      const model::StoredDeployment* deployment,
                      const std::vector<model::MetricSpec>& metrics) {
    {
        std::lock_guard lock(mutex_);
        if (!held_.contains(deployment_id)) deployment = nullptr;  // another node's to watch
    }
    WatchSet wanted;
    // A service in error waits for its undeploy, a stopped one for its start: neither watched.
    // One being updated is: whenever this read ran (before the update's first commit or after
    // it), its VMs keep the watches the update leaves alone.
    if (deployment && model::ServiceIsWatched(model::ServiceStateOf(deployment->service))) {
        const auto spec =
            model::xml::DeploymentSpecFromStored(deployment->record.spec, deployment_id);
        for (const auto& vm : deployment->vms) {
            const bool watched = vm.monitoring && model::VmIsUp(vm.state);
            if (!watched) continue;
            for (const auto& group : spec.vm_groups) {
                if (group.name != vm.vm_group) continue;
                Plan(deployment_id, vm, group, metrics, wanted);
            }
        }
    }

    std::vector<std::shared_ptr<Watch>> started;
    std::vector<std::shared_ptr<Watch>> ended;
    std::vector<std::pair<std::shared_ptr<Watch>, std::optional<bool>>> kept;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        auto& current = watches_[deployment_id];
        for (auto it = current.begin(); it != current.end();) {
            auto& [key, watch] = *it;
            auto next = wanted.find(key);
            if (next != wanted.end() && next->second->identity == watch->identity) {
                kept.emplace_back(watch, next->second->raised);  // with its counters
                wanted.erase(next);
                ++it;
                continue;
            }
            ended.push_back(watch);
            if (watch->alive_kpi()) alive_watches_.erase(watch->vm);
            it = current.erase(it);
        }
        for (auto& [key, watch] : wanted) {
            if (watch->alive_kpi()) alive_watches_[watch->vm] = watch;
            started.push_back(watch);
        }
        current.merge(wanted);
        if (current.empty()) watches_.erase(deployment_id);
    }
    for (auto& watch : ended) {
        asio::post(watch->strand, [watch] {
            watch->stopped = true;
            watch->timer->Cancel();
        });
    }
    for (auto& watch : started)
        asio::co_spawn(watch->strand, Poll(watch),
                       log::LogFailure(log::Level::kWarn, "monitor",
                                       "monitoring of VM " + watch->vm + " ended"));
    // A kept watch that disagrees starts again from what the engine last decided (for a metric
    // KPI, nothing: its event is raised again while it holds), its debouncing from zero: polls
    // made while an operation changed the VM count for nothing. A verdict the engine dropped
    // (an operation was running; escd was in maintenance) is then raised again once the KPI's
    // occurrences say so anew, and a VIM-only watch, which does not poll, looks once more.
    for (auto& [watch, raised] : kept) {
        asio::post(watch->strand, [this, watch, raised] {
            if (watch->stopped || watch->raised == raised) return;
            watch->raised = raised;
            watch->holding = watch->failing = 0;
            ++watch->generation;
            if (OnceOnly(*watch))
                asio::co_spawn(watch->strand, Check(watch),
                               log::LogFailure(log::Level::kWarn, "monitor",
                                               "check of VM " + watch->vm + " failed"));
        });
    }
    if (!started.empty() || !ended.empty()) {
        ESCD_DEBUG("monitor") << deployment_id << ": " << started.size() << " watch(es) started, "
                              << ended.size() << " ended";
    }
}

void VmMonitor::Plan(const std::string& deployment_id,
                     const model::VmRecord& vm,
                     const model::VmGroupSpec& group,
                     const std::vector<model::MetricSpec>& metrics,
                     WatchSet& wanted) {
    const auto nics = model::xml::InterfacesFromStored(vm.interfaces);
    // The address a KPI pings, when it may be pinged.
    auto pinged = [&](const model::KpiSpec& kpi) -> std::optional<asio::ip::address> {
        for (const auto& nic : nics) {
            if (nic.nicid != kpi.nicid) continue;
            if (auto ip = pinger_.Pingable(nic.ip_address)) return ip;
            ESCD_INFO("monitor") << "VM " << vm.vm_name << ": " << nic.ip_address
                                 << " is not pinged (outside monitor.allowed_cidrs, or no ICMP "
                                    "socket)";
        }
        return std::nullopt;
    };
    auto identity = [](const Watch& watch) {
        return watch.event + "/" + std::to_string(static_cast<int>(watch.source)) + "/" +
               (watch.address ? watch.address->to_string() : "vim") + "/" +
               std::to_string(PollPeriod(watch.kpi).count()) + "/" + watch.kpi.metric_cond +
               watch.kpi.metric_value + "/" + std::to_string(watch.kpi.occurrences_true) + "/" +
               std::to_string(watch.kpi.occurrences_false) +
               (watch.kpi.continuous_alarm ? "/c" : "");
    };

    // VM_ALIVE: its ICMPPing KPI, or the VIM's word.
    auto alive = std::make_shared<Watch>(ioc_, clock_, deployment_id, vm.vm_name, kAliveEvent);
    if (const auto* kpi = IcmpAliveKpi(group)) {
        alive->kpi = *kpi;
        alive->address = pinged(*kpi);
    }
    alive->poll_vim = !alive->address && !vim_events_;
    if (!alive->address) {
        // The VIM's word is final: no debouncing.
        alive->kpi.occurrences_true = 1;
        alive->kpi.occurrences_false = 1;
    }
    alive->identity = identity(*alive);
    // What the engine last decided is where the KPI starts: no VM_ALIVE again for a VM that is
    // alive, a first one for a VM that is not.
    if (vm.state == model::VmState::kAlive) alive->raised = true;
    wanted.emplace(WatchKey(vm.vm_name, kAliveEvent), std::move(alive));

    // Every other KPI (VM_OVERLOADED, ...) of an alive VM: its metric, polled.
    if (vm.state != model::VmState::kAlive) return;
    for (const auto& kpi : group.kpis) {
        if (kpi.event_name == kAliveEvent) continue;
        const auto source = SourceOf(kpi.collector_type, metrics);
        if (!source) {
            ESCD_INFO("monitor") << "VM " << vm.vm_name << ": KPI " << kpi.event_name
                                 << " names metric " << kpi.collector_type
                                 << ", which escd cannot measure: not watched";
            continue;
        }
        auto watch =
            std::make_shared<Watch>(ioc_, clock_, deployment_id, vm.vm_name, kpi.event_name);
        watch->kpi = kpi;
        watch->source = *source;
        if (*source == MetricSource::kIcmp) {
            watch->address = pinged(kpi);
            if (!watch->address) continue;
        }
        watch->identity = identity(*watch);
        wanted.emplace(WatchKey(vm.vm_name, kpi.event_name), std::move(watch));
    }
}

asio::awaitable<void> VmMonitor::Poll(std::shared_ptr<Watch> watch) {
    const bool vim_alive = watch->alive_kpi() && !watch->address;
    const auto period = vim_alive ? std::chrono::milliseconds(kVimPollPeriod)
                                  : std::chrono::milliseconds(PollPeriod(watch->kpi));
    // A VIM-only watch on a VIM with events asks once, at its start: an event may have come
    // before the watch did (a VM restored at start-up); events do the rest.
    if (OnceOnly(*watch)) {
        co_await Check(watch);
        co_return;
    }
    // The first poll at a random point of the period: VMs deployed together would otherwise
    // poll together, every echo of thousands of VMs in one burst that overflows the ICMP
    // socket's buffer. Spread, the load is even.
    thread_local std::minstd_rand random(std::random_device{}());
    auto wait = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
        0, std::max<std::int64_t>(0, period.count() - 1))(random));
    while (!watch->stopped) {
        const bool passed = co_await watch->timer->Wait(std::exchange(wait, period));
        if (!passed || watch->stopped) break;
        co_await Check(watch);
    }
}

bool VmMonitor::OnceOnly(const Watch& watch) {
    return watch.alive_kpi() && !watch.address && !watch.poll_vim;
}

asio::awaitable<void> VmMonitor::Check(std::shared_ptr<Watch> watch) {
    const auto generation = watch->generation;
    bool holds = false;
    try {
        if (watch->address) {
            const auto polled = co_await IcmpPollHolds(pinger_, *watch->address, watch->kpi);
            if (!polled) co_return;  // no verdict this round
            holds = *polled;
        } else if (watch->alive_kpi()) {
            const auto& name = watch->vm;
            auto info = co_await vms_.GetVm(name);
            holds = info && info->running;
        } else {
            const auto& name = watch->vm;
            auto stats = co_await vms_.GetVmStats(name);
            if (!stats) co_return;  // gone: VM_ALIVE says so
            double value = 0;
            if (watch->source == MetricSource::kCpu && stats->cpu_percent) {
                value = *stats->cpu_percent;
            } else if (watch->source == MetricSource::kCpu) {
                auto last = std::exchange(watch->last_sample, *stats);
                if (!last) co_return;  // a rate needs two samples
                // Over the samples' own times: when this coroutine resumed after the offloaded
                // read depends on the pools' load, and would skew the figure.
                value = CpuUtilisation(*last, *stats);
            } else {
                value = MemoryUtilisation(*stats);
            }
            holds = MetricHolds(value, watch->kpi.metric_cond, watch->kpi.metric_value);
            ESCD_DEBUG("monitor") << "VM " << watch->vm << ": " << watch->kpi.collector_type
                                  << " = " << value;
        }
    } catch (const std::exception& e) {
        // Neither a ping nor the VIM can say: no verdict this round.
        ESCD_DEBUG("monitor") << "VM " << watch->vm << ": poll failed: " << e.what();
        co_return;
    }
    if (watch->stopped || watch->generation != generation) co_return;
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
    ESCD_INFO("monitor") << "VM " << watch.vm << ": " << watch.event << " KPI "
                         << (alive ? "TRUE" : "FALSE");
    if (handler_) handler_(watch.deployment, watch.vm, watch.event, alive);
}

void VmMonitor::VimEvent(const std::string& vm_name, bool running) {
    std::shared_ptr<Watch> watch;
    {
        std::lock_guard lock(mutex_);
        auto it = alive_watches_.find(vm_name);
        if (it == alive_watches_.end()) return;  // not watched: escd's own operation, or unknown
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
