#pragma once
/// @file
/// Continuous monitoring of deployed VMs (docs/behaviour.md, "Monitoring between operations"):
/// after a deployment operation ends, every VM of it that is alive or inert and has monitoring on
/// is watched until the next operation changes it — while its service is active, inert or being
/// updated (one in error waits for its undeploy, a stopped one for its start).
///
/// A watch is one of:
/// - ICMPPing: the group's VM_ALIVE KPI on its nicid's address, one timer per VM polling every
///   poll_frequency/polling_unit (alive_check.hpp: kEchoesPerPoll echoes, `metric_cond` against
///   `metric_value`); the KPI turns TRUE after metric_occurrences_true polls in a row that hold
///   and FALSE after metric_occurrences_false that do not; it is raised on a change, and on
///   every holding poll when continuous_alarm is true. An address outside
///   `monitor.allowed_cidrs` is never pinged: the VM is watched through the VIM only, and the
///   reason is logged.
/// - VIM only (no such KPI): the VM is alive while the VIM reports it running.
/// - Any other KPI of an alive VM (VM_OVERLOADED, VM_UNDERLOADED, ...): its metric
///   (vm_metrics.hpp: ICMPPing, or CPU/MEMORY utilisation from the VIM's domain statistics)
///   polled the same way, with the same debouncing, raised to the engine, whose rules may scale
///   the group.
/// VIM lifecycle events (VimEvent) mark a VM down at once, without waiting for missed pings; on a
/// VIM that delivers none, VIM-only watches poll the VIM instead (every kVimPollPeriod).
/// A raised KPI event goes to the verdict handler (the engine), which applies the group's
/// rules: "TRUE esc_vm_alive_notification" → VM_ALIVE, "FALSE recover autohealing" → down and
/// recovery; "ALWAYS log" logs. Without rules the three standard ones apply.
/// A verdict the engine cannot act on now (an operation runs on the deployment) is not lost:
/// after each operation Sync() resets a kept watch to the state the engine committed, so a
/// KPI that still disagrees is raised again.
///
/// Only the deployments this node holds the monitoring of are watched (Hold, Drop;
/// docs/cluster.md): the engine says which.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "model/deployment.hpp"
#include "model/dynamic_mapping.hpp"
#include "model/resource.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/dynamic_mapping_store.hpp"
#include "model/vm_record.hpp"
#include "orchestrator/monitor/pinger.hpp"
#include "vim/capabilities/compute.hpp"
#include "vim/capabilities/vm_events.hpp"

namespace escd::orchestrator {

class VmMonitor {
  public:
    /// Called (on an io thread) when a KPI `event` of a watched VM is raised TRUE or FALSE
    /// (VM_ALIVE, VM_OVERLOADED, ...).
    using VerdictHandler = std::function<void(const std::string& deployment,
                                              const std::string& vm,
                                              const std::string& event,
                                              bool value)>;
    static constexpr const char* kAliveEvent = "VM_ALIVE";

    static constexpr std::chrono::seconds kVimPollPeriod{5};
    static constexpr std::chrono::seconds kReportPeriod{60};

    /// `clock`: the time of the polls (the engine's clock; the minute report is real time).
    VmMonitor(asio::io_context& ioc,
              model::DeploymentStore& deployments,
              model::DynamicMappingStore& mappings,
              vim::Compute& vms,
              vim::VmEvents& vm_events,
              Pinger& pinger,
              Clock& clock);
    ~VmMonitor();

    void SetHandler(VerdictHandler handler) { handler_ = std::move(handler); }

    /// The deployment is this node's to watch (again, after an operation on it): Sync() it
    /// (once started). Its watches start counting afresh at once: a poll under way, or polls
    /// made while the operation ran, tell nothing of the VMs it left (a cold migration's guest
    /// booting elsewhere, a failed poll landing just after the operation ended). Thread safe.
    void Hold(const std::string& deployment_id);
    /// The deployment is no longer this node's to watch (another node took it, or it is gone):
    /// its watches end. Thread safe.
    void Drop(const std::string& deployment_id);
    /// Subscribes to the VIM's lifecycle events and watches every deployment held (at
    /// start-up, after the engine took over what it holds).
    void Start();
    /// Sync() of every deployment held: verdicts the engine could not act on are raised again
    /// (when escd leaves maintenance mode).
    void SyncAll();
    /// A VIM lifecycle event: `running` false means stopped, crashed or gone. Thread safe.
    void VimEvent(const std::string& vm_name, bool running);
    /// Ends every watch.
    void Stop();

  private:
    /// Re-reads the deployment's VMs and datamodel and watches what is to be watched (a watch
    /// whose VM and KPI did not change keeps its counters); nothing unless held. Runs
    /// asynchronously.
    void Sync(const std::string& deployment_id);
    struct Watch;
    using WatchSet = std::map<std::string, std::shared_ptr<Watch>>;  ///< by VM and event
    /// The watches `vm` of `group` should have, into `wanted`.
    void Plan(const std::string& deployment_id,
              const model::VmRecord& vm,
              const model::VmGroupSpec& group,
              const std::vector<model::MetricSpec>& metrics,
              WatchSet& wanted);
    /// The dynamic-mapping metrics, typed (model/xml/dynamic_mapping_xml.hpp).
    asio::awaitable<std::vector<model::MetricSpec>> ReadMetrics();
    asio::awaitable<void> Load(std::string deployment_id);
    /// Makes the watches of one deployment what its records say (what Load or SyncAll read;
    /// nullptr: the deployment is gone).
    void Apply(const std::string& deployment_id,
               const model::StoredDeployment* deployment,
               const std::vector<model::MetricSpec>& metrics);
    asio::awaitable<void> Poll(std::shared_ptr<Watch> watch);
    /// One poll of the watch's KPI and its debouncing (on the watch's strand).
    asio::awaitable<void> Check(std::shared_ptr<Watch> watch);
    static bool OnceOnly(const Watch& watch);
    /// Logs the pinging of the last kReportPeriod, and warns when polls were inconclusive.
    asio::awaitable<void> Report();
    void Raise(Watch& watch, bool alive);

    asio::io_context& ioc_;
    model::DeploymentStore& deployments_;
    model::DynamicMappingStore& mappings_;
    vim::Compute& vms_;
    vim::VmEvents& vm_events_;
    Pinger& pinger_;
    Clock& clock_;
    VerdictHandler handler_;
    std::mutex mutex_;
    std::map<std::string, WatchSet> watches_;                      ///< by deployment
    std::map<std::string, std::shared_ptr<Watch>> alive_watches_;  ///< VM_ALIVE ones, by VM
    bool stopped_ = false;
    bool started_ = false;
    std::set<std::string> held_;           ///< the deployments this node watches
    std::atomic<bool> vim_events_{false};  ///< the VIM delivers lifecycle events
};

}  // namespace escd::orchestrator
