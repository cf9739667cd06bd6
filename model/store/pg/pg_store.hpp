#pragma once
/// @file
/// The role stores (model/stores/*.hpp) over PostgreSQL with libpqxx 6.4, one object for all of
/// them; each aggregate's methods are in their own file (pg_resources.cpp, pg_operations.cpp,
/// pg_deployments.cpp, pg_snapshots.cpp, pg_settings.cpp, pg_vim_connectors.cpp).
///
/// Reads run on the store's own read pool (one thread per connection): each checks out one of a
/// fixed set of connections and runs one statement without BEGIN/COMMIT, then resumes the caller
/// on its executor. Writes go through group commit (group_commit.hpp): concurrent writes share
/// one transaction and one WAL flush. The accept of a create is one statement (data-modifying
/// CTEs); so is the usual end of an operation. Each connection prepares its statements once.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "common/asio.hpp"
#include "model/store/pg/group_commit.hpp"
#include "model/stores/stores.hpp"

namespace escd::model::pg {

class PgStore final : public ResourceStore,
                      public OperationStore,
                      public DeploymentStore,
                      public SnapshotStore,
                      public HostStore,
                      public DynamicMappingStore,
                      public SettingsStore,
                      public VimConnectorStore,
                      public NodeStore,
                      public LeaseStore,
                      public CatalogueStore,
                      public CsmStore,
                      public CsmJobStore {
  public:
    /// Does not connect yet; the first call on each connection does. `connections` is also the
    /// number of read threads. `standby_dsn` (empty: none) serves the reads while `dsn` reaches
    /// no primary (docs/cluster.md, "Reads while the primary is away").
    PgStore(std::string dsn, int connections, int writers = 2, std::string standby_dsn = {});
    ~PgStore() override;

    /// Applies schemas/sql/NNNN_*.sql files of `dir` that `schema_migrations` does not list yet,
    /// all in one transaction under an advisory lock (several escd may start at once).
    /// Blocking; for start-up. Returns how many it applied. Throws on failure, and before
    /// touching the database when two files of `dir` carry the same number.
    static int ApplyMigrations(const std::string& dsn, const std::string& dir);

    /// Every role of this store, for the wiring.
    Stores Roles();

    /// Lets queued reads and writes finish and stops the store's threads. Call once nothing will
    /// submit work any more and before the executors that await it go away (shutdown).
    void Stop();

    // ResourceStore (pg_resources.cpp)
    asio::awaitable<std::vector<ResourceRecord>> ListResources(
        ResourceKind kind, const std::optional<std::string>& tenant_id) override;
    asio::awaitable<std::vector<ResourceRecord>> ListChildren(
        ResourceKind kind, const std::string& parent_id) override;
    asio::awaitable<std::vector<std::optional<ResourceRecord>>> GetResources(
        const std::vector<ResourceKey>& keys) override;
    asio::awaitable<std::optional<ResourceRecord>> GetResource(
        ResourceKind kind, const std::string& internal_id) override;
    asio::awaitable<std::vector<ResourceRecord>> FindResourcesByKey(
        ResourceKind kind, const std::string& key) override;
    asio::awaitable<void> AcceptCreate(const ResourceRecord& resource,
                                       const Operation& op) override;
    asio::awaitable<void> AcceptUpdate(ResourceKind kind,
                                       const std::string& internal_id,
                                       const Operation& op) override;
    asio::awaitable<void> AcceptDelete(ResourceKind kind,
                                       const std::string& internal_id,
                                       const Operation& op) override;

    // OperationStore (pg_operations.cpp)
    asio::awaitable<std::vector<OutboxRow>> CompleteOperation(
        const Operation& op,
        const ResourceOutcome& outcome,
        int status_code,
        const std::string& status_message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<void> MarkOutboxDelivered(const std::string& transaction_id,
                                              std::int64_t id) override;
    asio::awaitable<void> MarkOutboxRetry(std::int64_t id,
                                          int attempts,
                                          std::chrono::system_clock::time_point next_attempt_at,
                                          const std::string& error) override;
    asio::awaitable<void> MarkOutboxAbandoned(std::int64_t id,
                                              const std::string& state,
                                              int attempts,
                                              const std::string& reason) override;
    asio::awaitable<std::optional<Operation>> LatestOperation(
        const std::string& target_id) override;
    asio::awaitable<std::optional<std::string>> CancelledBy(
        const std::string& transaction_id) override;
    asio::awaitable<std::optional<int>> OperationEnd(const std::string& transaction_id) override;
    asio::awaitable<std::vector<std::string>> UnfinishedCancelledBy(
        const std::string& transaction_id) override;

    // DynamicMappingStore, HostStore, SettingsStore (pg_settings.cpp)
    asio::awaitable<std::vector<ConfigParameter>> ListConfigParameters() override;
    asio::awaitable<bool> CreateConfigParameter(const ConfigParameter& parameter) override;
    asio::awaitable<bool> UpdateConfigParameter(const std::string& category,
                                                const std::string& key,
                                                const std::string& value) override;
    asio::awaitable<std::optional<std::string>> GetSetting(const std::string& key) override;
    asio::awaitable<void> PutSetting(const std::string& key, const std::string& value) override;
    asio::awaitable<std::string> SettingOrPut(const std::string& key,
                                              const std::string& candidate) override;
    asio::awaitable<std::vector<DynamicMapping>> ListDynamicMappings(MappingKind kind) override;
    asio::awaitable<void> CreateDynamicMappings(
        const std::vector<DynamicMapping>& entries) override;
    asio::awaitable<bool> DeleteDynamicMapping(MappingKind kind, const std::string& name) override;
    asio::awaitable<int> DeleteNonCoreDynamicMappings(MappingKind kind) override;
    asio::awaitable<bool> HostSchedulable(const std::string& host) override;
    asio::awaitable<std::vector<std::string>> SchedulableHosts(
        const std::vector<std::string>& hosts) override;
    asio::awaitable<std::vector<OutboxRow>> SetHostSchedulable(
        const std::string& host,
        bool schedulable,
        const Operation& op,
        const std::vector<OutboxMessage>& events) override;

    // NodeStore (pg_nodes.cpp). RegisterNode also makes `node_id` the node this store writes
    // as (LeaseStore).
    asio::awaitable<void> RegisterNode(const std::string& node_id,
                                       const std::string& name) override;
    asio::awaitable<NodeHealth> Heartbeat(const std::string& node_id,
                                          std::chrono::milliseconds lease) override;
    asio::awaitable<void> StopNode(const std::string& node_id) override;
    asio::awaitable<std::vector<NodeStatus>> ListNodes(std::chrono::milliseconds lease) override;

    // LeaseStore (pg_leases.cpp)
    asio::awaitable<ClaimedWork> ClaimOrphanTransactions(std::chrono::milliseconds lease,
                                                         int limit) override;
    asio::awaitable<std::size_t> ReleaseFinishedTransactions() override;
    asio::awaitable<void> HoldMonitor(const std::string& deployment_id) override;
    asio::awaitable<MonitorClaims> ClaimMonitors(std::chrono::milliseconds lease,
                                                 const std::string& since) override;

    // SnapshotStore (pg_snapshots.cpp)
    asio::awaitable<std::vector<VmSnapshot>> ListVmSnapshots(const std::string& tenant_id,
                                                             const std::string& vm_name) override;
    asio::awaitable<std::vector<VmSnapshot>> FindVmSnapshots(
        const std::string& id_or_name) override;
    asio::awaitable<void> AcceptVmSnapshot(const VmSnapshot& snapshot,
                                           const Operation& op) override;
    asio::awaitable<void> AcceptVmSnapshotRequest(const std::string& snapshot_id,
                                                  SnapshotEvent event,
                                                  const std::optional<ResourceRecord>& volume,
                                                  const Operation& op) override;

    // DeploymentStore (pg_deployments.cpp)
    asio::awaitable<void> AcceptDeployment(const ResourceRecord& deployment,
                                           const Operation& op,
                                           const std::vector<ResourceKey>& uses,
                                           const std::vector<ResourceRecord>& declared) override;
    asio::awaitable<void> AcceptDeploymentUpdate(
        const Operation& op,
        const std::vector<ResourceKey>& uses,
        const std::vector<ResourceRecord>& declared) override;
    asio::awaitable<void> AcceptUndeploy(const Operation& op) override;
    asio::awaitable<std::optional<StoredDeployment>> ReadDeployment(
        const std::string& deployment_id) override;
    asio::awaitable<std::vector<StoredDeployment>> ReadDeployments() override;
    asio::awaitable<std::vector<VmRecord>> ListAllVms() override;
    asio::awaitable<std::optional<VmRecord>> GetVm(const std::string& vm_name) override;
    asio::awaitable<std::vector<std::string>> AllocatedAddresses(
        const std::string& network_id) override;
    asio::awaitable<std::vector<OutboxRow>> RecordDeploymentStep(
        const DeploymentStep& step) override;

    // VimConnectorStore (pg_vim_connectors.cpp)
    asio::awaitable<std::vector<StoredVimConnector>> ReadVimConnectors() override;
    asio::awaitable<std::vector<VimConnector>> ListVimConnectors() override;
    asio::awaitable<std::optional<VimConnector>> GetVimConnector(const std::string& id) override;
    asio::awaitable<std::vector<OutboxRow>> CreateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> UpdateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> DeleteVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> SetDefaultVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> RecordVimConnectorStatus(
        const std::string& id,
        const VimConnectorStatus& status,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<bool> PreloadVimConnector(const VimConnector& connector) override;
    asio::awaitable<std::vector<VimUser>> ListVimUsers(const std::string& vim_id) override;
    asio::awaitable<VimUser> GetVimUser(const std::string& vim_id,
                                        const std::string& user_id) override;
    asio::awaitable<std::vector<OutboxRow>> CreateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> UpdateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;
    asio::awaitable<std::vector<OutboxRow>> DeleteVimUser(
        const std::string& vim_id,
        const std::string& user_id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) override;

    // CatalogueStore (pg_catalogue.cpp)
    asio::awaitable<void> PutProduct(const catalogue::Product& product) override;
    asio::awaitable<std::vector<catalogue::Product>> ListProducts() override;
    asio::awaitable<void> PutSoftwareType(const catalogue::SoftwareType& type) override;
    asio::awaitable<std::int64_t> PutRelease(
        const catalogue::Release& release,
        const std::optional<catalogue::SoftwareType>& type) override;
    asio::awaitable<catalogue::Image> PutImage(const catalogue::Image& image) override;
    asio::awaitable<void> SetImageContent(const catalogue::ImageGuid& guid,
                                          const catalogue::FileDigest& digest) override;
    asio::awaitable<bool> WithdrawImage(const catalogue::ImageGuid& guid,
                                        const std::string& date) override;
    asio::awaitable<std::optional<catalogue::ImageRow>> GetImage(
        const catalogue::ImageGuid& guid) override;
    asio::awaitable<std::vector<catalogue::ImageRow>> ImagesOfProduct(
        const std::string& pid) override;
    asio::awaitable<std::vector<catalogue::ImageRow>> ImagesNamed(
        const std::vector<std::string>& names) override;
    asio::awaitable<std::optional<catalogue::FileDigest>> GetFile(
        const std::string& sha512) override;
    asio::awaitable<void> CreateClient(const catalogue::ApiClient& client) override;
    asio::awaitable<std::vector<catalogue::ApiClient>> ListClients() override;
    asio::awaitable<std::optional<catalogue::ApiClient>> GetClient(
        const std::string& client_id) override;
    asio::awaitable<bool> RevokeClient(const std::string& client_id) override;
    asio::awaitable<std::string> SigningKey(const std::string& candidate) override;
    asio::awaitable<void> RecordAgreement(const std::string& client_id,
                                          catalogue::AgreementForm form,
                                          const std::vector<std::string>& file_names,
                                          bool accepted,
                                          const std::string& details) override;
    asio::awaitable<std::vector<catalogue::Agreement>> AgreementsOf(
        const std::string& client_id) override;
    asio::awaitable<void> PutSmuCatalog(const catalogue::SmuCatalog& catalog) override;
    asio::awaitable<std::vector<catalogue::SmuCatalog>> ListSmuCatalogs() override;
    asio::awaitable<std::optional<catalogue::SmuCatalog>> GetSmuCatalog(
        const std::string& platform, const std::string& release) override;

    // CsmStore (pg_csm.cpp)
    asio::awaitable<std::vector<csm::User>> ListUsers() override;
    asio::awaitable<std::optional<csm::User>> GetUser(const std::string& username) override;
    asio::awaitable<std::optional<csm::User>> GetUserById(std::int64_t id) override;
    asio::awaitable<csm::User> PutUser(const csm::User& user) override;
    asio::awaitable<DeleteOutcome> DeleteUser(const std::string& username) override;
    asio::awaitable<std::vector<csm::ServerRepository>> ListServerRepositories(
        const std::optional<std::string>& hostname) override;
    asio::awaitable<void> PutServerRepository(const csm::ServerRepository& repository) override;
    asio::awaitable<DeleteOutcome> DeleteServerRepository(const std::string& hostname) override;
    asio::awaitable<std::vector<csm::Region>> ListRegions(
        const std::optional<std::string>& name) override;
    asio::awaitable<std::optional<MissingReference>> PutRegion(const csm::Region& region) override;
    asio::awaitable<DeleteOutcome> DeleteRegion(const std::string& name) override;
    asio::awaitable<std::vector<csm::JumpHost>> ListJumpHosts(
        const std::optional<std::string>& hostname) override;
    asio::awaitable<void> PutJumpHost(const csm::JumpHost& jump_host) override;
    asio::awaitable<DeleteOutcome> DeleteJumpHost(const std::string& hostname) override;
    asio::awaitable<std::vector<csm::CommandProfile>> ListCommandProfiles(
        const std::optional<std::string>& name) override;
    asio::awaitable<void> PutCommandProfile(const csm::CommandProfile& profile) override;
    asio::awaitable<DeleteOutcome> DeleteCommandProfile(const std::string& name) override;
    asio::awaitable<std::optional<csm::Host>> GetHost(const std::string& hostname) override;
    asio::awaitable<HostPage> ListHosts(const HostFilter& filter,
                                        std::int64_t offset,
                                        std::int64_t limit) override;
    asio::awaitable<std::optional<MissingReference>> PutHost(const csm::Host& host) override;
    asio::awaitable<bool> SetHostFacts(const std::string& hostname,
                                       const csm::DeviceFacts& facts) override;
    asio::awaitable<DeleteOutcome> DeleteHost(const std::string& hostname) override;
    asio::awaitable<std::vector<std::string>> VnfHostnames(const std::string& deployment) override;
    asio::awaitable<bool> RetireHost(const std::string& hostname, const std::string& why) override;
    asio::awaitable<std::int64_t> RetireHostsOfGoneDeployments(const std::string& why) override;
    asio::awaitable<std::string> TokenKey(const std::string& candidate) override;

    // CsmJobStore (pg_csm_jobs.cpp)
    asio::awaitable<std::variant<std::int64_t, MissingReference>> CreateJob(
        const csm::InstallJob& job) override;
    asio::awaitable<std::optional<csm::InstallJob>> GetJob(std::int64_t id) override;
    asio::awaitable<std::vector<csm::InstallJob>> ListJobs(const JobFilter& filter,
                                                           std::int64_t limit) override;
    asio::awaitable<DeleteOutcome> DeleteJob(std::int64_t id) override;
    asio::awaitable<std::vector<csm::InstallJob>> DependantsOf(std::int64_t id) override;
    asio::awaitable<std::optional<csm::TimePoint>> NextScheduledTime() override;
    asio::awaitable<std::vector<csm::InstallJob>> ClaimDueJobs(int limit) override;
    asio::awaitable<std::vector<csm::InstallJob>> ClaimOrphanJobs(std::chrono::milliseconds lease,
                                                                  int limit) override;
    asio::awaitable<void> RecordJobProgress(std::int64_t id,
                                            const std::string& progress,
                                            const std::string& status_message) override;
    asio::awaitable<FinishedJob> FinishJob(const csm::InstallJob& job) override;

  private:
    /// The node this store writes as ("" before RegisterNode: leases are then nobody's).
    std::string Node() const;
    /// The callbacks of `transaction_id` still pending, in delivery order (an operation's end
    /// retried after it had committed answers the rows that end wrote).
    asio::awaitable<std::vector<OutboxRow>> PendingCallbacksOf(const std::string& transaction_id);
    // Blocking reads shared by the awaitable ones (run them on the pool, OnPool).
    std::optional<ServiceState> ServiceStateRow(const std::string& deployment_id);
    std::map<std::string, ServiceState> ServiceStateRows();
    std::vector<VimUser> VimUserRows(const std::string& vim_id);
    class Checkout;
    /// Runs prepared statement `statement` through group commit (pipelined with the other writes
    /// of its batch); `params` is consumed. Resumes the caller once committed.
    asio::awaitable<pqxx::result> Write(const std::string& statement,
                                        std::vector<std::string>& params);
    std::unique_ptr<pqxx::connection> Connect(const std::string& dsn);
    std::unique_ptr<pqxx::connection> Connect() { return Connect(dsn_); }
    /// A read: With(fn) on the primary; when that finds the database unavailable and a standby
    /// is configured, fn on a standby connection instead (the primary's error when that fails
    /// too).
    template <class Fn>
    auto Read(Fn&& fn);
    /// Runs fn(connection&) on a checked-out connection. A connection found broken is replaced
    /// and fn run once more (fn is a read or an idempotent put); a second loss is kUnavailable.
    template <class Fn>
    auto With(Fn&& fn);
    /// One prepared statement outside a transaction block (no BEGIN/COMMIT round trips): every
    /// row through `from_row`, or the first one (nullopt when none).
    template <class FromRow, class... Args>
    auto AllRows(const char* statement, FromRow from_row, const Args&... args);
    template <class FromRow, class... Args>
    auto FirstRow(const char* statement, FromRow from_row, const Args&... args);
    /// Runs `fn` (a blocking read over With, AllRows or FirstRow, capturing by reference) on the
    /// read pool and resumes the caller on its executor (common/offload.hpp).
    /// Closes the idle connections of the pool (their slots reconnect on their next use).
    void DropIdleConnections();
    template <class Fn>
    auto OnPool(Fn&& fn);

    std::string dsn_;
    std::string standby_dsn_;
    std::vector<std::unique_ptr<pqxx::connection>> standby_idle_;  ///< under mutex_
    std::atomic<bool> on_standby_{false};  ///< the last read went to the standby (logged once)
    mutable std::mutex node_mutex_;
    std::string node_;  ///< under node_mutex_: the node registered last
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    int free_slots_;
    asio::thread_pool
        pool_;            ///< runs reads and settings puts; joined before the connections go away
    GroupCommit writes_;  ///< last member: its writers stop before the rest goes away
};

}  // namespace escd::model::pg
