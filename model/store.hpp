#pragma once
/// @file
/// model::Store — escd's durable state, behind an interface so that the engine and the server do
/// not see SQL (the libpqxx implementation is model/store/pg/).
///
/// Reads BLOCK (they talk to PostgreSQL): call them on the database pool through escd::Offload,
/// never on an Asio thread. Writes are awaitables: the implementation does the blocking part on
/// its own threads (the PostgreSQL store batches concurrent writes into one commit) and resumes
/// the caller on its executor once the write is durable. Parameters are references: callers
/// await at once. Methods are thread safe. Errors: escd::Error with kNotFound / kConflict for
/// client mistakes it detects, kUnavailable when the database cannot be reached; anything else is
/// internal.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/config_parameter.hpp"
#include "model/dynamic_mapping.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/vim_connector.hpp"
#include "model/vm_record.hpp"
#include "model/vm_snapshot.hpp"

namespace escd::model {

/// What the completion of an operation does to its target resource.
struct ResourceOutcome {
    ResourceState state = ResourceState::kActive;  ///< kRemoved deletes the row
    std::optional<std::string> external_id;        ///< set when the VIM gave one
    std::optional<std::string> spec;               ///< the new spec (successful update)
    std::optional<std::string> name;
};

class Store {
  public:
    virtual ~Store() = default;

    // Resources.
    /// All resources of `kind` (optionally of one tenant) in internal-id order, including those
    /// being created or deleted.
    virtual std::vector<ResourceRecord> ListResources(
        const std::string& kind, const std::optional<std::string>& tenant_id) = 0;
    /// Resources of `kind` whose direct parent is `parent_id` (a network's subnets), by id.
    virtual std::vector<ResourceRecord> ListChildren(const std::string& kind,
                                                     const std::string& parent_id) = 0;
    virtual std::optional<ResourceRecord> GetResource(const std::string& kind,
                                                      const std::string& internal_id) = 0;
    /// Resources of `kind` whose internal id, external (VIM) id or name is `key`, by internal id:
    /// the candidates a datamodel's reference may mean (model/reference_resolution.hpp).
    virtual std::vector<ResourceRecord> FindResourcesByKey(const std::string& kind,
                                                           const std::string& key) = 0;

    // Accepting work: the intent and the operation row commit together, or not at all.
    /// Inserts `resource` (state CREATING) and `op`. kConflict when the internal id is used by
    /// any resource of any kind; kNotFound when resource.parent_id names no active resource of
    /// ParentKindOf(resource.kind) in resource.tenant_id.
    virtual asio::awaitable<void> AcceptCreate(const ResourceRecord& resource,
                                               const Operation& op) = 0;
    /// Moves the resource to UPDATING and records `op` (whose payload is the new spec).
    /// kNotFound when absent; kConflict when another operation runs on it.
    virtual asio::awaitable<void> AcceptUpdate(const std::string& kind,
                                               const std::string& internal_id,
                                               const Operation& op) = 0;
    /// Moves the resource to DELETING and records `op`. kNotFound when absent; kConflict when
    /// another operation runs on it, or when it still has children (a tenant that owns resources,
    /// a network with subnets) or a deployment uses it.
    virtual asio::awaitable<void> AcceptDelete(const std::string& kind,
                                               const std::string& internal_id,
                                               const Operation& op) = 0;

    // Completing work: the outcome, the operation's end and its callbacks commit together.
    /// Returns the outbox rows it inserted, in delivery order.
    virtual asio::awaitable<std::vector<OutboxRow>> CompleteOperation(
        const Operation& op,
        const ResourceOutcome& outcome,
        int status_code,
        const std::string& status_message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Operations accepted but not finished (to resume after a restart), oldest first.
    virtual std::vector<Operation> UnfinishedOperations() = 0;

    // Callback outbox.
    /// Rows still to deliver, in id order.
    virtual std::vector<OutboxRow> PendingOutbox() = 0;
    /// Marks row `id` delivered, and every earlier row of its transaction still pending: the
    /// notifier sends a transaction's next callback before this commits, so marks may land out
    /// of order, yet what stays pending is always a suffix and a restart resends in order.
    virtual asio::awaitable<void> MarkOutboxDelivered(const std::string& transaction_id,
                                                      std::int64_t id) = 0;
    virtual asio::awaitable<void> MarkOutboxRetry(
        std::int64_t id,
        int attempts,
        std::chrono::system_clock::time_point next_attempt_at,
        const std::string& error) = 0;
    /// Final failure: state "REFUSED" (target not allowed) or "EXPIRED" (retries exhausted).
    virtual asio::awaitable<void> MarkOutboxAbandoned(std::int64_t id,
                                                      const std::string& state,
                                                      int attempts,
                                                      const std::string& reason) = 0;

    // Config parameters (/v0/config). Blocking; categories and keys upper case.
    virtual std::vector<ConfigParameter> ListConfigParameters() = 0;
    /// Inserts a new parameter; false when (category, key) exists already.
    virtual bool CreateConfigParameter(const ConfigParameter& parameter) = 0;
    /// Changes the value of an existing parameter; false when there is none.
    virtual bool UpdateConfigParameter(const std::string& category,
                                       const std::string& key,
                                       const std::string& value) = 0;

    // Dynamic mappings. Blocking.
    virtual std::vector<DynamicMapping> ListDynamicMappings(const std::string& kind) = 0;
    /// Inserts all of `entries` or none; kConflict naming the first existing one.
    virtual void CreateDynamicMappings(const std::vector<DynamicMapping>& entries) = 0;
    /// Deletes one non-CORE entry; false when there is none (the caller checked CORE).
    virtual bool DeleteDynamicMapping(const std::string& kind, const std::string& name) = 0;
    /// Deletes every non-CORE entry of `kind`; returns how many.
    virtual int DeleteNonCoreDynamicMappings(const std::string& kind) = 0;

    // Hosts.
    /// Whether escd may place VMs on `host`: true unless it was disabled. Blocking.
    virtual bool HostSchedulable(const std::string& host) = 0;
    /// Records the switch, a finished `op`, and its events for the notifier, in one transaction.
    virtual asio::awaitable<std::vector<OutboxRow>> SetHostSchedulable(
        const std::string& host,
        bool schedulable,
        const Operation& op,
        const std::vector<OutboxMessage>& events) = 0;

    // VM snapshots (model/snapshot_lifecycle.hpp). Their requests are operations on the VM's
    // deployment: accepting one moves the deployment to UPDATING as AcceptUpdate does (kNotFound
    // when it is gone, kConflict while another operation runs on it), so they serialise with its
    // other operations; their outcome is a DeploymentStep (DeploymentStep::snapshots).
    /// VM snapshots, optionally of one tenant and/or one generated VM name. Blocking.
    virtual std::vector<VmSnapshot> ListVmSnapshots(const std::string& tenant_id,
                                                    const std::string& vm_name) = 0;
    /// The snapshots whose id or whose name is `id_or_name` (ids are unique, names need not be),
    /// oldest first. Blocking.
    virtual std::vector<VmSnapshot> FindVmSnapshots(const std::string& id_or_name) = 0;
    /// snapshot-vm: the deployment of `op` to UPDATING, `snapshot` inserted CREATING (kNotFound
    /// when its VM is no longer in that deployment; kConflict when its id is taken), `op` recorded.
    virtual asio::awaitable<void> AcceptVmSnapshot(const VmSnapshot& snapshot,
                                                   const Operation& op) = 0;
    /// A request on an existing snapshot (revert, delete, a volume from it): the deployment of
    /// `op` to UPDATING, the snapshot moved by `event` (kNotFound when it is gone; kConflict when
    /// its transition table has no row for `event`), `volume` (when given) inserted CREATING
    /// under its tenant (kConflict when its internal id is used by anything), `op` recorded.
    virtual asio::awaitable<void> AcceptVmSnapshotRequest(
        const std::string& snapshot_id,
        SnapshotEvent event,
        const std::optional<ResourceRecord>& volume,
        const Operation& op) = 0;

    // Deployments (the deployment row itself is a resource of kind "deployment").
    /// Inserts the deployment (CREATING, parent its tenant), its service (DEPLOYING) and `op`;
    /// when the tenant does not exist, also the tenant (CREATING, to be created by `op`).
    /// kConflict when the id is used, or the tenant is being deleted or the id of another kind.
    /// `uses` lists the (kind, id) of the images, flavors and networks it names: deleting one
    /// of them is refused (409) while the deployment exists. `declared` are the networks and
    /// subnets the datamodel declares: inserted CREATING (kConflict when an id is used).
    virtual asio::awaitable<void> AcceptDeployment(
        const ResourceRecord& deployment,
        const Operation& op,
        const std::vector<std::pair<std::string, std::string>>& uses,
        const std::vector<ResourceRecord>& declared) = 0;
    /// PUT of a deployment: moves it to UPDATING (kNotFound, kConflict as AcceptUpdate) and
    /// records `op` (whose payload is the new datamodel); `uses` (of the new datamodel) join
    /// what it uses until the update's last step says what remains.
    virtual asio::awaitable<void> AcceptDeploymentUpdate(
        const Operation& op, const std::vector<std::pair<std::string, std::string>>& uses) = 0;
    /// The operation accepted last on a target (its callback URLs serve events no request
    /// caused); nullopt when there is none. Blocking.
    virtual std::optional<Operation> LatestOperation(const std::string& target_id) = 0;
    /// The service state of a deployment; nullopt when there is none. Blocking.
    virtual std::optional<ServiceState> GetServiceState(const std::string& deployment_id) = 0;
    /// The VMs of a deployment by group and index. Blocking.
    virtual std::vector<VmRecord> ListVms(const std::string& deployment_id) = 0;
    /// Every VM of every deployment, by deployment, group and index (lists). Blocking.
    virtual std::vector<VmRecord> ListAllVms() = 0;
    /// The service state of every deployment (lists). Blocking.
    virtual std::map<std::string, ServiceState> ListServiceStates() = 0;
    /// One VM by name. Blocking.
    virtual std::optional<VmRecord> GetVm(const std::string& vm_name) = 0;
    /// Addresses allocated on a network. Blocking.
    virtual std::vector<std::string> AllocatedAddresses(const std::string& network_id) = 0;
    /// Commits one step of a deployment workflow and returns its outbox rows.
    virtual asio::awaitable<std::vector<OutboxRow>> RecordDeploymentStep(
        const DeploymentStep& step) = 0;

    // Settings (admin password hash, operation mode, ...). Blocking, both.
    virtual std::optional<std::string> GetSetting(const std::string& key) = 0;
    virtual void PutSetting(const std::string& key, const std::string& value) = 0;

    // VIM connectors and VIM users (/v0/vims). Reads block. Each write commits the change, a
    // finished `op` (status 200, `message`) and its `callbacks` in one transaction, and returns
    // the outbox rows it inserted; refusals (kNotFound, kConflict) store nothing.
    /// Every connector in id order, secrets included.
    virtual std::vector<VimConnector> ListVimConnectors() = 0;
    virtual std::optional<VimConnector> GetVimConnector(const std::string& id) = 0;
    /// Inserts `connector`, which becomes the default when there is none. kConflict when its id
    /// is taken.
    virtual asio::awaitable<std::vector<OutboxRow>> CreateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Replaces type and properties and forgets the last status. kNotFound when absent.
    virtual asio::awaitable<std::vector<OutboxRow>> UpdateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// kNotFound when absent; kConflict while it has VIM users, or when it is the default and
    /// other connectors exist (one of them must become the default first).
    virtual asio::awaitable<std::vector<OutboxRow>> DeleteVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Makes `id` the one default connector. kNotFound when absent.
    virtual asio::awaitable<std::vector<OutboxRow>> SetDefaultVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Records the outcome of a status check. kNotFound when the connector is gone.
    virtual asio::awaitable<std::vector<OutboxRow>> RecordVimConnectorStatus(
        const std::string& id,
        const VimConnectorStatus& status,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Inserts `connector` (escd's own VIM) as the default unless this was done once on this
    /// database: a connector the client deleted stays deleted. Blocking; for start-up. Returns
    /// whether it inserted.
    virtual bool PreloadVimConnector(const VimConnector& connector) = 0;
    /// The users of connector `vim_id` in id order. kNotFound when the connector is absent.
    virtual std::vector<VimUser> ListVimUsers(const std::string& vim_id) = 0;
    /// kNotFound naming the connector or the user, whichever is absent.
    virtual VimUser GetVimUser(const std::string& vim_id, const std::string& user_id) = 0;
    /// kNotFound when the connector is absent; kConflict when the user exists.
    virtual asio::awaitable<std::vector<OutboxRow>> CreateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Replaces the credentials. kNotFound when the connector or the user is absent.
    virtual asio::awaitable<std::vector<OutboxRow>> UpdateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// kNotFound when the connector or the user is absent.
    virtual asio::awaitable<std::vector<OutboxRow>> DeleteVimUser(
        const std::string& vim_id,
        const std::string& user_id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
};

}  // namespace escd::model
