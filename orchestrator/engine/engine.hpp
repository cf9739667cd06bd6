#pragma once
/// @file
/// The engine: accepts operations durably and runs them, each on the strand of its target.
///
/// The path of a mutating request (docs/architecture.md, "The path of a mutating request"):
///   1. the handler validates, then awaits the Accept* of its role store (model/stores/): the
///      intent and the `operations` row commit in one transaction;
///   2. the server answers 200 with the ESC-Transaction-Id, and only then calls Launch(), so a
///      callback never overtakes the answer that announces its transaction id;
///   3. the operation runs on its target's strand: VIM call(s) through vim::Vim's capabilities (a
///      deployment's workflow also commits each VM or service step with its events), then ONE
///      transaction applies the outcome, finishes the operation and writes its callbacks to the
///      outbox; the notifier delivers them.
/// On start-up Start() reconciles escd's records with the VIM, takes over the work of the nodes
/// that are gone (docs/cluster.md: a restarted escd succeeds its own previous process) and
/// starts monitoring; then, every `takeover_every`, it takes over the work of nodes that died
/// since (TakeOver). An operation taken over runs again from its last committed step: VIM calls
/// are idempotent on the internal id.

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "common/in_flight.hpp"
#include "model/operation.hpp"
#include "model/operation_payload.hpp"
#include "model/resource.hpp"
#include "model/stores/stores.hpp"
#include "orchestrator/deployment/deployment_workflow.hpp"
#include "orchestrator/deployment/migration_workflow.hpp"
#include "orchestrator/deployment/snapshot_workflow.hpp"
#include "orchestrator/engine/operation_cancels.hpp"
#include "orchestrator/engine/operation_mode.hpp"
#include "orchestrator/monitor/vm_monitor.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "orchestrator/resources/file_fetcher.hpp"
#include "orchestrator/resources/resource_workflows.hpp"
#include "vim/vim.hpp"

namespace escd::orchestrator {

struct EngineOptions {
    /// Accept and persist, but run nothing (crash tests prove that a restart resumes the work).
    bool paused_for_test = false;
    /// A node whose heartbeat is older than this is dead: its work may be taken over.
    std::chrono::milliseconds lease{10000};
    /// How often the work of dead nodes is looked for after the pass at Start(); zero: only
    /// at Start() (the in-process engine tests, whose clock only moves when a test moves it).
    std::chrono::milliseconds takeover_every{0};
};

class Engine {
  public:
    /// `file_pool` runs the workflows' blocking file work (day-0 archives, staged images).
    /// `clock`: the time of every timer of the engine (docs/architecture.md, "The fake VIM and
    /// in-process engine tests"): the wait before an aborted operation runs again and between
    /// attempts to record an operation's end, a down VM's recovery_wait_time, a booting VM's
    /// bootup_time and probe pauses, the monitor's polls and the scaling hold-back; tests pass
    /// a ManualClock. (The notifier, given the same clock by its owner, times its retries.)
    Engine(asio::io_context& ioc,
           const model::Stores& stores,
           asio::thread_pool& file_pool,
           vim::Vim& vim,
           Notifier& notifier,
           FileFetcher& fetcher,
           Pinger& pinger,
           const OperationMode& mode,
           EngineOptions options,
           Clock& clock = SteadyClock::Shared());

    /// Throws Error(kUnavailable, "Unable to query VIM: ...") unless the VIM answers now.
    asio::awaitable<void> RequireVim();

    /// Starts an accepted operation on its target's strand, unless this node runs it already.
    /// Thread safe.
    void Launch(model::Operation op);
    /// At start-up: Reconcile(), then TakeOver(), then monitoring
    /// (orchestrator/monitor/vm_monitor.hpp) and the periodic takeovers started.
    asio::awaitable<void> Start();
    /// Claims the transactions of dead nodes (model::LeaseStore): their unfinished operations are
    /// launched, their pending callbacks handed to the notifier; then ends this node's leases of
    /// transactions with nothing left to do. engine_takeover.cpp.
    asio::awaitable<void> TakeOver();
    /// After a restart, what the VIM has is made to match escd's records: a VM escd created
    /// (this installation's, by its metadata) that has no record is removed with its config
    /// drive; a network the VIM lost is defined again; a VM that should exist but is gone is
    /// created again under its name (DeploymentWorkflow::RestoreVms). VMs an unfinished
    /// operation is creating or removing are left to it. An unreachable VIM skips it (logged).
    /// `monitored`: the deployments whose monitoring this node claimed at this start; only
    /// theirs are restored.
    asio::awaitable<void> Reconcile(const std::vector<std::string>& monitored);
    /// No new operation starts after this; running ones continue to their end. Monitoring ends.
    void Stop() {
        stopping_ = true;
        monitor_.Stop();
    }
    /// From now on `follower` follows the deployments' VMs (escd's VNFs as CSM hosts): told of
    /// each committed change, and of every claimed deployment at start. Set before Start().
    void FollowVms(VmFollower* follower) {
        follower_ = follower;
        deployments_.FollowVms(follower);
    }
    /// escd left or entered maintenance mode: on leaving it, the down VMs whose recovery it held
    /// back are raised again by the monitor (and recovered). Thread safe.
    void OperationModeChanged(Mode mode);

    /// escd's own VM operation `action` (enable_monitoring, disable_monitoring, ...) on
    /// deployment `deployment_id`, accepted like a client's (durably, one at a time per
    /// deployment; its events go to the URLs of the deployment's latest operation) and
    /// launched: its transaction id; nullopt while another operation runs on the deployment or
    /// when it is gone. engine_recovery.cpp.
    asio::awaitable<std::optional<std::string>> StartOwnVmOperation(std::string deployment_id,
                                                                    model::DeploymentAction action);

    /// Operations launched and not finished, and KPI events being applied.
    std::size_t Running() const { return in_flight_.Count(); }
    /// Waits until the engine is drained — no operation runs and no KPI event the monitor raised
    /// is being applied (with the operation it may start) — or `timeout` passed; whether it is.
    /// Woken by the end of the last one, not polled. After Stop() nothing new starts: a stop
    /// waits here for what runs to finish. (A recovery_wait_time, or an aborted operation's wait
    /// before it runs again, is not running.)
    asio::awaitable<bool> AwaitDrained(std::chrono::steady_clock::duration timeout) {
        return in_flight_.AwaitNone(timeout);
    }
    /// The same, blocking the calling thread, which must not be one of the io_context's (tests).
    bool WaitDrained(std::chrono::milliseconds timeout) { return in_flight_.WaitNone(timeout); }

  private:
    using Strand = asio::strand<asio::io_context::executor_type>;
    void Launch(model::Operation op, int attempt);
    /// The end of a launched operation's handling here: it finished, failed for good, was
    /// taken over by another node, or is left for the next start.
    void Forget(const std::string& transaction_id);
    asio::awaitable<void> TakeOverEvery(std::chrono::milliseconds period);
    /// What a takeover claimed (engine_takeover.cpp).
    struct Claimed {
        std::vector<model::Operation> operations;
        std::vector<model::OutboxRow> callbacks;
        std::vector<std::string> monitors;  ///< deployments now this node's to watch
        std::vector<std::string> moved;     ///< deployments another node watches now
    };
    asio::awaitable<Claimed> Claim();
    /// Runs the operations, hands the callbacks to the notifier, watches the deployments.
    void Adopt(Claimed claimed);
    Strand StrandFor(model::TargetKind target_kind, const std::string& target_id);
    void ForgetStrand(model::TargetKind target_kind, const std::string& target_id);
    /// `attempt`: how many times this operation was relaunched before (Launch's backoff).
    asio::awaitable<void> Run(model::Operation op, int attempt);
    /// A recovery or a scale (model::UndeployCancels) registered with its cancel flag, set
    /// already when an undeploy cancelled it before it ran, and watched until it ends for an
    /// undeploy another node accepts (engine_cancel.cpp).
    asio::awaitable<OperationCancels::Tracking> TrackCancel(const model::Operation& op);
    asio::awaitable<void> WatchCancel(std::string transaction_id, std::shared_ptr<CancelFlag> flag);
    /// An undeploy that cancelled a running operation starts once that operation has ended.
    asio::awaitable<void> AwaitCancelledEnds(const model::Operation& undeploy);
    /// Launches `op` again, as attempt `attempt` + 1, once `delay` passed on clock_.
    asio::awaitable<void> RelaunchAfter(model::Operation op,
                                        int attempt,
                                        std::chrono::seconds delay);
    /// Ends an operation that escaped with an error retrying cannot help (docs/errors.md): its
    /// target as a failed VIM call leaves it, a failure callback (500) naming the error.
    asio::awaitable<void> Abandon(model::Operation op, std::exception_ptr error);
    /// A raised KPI event, on the deployment's strand: VM_ALIVE is applied unless an operation
    /// runs; any other may start a scale (engine_scaling.cpp).
    void OnVerdict(const std::string& deployment_id,
                   const std::string& vm_name,
                   const std::string& event,
                   bool value);
    asio::awaitable<void> ApplyKpiEvent(std::string deployment_id,
                                        std::string vm_name,
                                        std::string event,
                                        bool value);
    /// An operation escd starts itself on a deployment (RECOVER_VM, SCALE_OUT, SCALE_IN):
    /// accepted like a request (durably, nothing while another runs), its events to the URLs of
    /// `latest`, the deployment's latest operation; `action` is its payload.
    /// nullopt when the deployment is busy (kConflict) or gone.
    asio::awaitable<std::optional<model::Operation>> AcceptOwnOperation(
        model::OperationKind kind,
        const model::Operation& latest,
        const model::DeploymentAction& action);
    asio::awaitable<void> ApplyVerdict(std::string deployment_id, std::string vm_name, bool alive);
    /// A down VM asked to be healed (engine_recovery.cpp): after `heal.wait`, unless it came
    /// back, escd is in maintenance or the deployment busy, a RECOVER_VM operation starts.
    void ScheduleRecovery(const std::string& deployment_id,
                          const std::string& vm_name,
                          DeploymentWorkflow::HealRequest heal);
    asio::awaitable<void> StartRecovery(std::string deployment_id,
                                        std::string vm_name,
                                        std::chrono::seconds wait);
    asio::awaitable<void> RunTenantOperation(const model::Operation& op);
    /// Every other resource kind: the VIM side through ResourceWorkflows, the rest generic.
    asio::awaitable<void> RunResourceOperation(const model::Operation& op);
    /// A tenant or resource operation that failed for good (Abandon): its target as a failed
    /// VIM call leaves it (the VimFailed row from its stored state), a failure callback.
    asio::awaitable<void> AbandonResourceOperation(const model::Operation& op,
                                                   const std::string& why);
    /// The end every tenant and resource operation shares: its callback (`body`, when the
    /// client asked for one), the commit, and its strand forgotten when the target is gone.
    asio::awaitable<void> EndResourceOperation(const model::Operation& op,
                                               const model::ResourceOutcome& outcome,
                                               int status_code,
                                               const std::string& status_message,
                                               const std::string& body);
    /// Deployments: DeploymentWorkflow does the steps, Complete() the end. kUnavailable (an
    /// unreachable VIM, the database) does not end the operation: it is rethrown for Launch to
    /// run it again later; when a VIM service did not answer (vim::VimUnavailable), the first
    /// attempt tells the client so (NotifyOutage).
    asio::awaitable<void> RunDeploymentOperation(const model::Operation& op, int attempt);
    /// After an operation on a deployment: this node takes its monitoring (the watches follow
    /// what the operation changed), or drops it once the deployment is `kRemoved`.
    asio::awaitable<void> WatchAfter(const std::string& deployment_id, model::ResourceState state);
    /// The VIM_UNAVAILABLE event of a deployment operation that waits for its VIM (why: the
    /// outage), recorded and handed to the notifier; a failure to record it is only logged.
    asio::awaitable<void> NotifyOutage(const model::Operation& op, std::string why, int attempt);
    /// Commits the outcome (retrying while the database is unreachable) and hands the callbacks
    /// to the notifier.
    asio::awaitable<void> Complete(const model::Operation& op,
                                   const model::ResourceOutcome& outcome,
                                   int status_code,
                                   const std::string& status_message,
                                   const std::vector<model::OutboxMessage>& callbacks);

    asio::io_context& ioc_;
    model::ResourceStore& resource_store_;
    model::OperationStore& operation_store_;
    model::LeaseStore& lease_store_;
    model::DeploymentStore& deployment_store_;
    vim::Vim& vim_;
    Notifier& notifier_;
    ResourceWorkflows workflows_;
    DeploymentWorkflow deployments_;
    VmFollower* follower_ = nullptr;
    SnapshotWorkflow snapshots_;
    MigrationWorkflow migrations_;
    VmMonitor monitor_;
    const OperationMode& mode_;
    EngineOptions options_;
    Clock& clock_;
    std::mutex recoveries_mutex_;
    std::set<std::string> awaiting_recovery_;  ///< VMs whose recovery_wait_time runs
    /// After a failed scale of a group, no other scale of it starts for kScaleHoldBack: a KPI
    /// that stays TRUE would otherwise retry a failing scale out back to back.
    static constexpr std::chrono::seconds kScaleHoldBack{60};
    void HoldBackScaling(const std::string& deployment_id, const std::string& group);
    std::mutex scaling_mutex_;
    std::map<std::string, Clock::time_point> scaling_held_until_;  ///< on clock_
    std::mutex strands_mutex_;
    std::map<std::string, Strand> strands_;  ///< "<kind>/<id>" -> the target's strand
    /// Deployments an operation runs on now. A VM_ALIVE verdict on one is dropped: the
    /// operation decides its VMs' states, and the VIM events its own stops and starts cause
    /// are no news (the monitor raises a KPI that still disagrees again after it).
    std::mutex operating_mutex_;
    std::multiset<std::string> operating_;
    /// The running recoveries and scales, which an undeploy may cancel.
    OperationCancels cancels_;
    std::atomic<bool> stopping_{false};
    /// Operations launched and not ended, KPI events being applied (OnVerdict), recoveries
    /// being started at once (ScheduleRecovery).
    InFlight in_flight_;
    std::mutex handled_mutex_;
    /// Transactions whose operation this node runs or will run again after a backoff: a
    /// takeover that gives this node one it still handles (it rejoined under a new id) does not
    /// launch it twice.
    std::set<std::string> handled_;
    /// The database's clock at the last pass over the deployments' monitoring. Only TakeOver
    /// touches it, and passes never overlap (the one at Start() comes before the periodic ones).
    std::string monitors_as_of_;
};

}  // namespace escd::orchestrator
