// PgStore: the CSM face's inventory (model/stores/csm_store.hpp). Every put is one statement but
// a region's, which is one group-commit job (its row, then its list of repositories); the delete
// of an object others may refer to is a job too (DeleteUnused). Every read is one statement. The
// SQL, and why each put resolves and locks the names it refers to, is in pg_csm_statements.cpp.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

csm::ConnectionType CsmConnectionType(std::string_view table,
                                      const std::string& hostname,
                                      const pqxx::field& field) {
    return StoredValue(csm::ParseConnectionType, table, hostname, field.as<std::string>());
}

csm::User CsmUserFrom(const pqxx::row& row) {
    csm::User user;
    user.id = row[0].as<std::int64_t>();
    user.username = row[1].as<std::string>();
    user.password_hash = row[2].as<std::string>();
    user.role = StoredValue(csm::ParseRole, "csm_users", user.username, row[3].as<std::string>());
    user.active = row[4].as<bool>();
    user.fullname = row[5].as<std::string>();
    user.email = row[6].as<std::string>();
    return user;
}

csm::ServerRepository CsmRepositoryFrom(const pqxx::row& row) {
    csm::ServerRepository repository;
    repository.hostname = row[0].as<std::string>();
    repository.type = StoredValue(csm::ParseRepositoryType, "csm_server_repositories",
                                  repository.hostname, row[1].as<std::string>());
    repository.address = row[2].as<std::string>();
    repository.directory = row[3].as<std::string>();
    repository.vrf = row[4].as<std::string>();
    repository.username = row[5].as<std::string>();
    repository.password = row[6].as<std::string>();
    repository.destination_on_host = row[7].as<std::string>();
    repository.created_by = row[8].as<std::string>();
    return repository;
}

csm::Region CsmRegionFrom(const pqxx::row& row) {
    return {row[0].as<std::string>(), TextsOf(row[1]), row[2].as<std::string>()};
}

csm::JumpHost CsmJumpHostFrom(const pqxx::row& row) {
    csm::JumpHost jump_host;
    jump_host.hostname = row[0].as<std::string>();
    jump_host.connection_type = CsmConnectionType("csm_jump_hosts", jump_host.hostname, row[1]);
    jump_host.host_or_ip = row[2].as<std::string>();
    jump_host.port_number = row[3].as<std::string>();
    jump_host.username = row[4].as<std::string>();
    jump_host.password = row[5].as<std::string>();
    jump_host.created_by = row[6].as<std::string>();
    return jump_host;
}

csm::CommandProfile CsmProfileFrom(const pqxx::row& row) {
    return {row[0].as<std::string>(), TextsOf(row[1]), row[2].as<std::string>()};
}

csm::Host CsmHostFrom(const pqxx::row& row) {
    csm::Host host;
    host.hostname = row[0].as<std::string>();
    host.region = row[1].as<std::string>();
    host.location = row[2].as<std::string>();
    host.roles = TextsOf(row[3]);
    host.software_profile = row[4].as<std::string>();
    host.connection_type = CsmConnectionType("csm_hosts", host.hostname, row[5]);
    host.ts_or_ip = TextsOf(row[6]);
    host.port_number = TextsOf(row[7]);
    host.username = row[8].as<std::string>();
    host.password = row[9].as<std::string>();
    host.enable_password = row[10].as<std::string>();
    host.jump_host = row[11].as<std::string>();
    host.facts = {row[12].as<std::string>(), row[13].as<std::string>(), row[14].as<std::string>(),
                  row[15].as<std::string>(), row[16].as<std::string>()};
    host.created_by = row[17].as<std::string>();
    host.created_time = FromMillis(row[18].as<std::int64_t>());
    host.vnf_deployment = row[19].as<std::string>();
    return host;
}

/// A delete that answered the deleted row's id (none: there was no such row).
DeleteOutcome DeletedOrMissing(const pqxx::result& result) {
    return result.empty() ? DeleteOutcome::kMissing : DeleteOutcome::kDeleted;
}

/// Deletes the object `lock` finds by `name` unless another refers to it (`remove`; the pairs
/// of pg_csm_statements.cpp). The lock comes first and the check in a statement of its own: a put
/// that refers to the object holds a key share of its row until it commits, so the lock waits for
/// it and the check, with a snapshot taken after the wait, sees its reference. (In one statement
/// the check's snapshot would be older than the wait, and the RESTRICT would fail the batch.)
asio::awaitable<DeleteOutcome> DeleteUnused(GroupCommit& writes,
                                            const char* lock,
                                            const char* remove,
                                            const std::string& name) {
    auto outcome = DeleteOutcome::kMissing;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes.RunAsync(
            [&](pqxx::work& tx) {
                outcome = DeleteOutcome::kMissing;
                const auto found = tx.exec_prepared(lock, name);
                if (found.empty()) return;
                outcome = tx.exec_prepared(remove, found[0][0].as<std::int64_t>()).empty()
                              ? DeleteOutcome::kInUse
                              : DeleteOutcome::kDeleted;
            },
            std::move(done));
    });
    co_return outcome;
}

}  // namespace

std::vector<std::string> TextsOf(const pqxx::field& field) {
    std::vector<std::string> texts;
    auto parser = field.as_array();
    for (auto step = parser.get_next(); step.first != pqxx::array_parser::done;
         step = parser.get_next()) {
        if (step.first == pqxx::array_parser::string_value) texts.push_back(std::move(step.second));
    }
    return texts;
}

asio::awaitable<std::vector<csm::User>> PgStore::ListUsers() {
    return OnPool([this] { return AllRows("csm_list_users", CsmUserFrom); });
}

asio::awaitable<std::optional<csm::User>> PgStore::GetUser(const std::string& username) {
    return OnPool([this, username] { return FirstRow("csm_get_user", CsmUserFrom, username); });
}

asio::awaitable<std::optional<csm::User>> PgStore::GetUserById(std::int64_t id) {
    return OnPool([this, id] { return FirstRow("csm_get_user_by_id", CsmUserFrom, id); });
}

asio::awaitable<csm::User> PgStore::PutUser(const csm::User& user) {
    std::vector<std::string> params{user.username,
                                    user.password_hash,
                                    std::string(csm::RoleName(user.role)),
                                    user.active ? "true" : "false",
                                    user.fullname,
                                    user.email};
    const auto result = co_await Write("csm_put_user", params);
    csm::User stored = user;
    stored.id = result.at(0)[0].as<std::int64_t>();
    co_return stored;
}

asio::awaitable<DeleteOutcome> PgStore::DeleteUser(const std::string& username) {
    std::vector<std::string> params{username};
    co_return DeletedOrMissing(co_await Write("csm_delete_user", params));
}

asio::awaitable<std::vector<csm::ServerRepository>> PgStore::ListServerRepositories(
    const std::optional<std::string>& hostname) {
    return OnPool([this, hostname] {
        return AllRows("csm_list_server_repositories", CsmRepositoryFrom, hostname);
    });
}

asio::awaitable<void> PgStore::PutServerRepository(const csm::ServerRepository& repository) {
    std::vector<std::string> params{
        repository.hostname,  std::string(csm::RepositoryTypeName(repository.type)),
        repository.address,   repository.directory,
        repository.vrf,       repository.username,
        repository.password,  repository.destination_on_host,
        repository.created_by};
    co_await Write("csm_put_server_repository", params);
}

asio::awaitable<DeleteOutcome> PgStore::DeleteServerRepository(const std::string& hostname) {
    return DeleteUnused(writes_, "csm_lock_server_repository",
                        "csm_delete_unused_server_repository", hostname);
}

asio::awaitable<std::vector<csm::Region>> PgStore::ListRegions(
    const std::optional<std::string>& name) {
    return OnPool([this, name] { return AllRows("csm_list_regions", CsmRegionFrom, name); });
}

asio::awaitable<std::optional<MissingReference>> PgStore::PutRegion(const csm::Region& region) {
    const auto names = TextArray(region.server_repositories);
    std::optional<MissingReference> missing;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                missing.reset();
                const auto row =
                    tx.exec_prepared1("csm_put_region", region.name, names, region.created_by);
                if (!row[0].is_null()) {
                    missing = MissingReference{MissingReference::Kind::kServerRepository,
                                               row[0].as<std::string>()};
                    return;
                }
                // The region's row is locked now, so the list is replaced in statements of their
                // own: their snapshots hold the list of any put of this region that committed
                // while this one waited for the lock, which a snapshot of the first statement
                // would miss (and leave behind).
                const auto id = row[1].as<std::int64_t>();
                tx.exec_prepared0("csm_clear_region_repositories", id);
                tx.exec_prepared0("csm_add_region_repositories", id, names);
            },
            std::move(done));
    });
    co_return missing;
}

asio::awaitable<DeleteOutcome> PgStore::DeleteRegion(const std::string& name) {
    return DeleteUnused(writes_, "csm_lock_region", "csm_delete_unused_region", name);
}

asio::awaitable<std::vector<csm::JumpHost>> PgStore::ListJumpHosts(
    const std::optional<std::string>& hostname) {
    return OnPool(
        [this, hostname] { return AllRows("csm_list_jump_hosts", CsmJumpHostFrom, hostname); });
}

asio::awaitable<void> PgStore::PutJumpHost(const csm::JumpHost& jump_host) {
    std::vector<std::string> params{
        jump_host.hostname,   std::string(csm::ConnectionTypeName(jump_host.connection_type)),
        jump_host.host_or_ip, jump_host.port_number,
        jump_host.username,   jump_host.password,
        jump_host.created_by};
    co_await Write("csm_put_jump_host", params);
}

asio::awaitable<DeleteOutcome> PgStore::DeleteJumpHost(const std::string& hostname) {
    return DeleteUnused(writes_, "csm_lock_jump_host", "csm_delete_unused_jump_host", hostname);
}

asio::awaitable<std::vector<csm::CommandProfile>> PgStore::ListCommandProfiles(
    const std::optional<std::string>& name) {
    return OnPool(
        [this, name] { return AllRows("csm_list_command_profiles", CsmProfileFrom, name); });
}

asio::awaitable<void> PgStore::PutCommandProfile(const csm::CommandProfile& profile) {
    std::vector<std::string> params{profile.name, TextArray(profile.commands), profile.created_by};
    co_await Write("csm_put_command_profile", params);
}

asio::awaitable<DeleteOutcome> PgStore::DeleteCommandProfile(const std::string& name) {
    return DeleteUnused(writes_, "csm_lock_command_profile", "csm_delete_unused_command_profile",
                        name);
}

asio::awaitable<std::optional<csm::Host>> PgStore::GetHost(const std::string& hostname) {
    return OnPool([this, hostname] { return FirstRow("csm_get_host", CsmHostFrom, hostname); });
}

asio::awaitable<HostPage> PgStore::ListHosts(const HostFilter& filter,
                                             std::int64_t offset,
                                             std::int64_t limit) {
    // PostgreSQL refuses a negative offset or limit: a negative one is read as 0.
    const auto skip = std::max<std::int64_t>(0, offset);
    const auto take = std::max<std::int64_t>(0, limit);
    return OnPool([this, filter, skip, take] {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            HostPage page;
            const auto rows =
                tx.exec_prepared("csm_list_hosts", filter.region, filter.family, skip, take);
            for (const auto& row : rows) {
                page.total = row[row.size() - 1].as<std::int64_t>();
                if (!row[0].is_null()) page.hosts.push_back(CsmHostFrom(row));
            }
            return page;
        });
    });
}

asio::awaitable<std::optional<MissingReference>> PgStore::PutHost(const csm::Host& host) {
    std::vector<std::string> params{host.hostname,
                                    host.region,
                                    host.location,
                                    TextArray(host.roles),
                                    host.software_profile,
                                    std::string(csm::ConnectionTypeName(host.connection_type)),
                                    TextArray(host.ts_or_ip),
                                    TextArray(host.port_number),
                                    host.username,
                                    host.password,
                                    host.enable_password,
                                    host.jump_host,
                                    host.facts.family,
                                    host.facts.chassis,
                                    host.facts.software_platform,
                                    host.facts.software_version,
                                    host.facts.os_type,
                                    host.created_by,
                                    host.vnf_deployment};
    const auto result = co_await Write("csm_put_host", params);
    const auto found = result.at(0);
    if (!found[0].as<bool>())
        co_return MissingReference{MissingReference::Kind::kRegion, host.region};
    if (!found[1].as<bool>())
        co_return MissingReference{MissingReference::Kind::kJumpHost, host.jump_host};
    co_return std::nullopt;
}

asio::awaitable<bool> PgStore::SetHostFacts(const std::string& hostname,
                                            const csm::DeviceFacts& facts) {
    std::vector<std::string> params{
        hostname,     facts.family, facts.chassis, facts.software_platform, facts.software_version,
        facts.os_type};
    co_return !(co_await Write("csm_set_host_facts", params)).empty();
}

asio::awaitable<DeleteOutcome> PgStore::DeleteHost(const std::string& hostname) {
    // A job refers to its host, but only a running one keeps it: the others are deleted with it.
    return DeleteUnused(writes_, "csm_lock_host", "csm_delete_idle_host", hostname);
}

asio::awaitable<std::vector<std::string>> PgStore::VnfHostnames(const std::string& deployment) {
    return OnPool([this, deployment] {
        return AllRows(
            "csm_vnf_hostnames", [](const pqxx::row& row) { return row[0].as<std::string>(); },
            deployment);
    });
}

asio::awaitable<bool> PgStore::RetireHost(const std::string& hostname, const std::string& why) {
    std::vector<std::string> params{hostname, why};
    co_return !(co_await Write("csm_retire_host", params)).empty();
}

asio::awaitable<std::int64_t> PgStore::RetireHostsOfGoneDeployments(const std::string& why) {
    std::vector<std::string> params{why};
    const auto result = co_await Write("csm_retire_hosts_of_gone_deployments", params);
    co_return result.at(0)[0].as<std::int64_t>();
}

asio::awaitable<std::string> PgStore::TokenKey(const std::string& candidate) {
    std::vector<std::string> params{candidate};
    const auto result = co_await Write("csm_token_key", params);
    co_return result.at(0)[0].as<std::string>();
}

}  // namespace escd::model::pg
