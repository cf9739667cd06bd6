// The engine's life of an operation (docs/architecture.md): launching an accepted one on the strand
// of its target (Launch, StrandFor), running it (Run, RunDeploymentOperation), retrying one that
// may succeed later or abandoning it with its failure callbacks (Abandon, NotifyOutage), completing
// it (Complete), resuming unfinished operations at start-up (Start), and committing monitoring
// verdicts (OnVerdict, ApplyVerdict). The tenant and resource runners are in engine_resources.cpp,
// the reconciliation with the VIM in engine_reconcile.cpp, automatic recovery in
// engine_recovery.cpp and scaling in engine_scaling.cpp.

#include "orchestrator/engine/engine.hpp"

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "orchestrator/engine/operation_catalog.hpp"

namespace escd::orchestrator {
namespace {
std::string StrandKey(model::TargetKind kind, const std::string& id) {
    return std::string(ToString(kind)) + "/" + id;
}

/// Whether an operation that ended with `error` may succeed when run again unchanged.
bool Retryable(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return e.retryable();
    } catch (...) {
        return false;
    }
}

/// Whether an operation ended because another node took its transaction over.
bool TakenOver(std::exception_ptr error) {
    if (!error) return false;
    try {
        std::rethrow_exception(error);
    } catch (const model::LeaseLost&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// How long an operation that was aborted `attempt` times before waits to run again: 1 s
/// doubling to 5 min.
std::chrono::seconds RetryDelay(int attempt) {
    return std::chrono::seconds(std::min(300, 1 << std::min(attempt, 8)));
}
}  // namespace

Engine::Engine(asio::io_context& ioc,
               const model::Stores& stores,
               asio::thread_pool& file_pool,
               vim::Vim& vim,
               Notifier& notifier,
               FileFetcher& fetcher,
               Pinger& pinger,
               const OperationMode& mode,
               EngineOptions options,
               Clock& clock)
    : ioc_(ioc),
      resource_store_(stores.resources),
      operation_store_(stores.operations),
      lease_store_(stores.leases),
      deployment_store_(stores.deployments),
      vim_(vim),
      notifier_(notifier),
      workflows_({vim, vim, vim, vim}, stores.resources, file_pool, fetcher),
      deployments_(stores.resources,
                   stores.deployments,
                   stores.snapshots,
                   stores.hosts,
                   stores.settings,
                   file_pool,
                   {vim, vim, vim, vim},
                   notifier,
                   pinger,
                   clock,
                   fetcher),
      snapshots_(stores.resources, stores.deployments, stores.snapshots, vim, notifier),
      migrations_(stores.deployments, stores.hosts, vim, notifier, deployments_),
      monitor_(ioc, stores.deployments, stores.dynamic_mappings, vim, vim, pinger, clock),
      mode_(mode),
      options_(options),
      clock_(clock),
      in_flight_(ioc.get_executor()) {
    monitor_.SetHandler([this](const std::string& deployment, const std::string& vm,
                               const std::string& event,
                               bool value) { OnVerdict(deployment, vm, event, value); });
}

// Parameters by value: the coroutine outlives the caller's strings.
asio::awaitable<void> Engine::ApplyVerdict(std::string deployment_id,
                                           std::string vm_name,
                                           bool alive) {
    const auto operating = [this, &deployment_id] {
        std::lock_guard lock(operating_mutex_);
        return operating_.contains(deployment_id);
    };
    if (operating()) {
        ESCD_INFO("monitor") << "verdict on VM " << vm_name << " of " << deployment_id
                             << " not applied: an operation runs on it";
        co_return;
    }
    auto op = co_await operation_store_.LatestOperation(deployment_id);
    if (!op || operating()) co_return;
    std::optional<DeploymentWorkflow::HealRequest> heal;
    try {
        heal = co_await deployments_.ApplyVerdict(*op, vm_name, alive);
    } catch (const model::LeaseLost& e) {
        // Another node ran an operation on it, or took this node for dead: its to watch now.
        ESCD_INFO("monitor") << e.what() << ": no longer watched here";
        monitor_.Drop(deployment_id);
        co_return;
    }
    if (heal) ScheduleRecovery(deployment_id, vm_name, *heal);
}

void Engine::OnVerdict(const std::string& deployment_id,
                       const std::string& vm_name,
                       const std::string& event,
                       bool value) {
    if (stopping_) return;
    auto strand = StrandFor(model::TargetKind::kDeployment, deployment_id);
    // Counted until applied (WaitDrained): an operation it launches is counted before this ends.
    in_flight_.Begin();
    const auto applied = [this](auto log_failure) {
        return [this, log_failure](std::exception_ptr e) {
            log_failure(e);
            in_flight_.End();
        };
    };
    if (event == VmMonitor::kAliveEvent) {
        asio::co_spawn(strand, ApplyVerdict(deployment_id, vm_name, value),
                       applied(log::LogFailure(log::Level::kWarn, "monitor",
                                               "verdict on VM " + vm_name + " not applied")));
    } else {
        asio::co_spawn(strand, ApplyKpiEvent(deployment_id, vm_name, event, value),
                       applied(log::LogFailure(log::Level::kWarn, "monitor",
                                               event + " of VM " + vm_name + " not applied")));
    }
}

asio::awaitable<std::optional<model::Operation>> Engine::AcceptOwnOperation(
    model::OperationKind kind,
    const model::Operation& latest,
    const model::DeploymentAction& action) {
    model::Operation op;
    op.transaction_id = NewUuid();
    op.kind = kind;
    op.target_kind = model::TargetKind::kDeployment;
    op.target_id = latest.target_id;
    op.callback_url = latest.callback_url;
    op.events_url = latest.events_url;
    op.payload = model::xml::ToPayload(action);
    try {
        co_await resource_store_.AcceptUpdate(model::ResourceKind::kDeployment, op.target_id, op);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kConflict && e.code() != ErrorCode::kNotFound) throw;
        co_return std::nullopt;
    }
    co_return op;
}

asio::awaitable<void> Engine::RequireVim() {
    auto status = co_await vim_.CheckStatus();
    if (!status.reachable)
        throw Error(ErrorOrigin::kVim, ErrorCode::kUnavailable,
                    "Unable to query VIM: " + status.message);
}

Engine::Strand Engine::StrandFor(model::TargetKind target_kind, const std::string& target_id) {
    std::lock_guard lock(strands_mutex_);
    auto key = StrandKey(target_kind, target_id);
    auto it = strands_.find(key);
    if (it == strands_.end()) it = strands_.emplace(key, asio::make_strand(ioc_)).first;
    return it->second;
}

void Engine::ForgetStrand(model::TargetKind target_kind, const std::string& target_id) {
    std::lock_guard lock(strands_mutex_);
    strands_.erase(StrandKey(target_kind, target_id));
}

void Engine::Launch(model::Operation op) {
    {
        std::lock_guard lock(handled_mutex_);
        if (!handled_.insert(op.transaction_id).second) return;
    }
    Launch(std::move(op), 0);
}

void Engine::Forget(const std::string& transaction_id) {
    std::lock_guard lock(handled_mutex_);
    handled_.erase(transaction_id);
}

void Engine::Launch(model::Operation op, int attempt) {
    if (options_.paused_for_test) {
        ESCD_WARN("engine") << "engine paused for test: " << model::KindText(op) << " "
                            << op.target_id << " stays accepted";
        return;
    }
    if (stopping_) {  // resumed at the next start, or by another node
        Forget(op.transaction_id);
        return;
    }
    in_flight_.Begin();
    auto strand = StrandFor(op.target_kind, op.target_id);
    auto retry = op;  // kept for a relaunch
    asio::co_spawn(
        strand, Run(std::move(op), attempt),
        [this, retry = std::move(retry), attempt](std::exception_ptr e) mutable {
            if (TakenOver(e)) {
                // Another node took this node for dead and runs it now.
                ESCD_WARN("engine") << "operation " << retry.transaction_id
                                    << " left to the node that took it over";
                Forget(retry.transaction_id);
                in_flight_.End();
                return;
            }
            if (e && !Retryable(e)) {
                // It would fail the same way again: it ends here, with a failure
                // callback, rather than keep its target busy for ever. Still running
                // until that is done (the engine is not drained in between).
                const auto id = retry.transaction_id;
                asio::co_spawn(StrandFor(retry.target_kind, retry.target_id),
                               Abandon(std::move(retry), e), [this, id](std::exception_ptr) {
                                   Forget(id);
                                   in_flight_.End();
                               });
                return;
            }
            in_flight_.End();
            if (!e) {
                Forget(retry.transaction_id);
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const model::AddressTaken& ex) {
                // A race with another node's step, lost: nothing is wrong, and what
                // the step chooses next is free unless it loses again. At once.
                ESCD_INFO("engine") << "operation " << retry.transaction_id << ": " << ex.what();
                Launch(std::move(retry), attempt + 1);
            } catch (const std::exception& ex) {
                // The database did not take the operation's outcome, or a VIM did not
                // answer (RunDeploymentOperation). The operation stays unfinished in
                // the table; run it again later, backing off, so its target does not
                // stay busy until a restart.
                const auto delay = RetryDelay(attempt);
                ESCD_ERROR("engine")
                    << "operation " << retry.transaction_id << " aborted: " << ex.what()
                    << "; retrying in " << delay.count() << "s";
                asio::co_spawn(ioc_, RelaunchAfter(std::move(retry), attempt, delay),
                               log::LogFailure(log::Level::kError, "engine",
                                               "an operation was not run again"));
            }
        });
}

asio::awaitable<void> Engine::RelaunchAfter(model::Operation op,
                                            int attempt,
                                            std::chrono::seconds delay) {
    co_await clock_.Wait(delay);
    Launch(std::move(op), attempt + 1);
}

asio::awaitable<void> Engine::Abandon(model::Operation op, std::exception_ptr error) {
    std::string why = "internal error";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        why = e.what();
    }
    ESCD_ERROR("engine") << "operation " << op.transaction_id << " (" << model::KindText(op) << " "
                         << op.target_id << ") failed for good: " << why;
    try {
        if (op.target_kind == model::TargetKind::kDeployment) {
            auto final = DeploymentWorkflow::Failed(op, kFailedStatus, why);
            co_await Complete(op, final.outcome, final.status, final.message, final.callbacks);
            co_await WatchAfter(op.target_id, final.outcome.state);
            co_return;
        }
        co_await AbandonResourceOperation(op, why);
    } catch (const std::exception& e) {
        // Nothing more to do than say so: the operation stays unfinished until a restart.
        ESCD_ERROR("engine") << "cannot record the failure of " << op.transaction_id << ": "
                             << e.what();
    }
}

asio::awaitable<void> Engine::Start() {
    if (options_.paused_for_test) co_return;  // reconciles nothing, takes nothing, runs nothing
    // Claimed before the reconciliation, which writes the VMs it restores under their
    // deployment's latest transaction: the previous process's (or a dead node's) until then.
    auto claimed = co_await Claim();
    co_await Reconcile(claimed.monitors);
    Adopt(std::move(claimed));
    co_await lease_store_.ReleaseFinishedTransactions();
    monitor_.Start();
    if (options_.takeover_every.count() > 0) {
        asio::co_spawn(ioc_, TakeOverEvery(options_.takeover_every),
                       log::LogFailure(log::Level::kError, "engine", "the takeovers ended"));
    }
}

asio::awaitable<void> Engine::Run(model::Operation op, int attempt) {
    ESCD_DEBUG("engine") << "running " << model::KindText(op) << " " << op.target_id
                         << " tx=" << op.transaction_id;
    // A kind this escd does not know (stored by another version) fails for good (Abandon).
    if (!op.kind) throw UnknownOperationKind(op);
    const auto resource_kind = model::ResourceKindOf(op.target_kind);
    if (resource_kind == model::ResourceKind::kTenant) {
        co_await RunTenantOperation(op);
    } else if (resource_kind == model::ResourceKind::kDeployment) {
        co_await RunDeploymentOperation(op, attempt);
    } else if (resource_kind && model::xml::FindKindXml(*resource_kind)) {
        co_await RunResourceOperation(op);
    } else {
        throw Error(ErrorCode::kInternal,
                    "no workflow for target kind " + std::string(ToString(op.target_kind)));
    }
}

asio::awaitable<void> Engine::RunDeploymentOperation(const model::Operation& op, int attempt) {
    {
        std::lock_guard lock(operating_mutex_);
        operating_.insert(op.target_id);
    }
    // Left whatever way this operation ends.
    struct Done {
        Engine& engine;
        const std::string& id;
        ~Done() {
            std::lock_guard lock(engine.operating_mutex_);
            engine.operating_.erase(engine.operating_.find(id));
        }
    } done{*this, op.target_id};
    DeploymentWorkflow::Final final;
    std::exception_ptr unavailable;  // run again later
    std::string outage;              // why, when a VIM service did not answer ("" otherwise)
    try {
        using K = model::OperationKind;
        const auto kind = *op.kind;  // Run refused an unknown one
        if (kind == K::kCreateDeployment) {
            final = co_await deployments_.Deploy(op);
        } else if (kind == K::kUpdateDeployment) {
            final = co_await deployments_.Update(op);
        } else if (kind == K::kDeleteDeployment) {
            co_await AwaitCancelledEnds(op);
            final = co_await deployments_.Undeploy(op);
        } else if (kind == K::kServiceOperation || kind == K::kVmOperation ||
                   kind == K::kRecoverVm || kind == K::kScaleOut || kind == K::kScaleIn) {
            const auto action = model::xml::DeploymentActionFromPayload(op.payload);
            OperationCancels::Tracking cancel;  // of a recovery or a scale: until it ends
            if (model::UndeployCancels(kind)) cancel = co_await TrackCancel(op);
            if (kind == K::kServiceOperation) {
                final = co_await deployments_.ServiceOperation(op, action.operation);
            } else if (kind == K::kScaleOut || kind == K::kScaleIn) {
                final = co_await deployments_.Scale(op, action.vm_group, kind == K::kScaleOut,
                                                    cancel.flag());
                if (final.status != 200) HoldBackScaling(op.target_id, action.vm_group);
            } else if (kind == K::kRecoverVm) {
                final = co_await deployments_.RecoverVm(op, action.vm_name, action.check_first,
                                                        cancel.flag());
            } else {
                final = co_await deployments_.VmOperation(op, action.operation, action.vm_name);
            }
        } else if (IsSnapshotOperation(kind)) {
            final = co_await snapshots_.Run(op);
        } else if (kind == K::kMigrateVm) {
            final = co_await migrations_.Migrate(op);
        } else {
            throw Error(ErrorCode::kInternal,
                        "no deployment workflow for " + std::string(model::KindText(op)));
        }
    } catch (const model::LeaseLost&) {
        throw;  // another node runs it now: nothing of it is this node's to record (Launch)
    } catch (const Error& e) {
        if (e.retryable() && !stopping_) {
            unavailable = std::current_exception();  // retried with backoff (Launch)
            if (dynamic_cast<const vim::VimUnavailable*>(&e)) outage = e.what();
        } else {
            // Anything else ends the operation: the deployment stays for an undeploy to clear.
            ESCD_WARN("engine") << model::KindText(op) << " " << op.target_id
                                << " failed: " << e.what();
            final = DeploymentWorkflow::Failed(op, HttpStatusOf(e, Reply::kCallback), e.what());
        }
    }
    if (unavailable) {
        if (!outage.empty()) co_await NotifyOutage(op, outage, attempt);
        std::rethrow_exception(unavailable);
    }
    co_await Complete(op, final.outcome, final.status, final.message, final.callbacks);
    co_await WatchAfter(op.target_id, final.outcome.state);
    if (final.outcome.state == model::ResourceState::kRemoved)
        ForgetStrand(op.target_kind, op.target_id);
}

asio::awaitable<void> Engine::WatchAfter(const std::string& deployment_id,
                                         model::ResourceState state) {
    if (state == model::ResourceState::kRemoved) {
        monitor_.Drop(deployment_id);
        co_return;
    }
    try {
        co_await lease_store_.HoldMonitor(deployment_id);
    } catch (const std::exception& e) {
        // Watched here all the same; the takeovers settle who watches it.
        ESCD_WARN("monitor") << "cannot take the monitoring of " << deployment_id << ": "
                             << e.what();
    }
    monitor_.Hold(deployment_id);
}

asio::awaitable<void> Engine::NotifyOutage(const model::Operation& op,
                                           std::string why,
                                           int attempt) {
    // Once per operation (its first attempt; again after a restart of escd): the client learns
    // that the operation waits, not each of the retries that follow.
    if (attempt > 0) co_return;
    model::DeploymentStep step;
    step.transaction_id = op.transaction_id;
    step.deployment_id = op.target_id;
    step.events = DeploymentWorkflow::Waiting(op, why, RetryDelay(attempt));
    if (step.events.empty()) co_return;
    try {
        auto rows = co_await deployment_store_.RecordDeploymentStep(step);
        notifier_.Enqueue(std::move(rows));
    } catch (const std::exception& e) {
        ESCD_WARN("engine") << "cannot record the VIM_UNAVAILABLE event of " << op.transaction_id
                            << ": " << e.what();
    }
}

asio::awaitable<void> Engine::Complete(const model::Operation& op,
                                       const model::ResourceOutcome& outcome,
                                       int status_code,
                                       const std::string& status_message,
                                       const std::vector<model::OutboxMessage>& callbacks) {
    for (int attempt = 0;; ++attempt) {
        try {
            auto rows = co_await operation_store_.CompleteOperation(op, outcome, status_code,
                                                                    status_message, callbacks);
            notifier_.Enqueue(std::move(rows));
            ESCD_INFO("engine") << model::KindText(op) << " " << op.target_id
                                << " finished: " << status_code << " " << status_message
                                << " tx=" << op.transaction_id;
            co_return;
        } catch (const model::LeaseLost&) {
            throw;  // its end is the other node's to record
        } catch (const Error& e) {
            if (e.origin() != ErrorOrigin::kDatabase || stopping_) throw;
            // The VIM work is done; only its record is missing. Keep trying: the outcome must not
            // be lost, and the operation would otherwise be re-run after a restart.
            ESCD_WARN("engine") << "cannot record the end of " << op.transaction_id << ": "
                                << e.what();
        } catch (const std::exception& e) {
            // The database refused the outcome (a libpqxx error: a constraint, a trigger, a
            // serialization failure). Not the operation's fault: it is run again later, from
            // its last committed step (Launch backs off).
            throw Error(ErrorOrigin::kDatabase, ErrorCode::kUnavailable,
                        "the database refused the end of " + op.transaction_id + ": " + e.what());
        }
        co_await clock_.Wait(std::chrono::seconds(std::min(30, 1 << std::min(attempt, 5))));
    }
}

}  // namespace escd::orchestrator
