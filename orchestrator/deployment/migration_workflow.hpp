#pragma once
/// @file
/// POST /{tenant}/deployments/migrate-vm/{vm} (operation kind MIGRATE_VM), run by the engine on
/// the strand of the VM's deployment: the VM is moved to another enabled compute host of the VIM
/// (vim::Migration::MigrateVm), its record's host changes, and one callback reports it (committed
/// with the operation's end, when the deployment takes requests again):
/// an <esc_event> VM_MIGRATE_COMPLETE with the VM's <vm_source> (its new host_name) and, in
/// <event_details>, <source_host>, <target_host> and <migration_type>, to Callback and, when
/// given and different, Callback-ESC-Events.
///
/// The target host is chosen when the request is accepted (the one it names, or the first
/// enabled host other than the VM's) and travels in the payload; it is checked again here, since
/// it may have been disabled since (409). A VIM that cannot move the VM that way answers with
/// ESC-Status-Code 501 (live migration on the libvirt test driver) and the VM stays where it
/// was; so it does on any other failure (500, with the VIM's reason).
///
/// The VM keeps its state: a cold-migrated running VM is started again on its new host, and its
/// guest, which boots afresh there, must be alive again (its group's check within bootup_time,
/// as after a reboot) before the callback: until then the operation holds the deployment, so
/// monitoring does not take the boot for a failure. Not alive by then: the callback is still 200
/// (the VM moved) and says so, and monitoring's verdicts decide (recovery by the group's policy).
/// Monitoring goes on watching it there (its KPI, and the lifecycle events of the host that now
/// holds it). A rerun after a crash finds the record on the target already
/// (the move committed: only the callback is left to send) or lets the adapter finish or redo
/// the move.

#include <string>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/operation_payload.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/stores/host_store.hpp"
#include "orchestrator/deployment/deployment_workflow.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "vim/capabilities/migration.hpp"

namespace escd::orchestrator {

struct LoadedDeployment;

class MigrationWorkflow {
  public:
    MigrationWorkflow(model::DeploymentStore& deployments,
                      model::HostStore& hosts,
                      vim::Migration& vim,
                      Notifier& notifier,
                      DeploymentWorkflow& workflow)
        : deployments_(deployments),
          hosts_(hosts),
          vim_(vim),
          notifier_(notifier),
          workflow_(workflow) {}

    /// Runs a MIGRATE_VM operation: a success commits the VM's new host before it returns; the
    /// callback is in Final::callbacks. Throws Error(kUnavailable) when the VIM or the database
    /// cannot be reached (the engine runs it again later).
    asio::awaitable<DeploymentWorkflow::Final> Migrate(const model::Operation& op);

  private:
    /// The VIM's move of `vm` (its host and uuid updated), after the target is checked again.
    asio::awaitable<void> Move(const model::MigrationPlan& plan,
                               const LoadedDeployment& loaded,
                               model::VmRecord& vm);

    model::DeploymentStore& deployments_;
    model::HostStore& hosts_;
    vim::Migration& vim_;
    Notifier& notifier_;
    DeploymentWorkflow& workflow_;  ///< the alive check of a guest a cold move restarted
};

}  // namespace escd::orchestrator
