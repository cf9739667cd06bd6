#pragma once
/// @file
/// The workflows of a deployment (docs/behaviour.md, "Event sequences"), run by the engine on
/// the deployment's strand: deploy and undeploy here; update, recovery, scaling and monitoring
/// verdicts in deployment_update.cpp, deployment_recovery.cpp, deployment_scaling.cpp and
/// deployment_verdict.cpp.
///
/// Every transition of a VM or of the service is one DeploymentStep: committed with the events it
/// emits in one transaction, then handed to the notifier. A workflow reads the stored state first
/// and only does what is left, so an operation cut by a crash resumes from its last committed
/// step: a VM in VM_DEPLOYING_STATE is created again (the VIM finds it by name), a VM already
/// VM_ALIVE_STATE is left alone, and no event is sent twice by escd (the notifier delivers each
/// at least once).
///
/// Deploy: [the tenant, when the datamodel named one that did not exist: CREATE_TENANT] →
/// per VM (min_active of each group): addresses allocated, created on the VIM, VM_DEPLOYED →
/// service inert → per VM VM_ALIVE once it is alive → SERVICE_ALIVE. Alive means: the group's
/// VM_ALIVE KPI (ICMPPing on its nicid) answered metric_occurrences_true polls in a row within
/// bootup_time; for a group without such a KPI, the VIM reports the VM running.
/// Undeploy: per VM removed from the VIM, VM_UNDEPLOYED → SERVICE_UNDEPLOYED.
/// Events go to Callback and, when given and different, to Callback-ESC-Events.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "common/cancel_flag.hpp"
#include "common/clock.hpp"
#include "model/deployment.hpp"
#include "model/operation.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/host_store.hpp"
#include "model/stores/operation_store.hpp"
#include "model/stores/resource_store.hpp"
#include "model/stores/settings_store.hpp"
#include "model/stores/snapshot_store.hpp"
#include "model/xml/deployment_docs.hpp"
#include "orchestrator/deployment/vm_follower.hpp"
#include "orchestrator/engine/in_turn.hpp"
#include "orchestrator/monitor/pinger.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "orchestrator/resources/file_fetcher.hpp"
#include "vim/capabilities/compute.hpp"
#include "vim/capabilities/hosts.hpp"
#include "vim/capabilities/networks.hpp"
#include "vim/capabilities/tenants.hpp"

namespace escd::orchestrator {

/// stop, start, reboot, enable_monitoring, disable_monitoring.
bool IsVmOperation(std::string_view operation);
/// The VM state machine event an operation requests (to check applicability before accepting).
std::optional<model::VmEvent> VmOperationEvent(std::string_view operation);

class DeploymentWorkflow {
  public:
    /// The VIM capabilities a deployment uses: its tenant and declared networks are made on the
    /// default VIM, its VMs (with their day-0 files) where their groups' locators say.
    struct Vim {
        vim::Tenants& tenants;
        vim::Networks& networks;
        vim::Compute& vms;
        vim::Hosts& hosts;
    };

    /// `file_pool` runs the file reads of day-0 configuration. `clock`: the time of a booting
    /// VM's bootup_time and of the pauses between its probes (alive_check.hpp).
    DeploymentWorkflow(model::ResourceStore& resources,
                       model::DeploymentStore& deployments,
                       model::SnapshotStore& snapshots,
                       model::HostStore& hosts,
                       model::SettingsStore& settings,
                       asio::thread_pool& file_pool,
                       Vim vim,
                       Notifier& notifier,
                       Pinger& pinger,
                       Clock& clock,
                       FileFetcher& fetcher)
        : resources_(resources),
          deployments_(deployments),
          snapshots_(snapshots),
          hosts_(hosts),
          settings_(settings),
          file_pool_(file_pool),
          vim_(vim),
          notifier_(notifier),
          pinger_(pinger),
          clock_(clock),
          fetcher_(fetcher) {}

    /// How the operation ends: what Engine::Complete commits with the operation's end.
    struct Final {
        model::ResourceOutcome outcome;
        int status = 200;
        std::string message;
        std::vector<model::OutboxMessage> callbacks;

        /// An operation that leaves the deployment in place (ACTIVE), with `status`.
        static Final KeepsDeployment(int status, std::string message) {
            Final final;
            final.outcome.state = model::ResourceState::kActive;
            final.status = status;
            final.message = std::move(message);
            return final;
        }
    };

    /// The end of an operation that failed as a whole (before or between its steps): its
    /// SERVICE_ALIVE / SERVICE_UNDEPLOYED callback with `status` and `why`.
    static Final Failed(const model::Operation& op, int status, const std::string& why);

    /// The event of an operation that met an outage of its VIM (a service that does not
    /// answer) and runs again after `retry_in`: deployment_stage VIM_UNAVAILABLE, ESC-Status-Code
    /// 503, ESC-Status-Message "Service group deployment waits for the VIM: <why>; will retry
    /// in <n> s" (undeployment, update, or the operation's kind for the others), to the same
    /// URLs as the operation's other deployment events.
    ///
    /// Why an event of its own rather than a VM_DEPLOYED or SERVICE_ALIVE with 503: receivers
    /// de-duplicate by (transaction id, event)
    /// (docs/decisions.md#receivers-de-duplicate-by-transaction-and-event), so a 503 under either
    /// name would make the success that follows look like a duplicate; and a VM_DEPLOYED with a
    /// failure code means the VM failed and recovery starts, which is not the case. The
    /// operation's own end (SERVICE_ALIVE, ...) still comes, once, when the VIM is back.
    static std::vector<model::OutboxMessage> Waiting(const model::Operation& op,
                                                     const std::string& why,
                                                     std::chrono::seconds retry_in);

    asio::awaitable<Final> Deploy(const model::Operation& op);
    asio::awaitable<Final> Undeploy(const model::Operation& op);
    /// PUT /v0/deployments/{id}: the datamodel in op.payload replaces the stored one
    /// (deployment_update.cpp has the order of its steps and what a failure undoes).
    asio::awaitable<Final> Update(const model::Operation& op);
    /// POST /{tenant}/deployments/service/{dep}: `operation` on every VM, then the service.
    asio::awaitable<Final> ServiceOperation(const model::Operation& op,
                                            const std::string& operation);
    /// POST /{tenant}/deployments/vm/{vm}: one <esc_event> VM_<OP>_COMPLETE, then VM_ALIVE for
    /// start, reboot and enable_monitoring once the VM is alive again. When VM_ALIVE follows, the
    /// <esc_event> is committed here, before it; otherwise it commits with the operation's end.
    asio::awaitable<Final> VmOperation(const model::Operation& op,
                                       const std::string& operation,
                                       const std::string& vm_name);

    /// POST /{tenant}/deployments/recovery-vm/{vm}, and the recoveries escd starts itself
    /// (RECOVER_VM operations; deployment_recovery.cpp). With `check_first`
    /// (checkVmBeforeRecovery) a VM found alive is left alone: VM_RECOVERY_CANCELLED. Once
    /// `cancel` is set (an undeploy overtook it), no attempt follows and the boot check of the
    /// one being made gives up: VM_RECOVERY_CANCELLED.
    asio::awaitable<Final> RecoverVm(const model::Operation& op,
                                     const std::string& vm_name,
                                     bool check_first,
                                     std::shared_ptr<const CancelFlag> cancel = nullptr);

    /// What a raised KPI event other than VM_ALIVE asks of the engine: its group scaled out or
    /// in (rules "TRUE servicescaleup.sh" / "TRUE servicescalein.sh", elastic groups only, within
    /// min_active..max_active; deployment_scaling.cpp).
    struct ScaleRequest {
        std::string group;
        bool out = true;
    };
    asio::awaitable<std::optional<ScaleRequest>> ApplyKpiEvent(const model::Operation& op,
                                                               const std::string& vm_name,
                                                               const std::string& event,
                                                               bool value);
    /// SCALE_OUT / SCALE_IN operations: one VM more or less in `group`. Once `cancel` is set (an
    /// undeploy overtook it), a scale out that has not started does not, and the boot check of
    /// its new VM gives up (the VM is removed again).
    asio::awaitable<Final> Scale(const model::Operation& op,
                                 const std::string& group,
                                 bool out,
                                 std::shared_ptr<const CancelFlag> cancel = nullptr);

    /// What a committed verdict asks of the engine: a down VM whose rules say "recover
    /// autohealing" is to be recovered after its group's recovery_wait_time (AUTO), or waits
    /// for a recovery-vm request (MANUAL).
    struct HealRequest {
        std::chrono::seconds wait{0};
        bool manual = false;
    };
    /// A raised VM_ALIVE KPI of VM `vm_name` (deployment_verdict.cpp). `op` is the latest
    /// operation on the deployment: its URLs and transaction id carry the events.
    asio::awaitable<std::optional<HealRequest>> ApplyVerdict(const model::Operation& op,
                                                             const std::string& vm_name,
                                                             bool alive);

    /// From now on `follower` is told of each committed step that wrote or removed VMs (set
    /// before the engine starts; nullptr: none).
    void FollowVms(VmFollower* follower) { follower_ = follower; }
    /// Tells the follower of a step committed outside this workflow (a migration's move).
    void VmsChanged(const model::DeploymentSpec& spec, const std::vector<model::VmRecord>& vms) {
        if (follower_) follower_->VmsChanged(spec, vms);
    }

    /// Whether VM `vm_name`, whose guest a cold migration started again on its new host
    /// (migration_workflow.cpp), comes alive: its group's check within bootup_time. Run inside
    /// the migration's operation, so that monitoring's verdicts meanwhile are dropped.
    asio::awaitable<bool> AliveAfterRestart(const model::Operation& op, const std::string& vm_name);

    /// Reconciliation after a restart: every VM of the deployment that should exist on the VIM
    /// but is not in `on_vim` is created again under its name (new uuid; an alive one is inert
    /// until monitoring sees it alive). Returns how many. `op` is the latest on the deployment.
    asio::awaitable<std::size_t> RestoreVms(const model::Operation& op,
                                            const std::set<std::string>& on_vim);

  private:
    struct Context;

    /// The addresses of each network as this process knows them. Deployments run concurrently,
    /// each on its own strand: two that read the committed allocations at the same time would
    /// choose the same free address, and the second commit would fail on ip_allocations'
    /// primary key (its operation aborted, relaunched after a back-off). So every choice is made
    /// under one lock, against the addresses committed (read once per network, and again when
    /// no address fits: some may have been released since) plus those chosen since by this
    /// process; a claim is released only after its step committed. The next free address is
    /// searched from the last one chosen, so a choice costs one step, not a read and a walk of
    /// every address in use (20,000 VMs on one subnet: bench/run-monitor.sh).
    class AddressClaims {
      public:
        /// The claims of one step. Its owner destroys it after the step committed (or failed).
        class Held {
          public:
            explicit Held(AddressClaims& claims) : claims_(claims) {}
            ~Held();
            Held(const Held&) = delete;
            Held& operator=(const Held&) = delete;

          private:
            friend class AddressClaims;
            AddressClaims& claims_;
            std::vector<std::pair<std::string, std::string>> addresses_;  ///< network, address
        };

        /// What a choice must avoid on one network, and where the last one ended.
        struct Taken {
            const std::set<std::string>& known;    ///< committed as last read, or chosen since
            const std::set<std::string>& claimed;  ///< by steps not committed yet
            const std::string& hint;               ///< the address chosen last ("" = none)
            bool Contains(const std::string& address) const;
        };

        /// Reads the committed allocations of the network.
        using Load = std::function<asio::awaitable<std::vector<std::string>>()>;
        /// An address `Taken` does not hold; throws kConflict when there is none.
        using Pick = std::function<std::string(const Taken&)>;

        /// Under the lock, `pick` returns an address of `network` that `Taken` does not hold
        /// (throwing kConflict when there is none; then the committed allocations are read
        /// again with `load` and `pick` gets one more try). The address is claimed for `held`;
        /// an empty one claims nothing. The lock is not held while `load` reads: what is chosen
        /// or released meanwhile is kept in the view the read replaces (Network::kept).
        asio::awaitable<std::string> Choose(Held& held,
                                            const std::string& network,
                                            const Load& load,
                                            const Pick& pick);
        /// What is known of `network` is stale (another node allocated on it): the next Choose
        /// reads its committed allocations again.
        void Forget(const std::string& network);

      private:
        struct Network {
            bool loaded = false;
            std::set<std::string> known;
            std::set<std::string> claimed;
            std::string hint;
            int reading = 0;  ///< reads of the committed allocations under way
            /// Chosen or released while a read was under way: that read may predate their
            /// commit, so they stay known when it replaces `known`.
            std::set<std::string> kept;
        };
        /// Claims `address` (unless empty) for `held` and returns it. Under the lock.
        static std::string Claim(Network& entry,
                                 Held& held,
                                 const std::string& network,
                                 std::string address);
        std::mutex mutex_;
        std::map<std::string, Network> networks_;
    };

    asio::awaitable<void> Load(Context& context);
    /// Moves `vm` through `operation` (request state, the VIM call, the end state); kRefused
    /// with `error` when the state machine or the VIM refused; kSkipped when a rerun finds it
    /// done already. Commits the request state only.
    enum class ApplyResult { kApplied, kSkipped, kRefused };
    asio::awaitable<ApplyResult> ApplyToVm(Context& context,
                                           const std::string& operation,
                                           model::VmRecord& vm,
                                           std::string& error);
    asio::awaitable<void> Commit(Context& context, model::DeploymentStep& step);
    asio::awaitable<void> EnsureTenant(Context& context);
    /// The networks and subnets the datamodel declares, on the VIM: CREATE_NETWORK and
    /// CREATE_SUBNET (to Callback). Those a first run made are left alone.
    asio::awaitable<void> CreateDeclaredNetworks(Context& context);
    /// Declared networks `network_ids` off it again (at undeploy, and those an update no longer
    /// declares or failed to use): DELETE_SUBNET, DELETE_NETWORK. Those a first run removed are
    /// left alone.
    asio::awaitable<void> RemoveDeclaredNetworks(Context& context,
                                                 const std::vector<std::string>& network_ids);
    /// The address and MAC of one interface of VM `vm_name` (the `index`th of its group); the
    /// allocation joins `step`, its address is claimed in `held` (keep it until `step` is
    /// committed). Throws kNotFound (network), kConflict (no free address).
    asio::awaitable<model::xml::AllocatedNic> AllocateNic(const model::VmGroupSpec& group,
                                                          const std::string& vm_name,
                                                          int index,
                                                          const model::InterfaceSpec& nic,
                                                          model::DeploymentStep& step,
                                                          AddressClaims::Held& held);
    /// Removes the VM and its config drive from the VIM and its record, with `event` (none when
    /// empty; a literal). Spawned per VM: by value.
    asio::awaitable<void> UndeployVm(Context& context,
                                     model::VmRecord vm,
                                     std::string_view event = "VM_UNDEPLOYED");
    /// UndeployVm() of each, concurrently; rethrows the first failure once all have ended.
    asio::awaitable<void> UndeployAll(Context& context, std::vector<model::VmRecord> vms);
    /// Adds the interfaces the group has and the VM lacks, removes those it has and the group
    /// lacks: VM_UPDATED when something changed. False when the VIM refused a change.
    asio::awaitable<bool> UpdateVmInterfaces(Context& context,
                                             const model::VmGroupSpec& group,
                                             model::VmRecord vm);
    asio::awaitable<model::VmRecord> PlanVm(Context& context,
                                            const model::VmGroupSpec& group,
                                            int index);
    /// The VM's day-0 files (orchestrator/deployment/day0.hpp: fetched, variables substituted),
    /// which its VmRequest carries to the VIM; none when the group has no config_data. Throws
    /// escd::Error when a file cannot be fetched.
    asio::awaitable<std::vector<vim::Day0File>> Day0Files(Context& context,
                                                          const model::VmGroupSpec& group,
                                                          const model::VmRecord& vm);
    /// The host for VM `vm_name` of `group`: an enabled VIM host (the one a zone_host placement
    /// names). Throws Error(kUnavailable) when there is none. The choice is claimed in the view
    /// at once (no suspension between choosing and claiming), so that VMs launched together
    /// see each other's hosts (affinity rules).
    asio::awaitable<std::string> PlaceVm(Context& context,
                                         const model::VmGroupSpec& group,
                                         const std::string& vm_name);
    /// VMs created together (a deploy): placed in the order of their indexes, each seeing the
    /// hosts of those before it, and their outcomes committed in that order, while their VIM
    /// calls overlap.
    struct LaunchOrder {
        explicit LaunchOrder(const asio::any_io_executor& executor)
            : placed(executor), committed(executor) {}
        InTurn placed;
        InTurn committed;
    };
    /// Places `vm`, builds its config drive and creates it on the VIM (deploy, scale out,
    /// recovery's redeploy, restore after a restart): what the VIM reports. No state change.
    /// With `order`, placed in the turn of `index`.
    asio::awaitable<vim::VmInfo> LaunchVm(Context& context,
                                          const model::VmGroupSpec& group,
                                          const model::VmRecord& vm,
                                          LaunchOrder* order = nullptr,
                                          std::size_t index = 0);
    /// What the VIM is asked for to create `vm` (size from the flavor or the group, image, NICs);
    /// host and config drive are left to the caller. `group` is one of context.spec's (whose
    /// flavors ReadFlavors reads).
    asio::awaitable<vim::VmRequest> BuildVmRequest(Context& context,
                                                   const model::VmGroupSpec& group,
                                                   const model::VmRecord& vm);
    /// The flavors the groups of context.spec name and context.flavors lacks, read into it with
    /// one store call. BuildVmRequest reads them when it needs them; VMs launched together are
    /// preceded by this read, so that they share it.
    asio::awaitable<void> ReadFlavors(Context& context);
    /// Creates the VM on the VIM, reported by `deployed_event`; false when the VIM refused (the
    /// VM is then in error). With `order`, placed and committed in the turn of `index` among
    /// VMs created together.
    asio::awaitable<bool> CreateOnVim(Context& context,
                                      const model::VmGroupSpec& group,
                                      model::VmRecord& vm,
                                      std::string_view deployed_event = "VM_DEPLOYED",
                                      LaunchOrder* order = nullptr,
                                      std::size_t index = 0);

    /// Heals `vm_name` per its group's recovery_policy (deployment_recovery.cpp); true when it
    /// ends alive, else it is in error and so is the service. Spawned per VM: by value.
    asio::awaitable<bool> Recover(Context& context, std::string vm_name);
    /// Recover() of each, concurrently; rethrows the first failure once all have ended.
    asio::awaitable<void> RecoverAll(Context& context, std::vector<std::string> names);
    /// bootup_time passed: Recover() each of `vms` that is still not alive (unless its group's
    /// recovery_type is MANUAL).
    asio::awaitable<void> RecoverNotAlive(Context& context,
                                          const std::vector<model::VmRecord>& vms);
    /// One attempt: a hard reboot (a stopped VM is started); VM_RECOVERY_REBOOT. False when the
    /// VIM has no such VM or refused.
    asio::awaitable<bool> RebootToRecover(Context& context, model::VmRecord& vm);
    /// One attempt: removed and created again under its name with its addresses;
    /// VM_RECOVERY_UNDEPLOYED, VM_RECOVERY_DEPLOYED. False when the create failed.
    asio::awaitable<bool> RedeployToRecover(Context& context, model::VmRecord& vm);
    /// In `step`: the removal of the snapshot rows of `vm_name`, whose VM the VIM just deleted
    /// (with its snapshots) to make it again.
    asio::awaitable<void> DropSnapshotRows(model::DeploymentStep& step, const std::string& vm_name);

    /// The rolling image upgrade of an update (deployment_rolling.cpp): every kept vm_group whose
    /// image `old_spec` names differently, VM by VM; "" when done, else why the groups it
    /// touched were rolled back to their old image.
    asio::awaitable<std::string> RollImages(Context& context,
                                            const model::DeploymentSpec& old_spec);
    /// One VM of `group` made again under its name on `group`'s image: VM_UPDATED once alive
    /// (200, `done`), or 500 when it could not be made or did not come alive. Whether it is.
    asio::awaitable<bool> RedeployOnImage(Context& context,
                                          const model::VmGroupSpec& group,
                                          model::VmRecord vm,
                                          const std::string& done);
    /// DEFAULT/VM_RECOVERY_RETRY_MAX (3 when unset or not a number), read from the settings store.
    asio::awaitable<int> RecoveryRetryMax();

    /// Waits for the VM_ALIVE verdict of each of `waiting` (in parallel) and commits VM_ALIVE
    /// for those that became alive.
    asio::awaitable<void> AwaitAlive(Context& context, const std::vector<model::VmRecord>& waiting);
    /// The VM_ALIVE verdict of a VM that the VIM made (see the file comment), within its
    /// bootup_time, or from `one_poll` (checkVmBeforeRecovery). Spawned per VM, so takes the
    /// VM by value.
    asio::awaitable<bool> CheckAlive(Context& context, model::VmRecord vm, bool one_poll = false);

    model::ResourceStore& resources_;
    model::DeploymentStore& deployments_;
    model::SnapshotStore& snapshots_;
    model::HostStore& hosts_;
    model::SettingsStore& settings_;
    asio::thread_pool& file_pool_;
    Vim vim_;
    Notifier& notifier_;
    VmFollower* follower_ = nullptr;
    Pinger& pinger_;
    Clock& clock_;
    FileFetcher& fetcher_;
    AddressClaims claims_;
};

}  // namespace escd::orchestrator
