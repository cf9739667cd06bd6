#pragma once
/// @file
/// The deploy and undeploy workflows of a deployment (BEHAVIOUR.md §3-4), run by the engine on
/// the deployment's strand.
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

#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/deployment.hpp"
#include "model/operation.hpp"
#include "model/store.hpp"
#include "orchestrator/icmp_pinger.hpp"
#include "orchestrator/notifier.hpp"
#include "vim/adapter.hpp"

namespace escd::orchestrator {

class DeploymentWorkflow {
  public:
    DeploymentWorkflow(model::Store& store,
                       asio::thread_pool& db_pool,
                       vim::Adapter& vim,
                       Notifier& notifier,
                       IcmpPinger& pinger)
        : store_(store), db_pool_(db_pool), vim_(vim), notifier_(notifier), pinger_(pinger) {}

    /// How the operation ends: what Engine::Complete commits with the operation's end.
    struct Final {
        model::ResourceOutcome outcome;
        int status = 200;
        std::string message;
        std::vector<model::OutboxMessage> callbacks;
    };

    asio::awaitable<Final> Deploy(const model::Operation& op);
    asio::awaitable<Final> Undeploy(const model::Operation& op);

  private:
    struct Context;
    asio::awaitable<void> Commit(Context& context, model::DeploymentStep& step);
    asio::awaitable<void> EnsureTenant(Context& context);
    asio::awaitable<model::VmRecord> PlanVm(Context& context,
                                            const model::VmGroupSpec& group,
                                            int index);
    /// Creates the VM on the VIM; false when the VIM refused (the VM is then in error).
    asio::awaitable<bool> CreateOnVim(Context& context,
                                      const model::VmGroupSpec& group,
                                      model::VmRecord& vm);

    /// The VM_ALIVE verdict of a VM that the VIM made (see the file comment). Spawned per VM,
    /// so takes the VM by value.
    asio::awaitable<bool> CheckAlive(Context& context, model::VmRecord vm);

    model::Store& store_;
    asio::thread_pool& db_pool_;
    vim::Adapter& vim_;
    Notifier& notifier_;
    IcmpPinger& pinger_;
};

}  // namespace escd::orchestrator
