#pragma once
/// @file
/// model::CsmStore — the role of the store that keeps the CSM face's inventory (docs/csm.md):
/// users, regions, server repositories, jump hosts, custom command profiles and hosts.
/// Conventions: model/stores/resource_store.hpp. Each put is one statement (or one
/// group-commit job) that inserts or replaces the whole object by its name and resolves the
/// names it refers to in the same statement, so a reference deleted meanwhile is reported,
/// never stored dangling. Lists are ordered by name.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/csm/inventory.hpp"

namespace escd::model {

/// A name an object refers to that is not in the store: which kind, which name. A host, a
/// repository or a command profile is what an install job names (model/stores/csm_job_store.hpp).
struct MissingReference {
    enum class Kind { kRegion, kJumpHost, kServerRepository, kHost, kCommandProfile };
    Kind kind;
    std::string name;
};

/// What a delete by name did.
enum class DeleteOutcome {
    kDeleted,
    kMissing,  ///< there is no such object
    kInUse,    ///< another object refers to it: nothing deleted
};

/// Which hosts a list returns (every field that is set must match exactly).
struct HostFilter {
    std::optional<std::string> region;
    std::optional<std::string> family;
};

struct HostPage {
    std::vector<csm::Host> hosts;
    std::int64_t total = 0;  ///< hosts matching the filter, on every page
};

class CsmStore {
  public:
    virtual ~CsmStore() = default;

    // Users (the usernames are lower-case).
    virtual asio::awaitable<std::vector<csm::User>> ListUsers() = 0;
    virtual asio::awaitable<std::optional<csm::User>> GetUser(const std::string& username) = 0;
    virtual asio::awaitable<std::optional<csm::User>> GetUserById(std::int64_t id) = 0;
    /// Inserts or replaces the user of `user.username` (the id is the store's, kept on a
    /// replace): the user as stored, with its id.
    virtual asio::awaitable<csm::User> PutUser(const csm::User& user) = 0;
    /// kInUse never: a user's history keeps its name, not a reference.
    virtual asio::awaitable<DeleteOutcome> DeleteUser(const std::string& username) = 0;

    // Server repositories.
    virtual asio::awaitable<std::vector<csm::ServerRepository>> ListServerRepositories(
        const std::optional<std::string>& hostname) = 0;
    virtual asio::awaitable<void> PutServerRepository(const csm::ServerRepository& repository) = 0;
    /// kInUse when a region names it, or an install job that has not finished.
    virtual asio::awaitable<DeleteOutcome> DeleteServerRepository(const std::string& hostname) = 0;

    // Regions.
    virtual asio::awaitable<std::vector<csm::Region>> ListRegions(
        const std::optional<std::string>& name) = 0;
    /// The first of its repositories not in the store, and nothing stored; else nullopt.
    virtual asio::awaitable<std::optional<MissingReference>> PutRegion(
        const csm::Region& region) = 0;
    /// kInUse when a host is in it.
    virtual asio::awaitable<DeleteOutcome> DeleteRegion(const std::string& name) = 0;

    // Jump hosts.
    virtual asio::awaitable<std::vector<csm::JumpHost>> ListJumpHosts(
        const std::optional<std::string>& hostname) = 0;
    virtual asio::awaitable<void> PutJumpHost(const csm::JumpHost& jump_host) = 0;
    /// kInUse when a host goes through it.
    virtual asio::awaitable<DeleteOutcome> DeleteJumpHost(const std::string& hostname) = 0;

    // Custom command profiles.
    virtual asio::awaitable<std::vector<csm::CommandProfile>> ListCommandProfiles(
        const std::optional<std::string>& name) = 0;
    virtual asio::awaitable<void> PutCommandProfile(const csm::CommandProfile& profile) = 0;
    /// kInUse when an install job scheduled or in progress names it.
    virtual asio::awaitable<DeleteOutcome> DeleteCommandProfile(const std::string& name) = 0;

    // Hosts.
    virtual asio::awaitable<std::optional<csm::Host>> GetHost(const std::string& hostname) = 0;
    /// The hosts matching `filter`, ordered by hostname, `limit` from `offset`; and how many
    /// match in all.
    virtual asio::awaitable<HostPage> ListHosts(const HostFilter& filter,
                                                std::int64_t offset,
                                                std::int64_t limit) = 0;
    /// Inserts or replaces the host (created_by and created_time are kept on a replace). The
    /// region or jump host it names that is not in the store, and nothing stored; else nullopt.
    virtual asio::awaitable<std::optional<MissingReference>> PutHost(const csm::Host& host) = 0;
    /// What discovery learnt; false when there is no such host.
    virtual asio::awaitable<bool> SetHostFacts(const std::string& hostname,
                                               const csm::DeviceFacts& facts) = 0;
    /// kInUse while an install job of the host is in progress; else the host goes with all its
    /// other jobs (the history too).
    virtual asio::awaitable<DeleteOutcome> DeleteHost(const std::string& hostname) = 0;
    /// The hosts escd registered for VMs of deployment `deployment` (Host::vnf_deployment) and
    /// has not retired: their hostnames, ordered.
    virtual asio::awaitable<std::vector<std::string>> VnfHostnames(
        const std::string& deployment) = 0;
    /// Retires a host whose VM is gone: no GET, list, new job or delete sees it any more, its
    /// scheduled jobs fail with `why`, and its jobs stay in the history. False when the
    /// inventory has no such host. A put of its name brings it back.
    virtual asio::awaitable<bool> RetireHost(const std::string& hostname,
                                             const std::string& why) = 0;
    /// Retires (as RetireHost) every host escd registered for a deployment that is not in the
    /// store any more; how many.
    virtual asio::awaitable<std::int64_t> RetireHostsOfGoneDeployments(const std::string& why) = 0;

    /// The CSM face's token key: `candidate` when none was stored yet, else the stored one
    /// (every node signs and verifies with the same key).
    virtual asio::awaitable<std::string> TokenKey(const std::string& candidate) = 0;
};

}  // namespace escd::model
