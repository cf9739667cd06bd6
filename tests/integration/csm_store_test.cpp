// The CSM face's inventory in PostgreSQL (model/stores/csm_store.hpp): puts insert or replace by
// name (a user keeps its id, a host who created it and when), lists keep their order, a put that
// names a missing region, jump host or repository stores nothing and says which, deletes answer
// deleted, missing or in use (also when the reference is made or removed while they wait), host
// pages count every match, the token key is the first one stored.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using model::DeleteOutcome;
using model::HostFilter;
using model::MissingReference;
using Kind = MissingReference::Kind;

class CsmStore : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        store_ = std::make_unique<model::pg::PgStore>(db_.dsn(), 1, 1);
    }
    void TearDown() override {
        if (store_) store_->Stop();
    }

    long Count(const std::string& table) {
        return db_.Query("SELECT count(*) FROM " + table)[0][0].as<long>();
    }

    static model::csm::ServerRepository Repository(const std::string& hostname) {
        model::csm::ServerRepository repository;
        repository.hostname = hostname;
        repository.type = model::csm::RepositoryType::kSftp;
        repository.address = "192.0.2.10";
        repository.directory = "/srv/" + hostname;
        repository.username = "csm";
        repository.password = "secret";
        repository.created_by = "admin";
        return repository;
    }

    void PutRepositories(const std::vector<std::string>& hostnames) {
        for (const auto& hostname : hostnames) {
            const auto repository = Repository(hostname);
            SyncWait(store_->PutServerRepository(repository));
        }
    }

    void PutRegion(const std::string& name, const std::vector<std::string>& repositories = {}) {
        const model::csm::Region region{name, repositories, "admin"};
        ASSERT_EQ(SyncWait(store_->PutRegion(region)), std::nullopt);
    }

    void PutJumpHost(const std::string& hostname) {
        model::csm::JumpHost jump_host;
        jump_host.hostname = hostname;
        jump_host.connection_type = model::csm::ConnectionType::kTelnet;
        jump_host.host_or_ip = "192.0.2.1";
        jump_host.port_number = "2323";
        jump_host.username = "jump";
        jump_host.password = "hop";
        jump_host.created_by = "admin";
        SyncWait(store_->PutJumpHost(jump_host));
    }

    static model::csm::Host NamedHost(const std::string& hostname, const std::string& region) {
        model::csm::Host host;
        host.hostname = hostname;
        host.region = region;
        host.location = "rack 4";
        host.roles = {"PE", "Core, edge"};
        host.software_profile = "gold";
        host.ts_or_ip = {"192.0.2.20", "192.0.2.21"};
        host.port_number = {"22", ""};
        host.username = "cisco";
        host.password = "cisco123";
        host.enable_password = "enable";
        host.created_by = "alice";
        return host;
    }

    void PutHost(const model::csm::Host& host) {
        ASSERT_EQ(SyncWait(store_->PutHost(host)), std::nullopt) << host.hostname;
    }

    void AwaitLockWait() {
        ASSERT_TRUE(db_.AwaitLockWaiter(std::chrono::seconds(10)))
            << "the store never waited for the test's lock";
    }

    TestDatabase db_{TestDatabase::Schema::kEscd};
    std::unique_ptr<model::pg::PgStore> store_;
};

void ExpectSameHost(const model::csm::Host& stored, const model::csm::Host& put) {
    EXPECT_EQ(stored.hostname, put.hostname);
    EXPECT_EQ(stored.region, put.region);
    EXPECT_EQ(stored.location, put.location);
    EXPECT_EQ(stored.roles, put.roles);
    EXPECT_EQ(stored.software_profile, put.software_profile);
    EXPECT_EQ(stored.connection_type, put.connection_type);
    EXPECT_EQ(stored.ts_or_ip, put.ts_or_ip);
    EXPECT_EQ(stored.port_number, put.port_number);
    EXPECT_EQ(stored.username, put.username);
    EXPECT_EQ(stored.password, put.password);
    EXPECT_EQ(stored.enable_password, put.enable_password);
    EXPECT_EQ(stored.jump_host, put.jump_host);
    EXPECT_EQ(stored.facts, put.facts);
}

::testing::AssertionResult IsMissing(const std::optional<MissingReference>& missing,
                                     Kind kind,
                                     const std::string& name) {
    if (!missing) return ::testing::AssertionFailure() << "nothing was reported missing";
    if (missing->kind != kind || missing->name != name) {
        return ::testing::AssertionFailure() << "kind " << static_cast<int>(missing->kind) << " '"
                                             << missing->name << "' was reported missing";
    }
    return ::testing::AssertionSuccess();
}

TEST_F(CsmStore, UsersAreListedByNameAndAReplaceKeepsTheId) {
    model::csm::User bob{0, "bob", "hash-b", model::csm::Role::kViewer, false, "Bob", ""};
    model::csm::User alice{0,    "alice", "hash-a",           model::csm::Role::kNetworkAdmin,
                           true, "Alice", "alice@example.com"};
    const auto stored_bob = SyncWait(store_->PutUser(bob));
    const auto stored_alice = SyncWait(store_->PutUser(alice));
    EXPECT_NE(stored_bob.id, 0);
    EXPECT_NE(stored_alice.id, stored_bob.id);

    const auto users = SyncWait(store_->ListUsers());
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users[0].username, "alice");
    EXPECT_EQ(users[0].id, stored_alice.id);
    EXPECT_EQ(users[0].role, model::csm::Role::kNetworkAdmin);
    EXPECT_EQ(users[0].email, "alice@example.com");
    EXPECT_EQ(users[1].username, "bob");
    EXPECT_FALSE(users[1].active);

    alice.role = model::csm::Role::kOperator;
    alice.password_hash = "hash-a2";
    EXPECT_EQ(SyncWait(store_->PutUser(alice)).id, stored_alice.id);
    const auto again = SyncWait(store_->GetUserById(stored_alice.id));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->username, "alice");
    EXPECT_EQ(again->role, model::csm::Role::kOperator);
    EXPECT_EQ(again->password_hash, "hash-a2");
    EXPECT_EQ(SyncWait(store_->GetUser("bob"))->id, stored_bob.id);
    EXPECT_FALSE(SyncWait(store_->GetUser("carol")).has_value());
    EXPECT_FALSE(SyncWait(store_->GetUserById(stored_bob.id + stored_alice.id)).has_value());
}

TEST_F(CsmStore, RepositoriesJumpHostsAndProfilesAreListedByNameOrOneByName) {
    PutRepositories({"tftp-b", "sftp-a"});
    auto scp = Repository("scp-c");
    scp.type = model::csm::RepositoryType::kScp;
    scp.destination_on_host = "harddisk:";
    SyncWait(store_->PutServerRepository(scp));
    const auto repositories = SyncWait(store_->ListServerRepositories(std::nullopt));
    ASSERT_EQ(repositories.size(), 3u);
    EXPECT_EQ(repositories[0].hostname, "scp-c");
    EXPECT_EQ(repositories[0].type, model::csm::RepositoryType::kScp);
    EXPECT_EQ(repositories[0].destination_on_host, "harddisk:");
    EXPECT_EQ(repositories[1].hostname, "sftp-a");
    EXPECT_EQ(repositories[1].password, "secret");
    EXPECT_EQ(repositories[2].hostname, "tftp-b");
    const std::optional<std::string> one = "sftp-a";
    ASSERT_EQ(SyncWait(store_->ListServerRepositories(one)).size(), 1u);
    const std::optional<std::string> none = "nowhere";
    EXPECT_TRUE(SyncWait(store_->ListServerRepositories(none)).empty());

    PutJumpHost("jump-1");
    const auto jump_hosts = SyncWait(store_->ListJumpHosts(std::nullopt));
    ASSERT_EQ(jump_hosts.size(), 1u);
    EXPECT_EQ(jump_hosts[0].connection_type, model::csm::ConnectionType::kTelnet);
    EXPECT_EQ(jump_hosts[0].port_number, "2323");
    EXPECT_EQ(jump_hosts[0].password, "hop");
    EXPECT_TRUE(SyncWait(store_->ListJumpHosts(none)).empty());

    const model::csm::CommandProfile profile{
        "checks", {"show install active", "show run | include a,b", "show \"quoted\" {x}"}, "bob"};
    SyncWait(store_->PutCommandProfile(profile));
    const std::optional<std::string> checks = "checks";
    const auto profiles = SyncWait(store_->ListCommandProfiles(checks));
    ASSERT_EQ(profiles.size(), 1u);
    EXPECT_EQ(profiles[0].commands, profile.commands) << "a command with a comma stays one";
    EXPECT_EQ(profiles[0].created_by, "bob");
    EXPECT_TRUE(SyncWait(store_->ListCommandProfiles(none)).empty());
}

TEST_F(CsmStore, APutReplacesEveryFieldOfTheObjectOfItsName) {
    PutRepositories({"repo"});
    auto repository = Repository("repo");
    repository.type = model::csm::RepositoryType::kLocal;
    repository.address = "disk0:";
    SyncWait(store_->PutServerRepository(repository));
    const auto repositories = SyncWait(store_->ListServerRepositories(std::nullopt));
    ASSERT_EQ(repositories.size(), 1u);
    EXPECT_EQ(repositories[0].type, model::csm::RepositoryType::kLocal);
    EXPECT_EQ(repositories[0].address, "disk0:");

    PutJumpHost("jump");
    model::csm::JumpHost jump_host;
    jump_host.hostname = "jump";
    jump_host.host_or_ip = "192.0.2.2";
    SyncWait(store_->PutJumpHost(jump_host));
    const auto jump_hosts = SyncWait(store_->ListJumpHosts(std::nullopt));
    ASSERT_EQ(jump_hosts.size(), 1u);
    EXPECT_EQ(jump_hosts[0].connection_type, model::csm::ConnectionType::kSsh);
    EXPECT_EQ(jump_hosts[0].host_or_ip, "192.0.2.2");
    EXPECT_EQ(jump_hosts[0].password, "");

    model::csm::CommandProfile profile{"checks", {"show a", "show b"}, "bob"};
    SyncWait(store_->PutCommandProfile(profile));
    profile.commands = {"show c"};
    SyncWait(store_->PutCommandProfile(profile));
    EXPECT_EQ(SyncWait(store_->ListCommandProfiles(std::nullopt)).at(0).commands, profile.commands);
}

TEST_F(CsmStore, ARegionKeepsItsRepositoriesInTheOrderGivenAndAPutReplacesThem) {
    PutRepositories({"r1", "r2", "r3"});
    PutRegion("west");
    PutRegion("east", {"r3", "r1", "r2"});
    auto regions = SyncWait(store_->ListRegions(std::nullopt));
    ASSERT_EQ(regions.size(), 2u);
    EXPECT_EQ(regions[0].name, "east");
    EXPECT_EQ(regions[0].server_repositories, (std::vector<std::string>{"r3", "r1", "r2"}));
    EXPECT_EQ(regions[0].created_by, "admin");
    EXPECT_TRUE(regions[1].server_repositories.empty());

    PutRegion("east", {"r2"});
    const std::optional<std::string> east = "east";
    regions = SyncWait(store_->ListRegions(east));
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_EQ(regions[0].server_repositories, std::vector<std::string>{"r2"});
    PutRegion("east");
    EXPECT_TRUE(SyncWait(store_->ListRegions(east)).at(0).server_repositories.empty());
    const std::optional<std::string> north = "north";
    EXPECT_TRUE(SyncWait(store_->ListRegions(north)).empty());
}

TEST_F(CsmStore, AHostRoundTripsAndAReplaceKeepsWhoCreatedItAndWhen) {
    PutRegion("east");
    PutRegion("west");
    PutJumpHost("jump");
    auto host = NamedHost("pe1", "east");
    host.jump_host = "jump";
    host.connection_type = model::csm::ConnectionType::kTelnet;
    host.facts.family = "ASR9K";
    PutHost(host);
    const auto stored = SyncWait(store_->GetHost("pe1"));
    ASSERT_TRUE(stored.has_value());
    ExpectSameHost(*stored, host);
    EXPECT_EQ(stored->created_by, "alice");
    EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - stored->created_time), 1min);

    db_.Query("UPDATE csm_hosts SET created_time = '2020-01-02T03:04:05Z'");
    const auto created = SyncWait(store_->GetHost("pe1"))->created_time;
    auto replaced = NamedHost("pe1", "west");
    replaced.location = "rack 9";
    replaced.roles = {"P"};
    replaced.ts_or_ip = {"198.51.100.7"};
    replaced.port_number = {};
    replaced.password = "changed";
    replaced.facts = {"NCS5500", "NCS-5501", "NCS5500", "7.0.2", "eXR"};
    replaced.created_by = "bob";
    PutHost(replaced);
    const auto after = SyncWait(store_->GetHost("pe1"));
    ASSERT_TRUE(after.has_value());
    ExpectSameHost(*after, replaced);
    EXPECT_EQ(after->jump_host, "") << "a replace without a jump host drops it";
    EXPECT_EQ(after->created_by, "alice");
    EXPECT_EQ(after->created_time, created);
    EXPECT_FALSE(SyncWait(store_->GetHost("pe2")).has_value());
    EXPECT_EQ(Count("csm_hosts"), 1);
}

TEST_F(CsmStore, SetHostFactsRecordsWhatDiscoveryLearnt) {
    PutRegion("east");
    const auto host = NamedHost("pe1", "east");
    PutHost(host);
    EXPECT_EQ(SyncWait(store_->GetHost("pe1"))->facts, model::csm::DeviceFacts{})
        << "Unknown until discovery ran";
    const model::csm::DeviceFacts facts{"ASR9K", "ASR-9006", "ASR9K-X64", "6.1.3", "eXR"};
    EXPECT_TRUE(SyncWait(store_->SetHostFacts("pe1", facts)));
    EXPECT_EQ(SyncWait(store_->GetHost("pe1"))->facts, facts);
    EXPECT_FALSE(SyncWait(store_->SetHostFacts("pe2", facts)));
}

TEST_F(CsmStore, APutNamingWhatIsNotStoredSaysWhichAndStoresNothing) {
    PutRepositories({"r1", "r2"});
    PutRegion("east", {"r1"});
    PutJumpHost("jump");

    auto host = NamedHost("pe1", "nowhere");
    EXPECT_TRUE(IsMissing(SyncWait(store_->PutHost(host)), Kind::kRegion, "nowhere"));
    host.jump_host = "no-jump";
    EXPECT_TRUE(IsMissing(SyncWait(store_->PutHost(host)), Kind::kRegion, "nowhere"))
        << "the region is named first";
    host.region = "east";
    EXPECT_TRUE(IsMissing(SyncWait(store_->PutHost(host)), Kind::kJumpHost, "no-jump"));
    EXPECT_EQ(Count("csm_hosts"), 0);

    const model::csm::Region north{"north", {"r1", "gone-1", "r2", "gone-2"}, "admin"};
    EXPECT_TRUE(IsMissing(SyncWait(store_->PutRegion(north)), Kind::kServerRepository, "gone-1"));
    const model::csm::Region east{"east", {"r2", "gone-2"}, "admin"};
    EXPECT_TRUE(IsMissing(SyncWait(store_->PutRegion(east)), Kind::kServerRepository, "gone-2"));
    const auto regions = SyncWait(store_->ListRegions(std::nullopt));
    ASSERT_EQ(regions.size(), 1u) << "north was not stored";
    EXPECT_EQ(regions[0].server_repositories, std::vector<std::string>{"r1"})
        << "east kept its list";
}

TEST_F(CsmStore, DeletesAreRefusedWhileReferredToAndMissingOnceDone) {
    PutRepositories({"repo"});
    PutRegion("east", {"repo"});
    PutJumpHost("jump");
    auto host = NamedHost("pe1", "east");
    host.jump_host = "jump";
    PutHost(host);
    const model::csm::CommandProfile profile{"checks", {"show version"}, "bob"};
    SyncWait(store_->PutCommandProfile(profile));
    const model::csm::User user{0, "carol", "hash", model::csm::Role::kViewer, true, "", ""};
    SyncWait(store_->PutUser(user));

    EXPECT_EQ(SyncWait(store_->DeleteServerRepository("repo")), DeleteOutcome::kInUse);
    EXPECT_EQ(SyncWait(store_->DeleteRegion("east")), DeleteOutcome::kInUse);
    EXPECT_EQ(SyncWait(store_->DeleteJumpHost("jump")), DeleteOutcome::kInUse);
    EXPECT_EQ(Count("csm_server_repositories") + Count("csm_regions") + Count("csm_jump_hosts"), 3);

    EXPECT_EQ(SyncWait(store_->DeleteHost("pe1")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteHost("pe1")), DeleteOutcome::kMissing);
    EXPECT_EQ(SyncWait(store_->DeleteJumpHost("jump")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteJumpHost("jump")), DeleteOutcome::kMissing);
    EXPECT_EQ(SyncWait(store_->DeleteRegion("east")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteRegion("east")), DeleteOutcome::kMissing);
    EXPECT_EQ(Count("csm_region_repositories"), 0) << "the region's list went with it";
    EXPECT_EQ(SyncWait(store_->DeleteServerRepository("repo")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteServerRepository("repo")), DeleteOutcome::kMissing);
    EXPECT_EQ(SyncWait(store_->DeleteCommandProfile("checks")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteCommandProfile("checks")), DeleteOutcome::kMissing);
    EXPECT_EQ(SyncWait(store_->DeleteUser("carol")), DeleteOutcome::kDeleted);
    EXPECT_EQ(SyncWait(store_->DeleteUser("carol")), DeleteOutcome::kMissing);
}

TEST_F(CsmStore, AHostPutWhileItsRegionIsBeingDeletedIsAMissingReference) {
    PutRegion("east");
    pqxx::connection other(db_.dsn());
    pqxx::work deleting(other);
    deleting.exec0("DELETE FROM csm_regions WHERE name = 'east'");
    const auto host = NamedHost("pe1", "east");
    auto put = std::async(std::launch::async, [&] { return SyncWait(store_->PutHost(host)); });
    AwaitLockWait();
    deleting.commit();
    EXPECT_TRUE(IsMissing(put.get(), Kind::kRegion, "east"));
    EXPECT_EQ(Count("csm_hosts"), 0);
}

TEST_F(CsmStore, ARegionDeletedWhileAHostIsPutInItIsInUse) {
    PutRegion("east");
    pqxx::connection other(db_.dsn());
    pqxx::work putting(other);
    putting.exec0(
        "INSERT INTO csm_hosts (hostname, region_id, connection_type) "
        "SELECT 'pe1', id, 'ssh' FROM csm_regions WHERE name = 'east'");
    auto deletion =
        std::async(std::launch::async, [&] { return SyncWait(store_->DeleteRegion("east")); });
    AwaitLockWait();
    putting.commit();
    EXPECT_EQ(deletion.get(), DeleteOutcome::kInUse);
    EXPECT_EQ(SyncWait(store_->GetHost("pe1"))->region, "east");
}

TEST_F(CsmStore, ListHostsFiltersPagesByHostnameAndCountsEveryMatch) {
    PutRegion("east");
    PutRegion("west");
    for (const auto* name : {"e5", "e1", "e4", "e2", "e3"}) {
        auto host = NamedHost(name, "east");
        host.facts.family = std::string(name) < "e4" ? "ASR9K" : "NCS5500";
        PutHost(host);
    }
    for (const auto* name : {"w2", "w1"}) PutHost(NamedHost(name, "west"));
    const auto hostnames = [](const model::HostPage& page) {
        std::vector<std::string> names;
        for (const auto& host : page.hosts) names.push_back(host.hostname);
        return names;
    };

    const HostFilter all;
    auto page = SyncWait(store_->ListHosts(all, 0, 3));
    EXPECT_EQ(hostnames(page), (std::vector<std::string>{"e1", "e2", "e3"}));
    EXPECT_EQ(page.total, 7);
    page = SyncWait(store_->ListHosts(all, 6, 3));
    EXPECT_EQ(hostnames(page), std::vector<std::string>{"w2"});
    EXPECT_EQ(page.total, 7);
    page = SyncWait(store_->ListHosts(all, 10, 3));
    EXPECT_TRUE(page.hosts.empty());
    EXPECT_EQ(page.total, 7) << "a page past the end still counts the matches";

    const HostFilter east{"east", std::nullopt};
    page = SyncWait(store_->ListHosts(east, 1, 10));
    EXPECT_EQ(hostnames(page), (std::vector<std::string>{"e2", "e3", "e4", "e5"}));
    EXPECT_EQ(page.total, 5);
    const HostFilter asr9k{std::nullopt, "ASR9K"};
    page = SyncWait(store_->ListHosts(asr9k, 0, 10));
    EXPECT_EQ(hostnames(page), (std::vector<std::string>{"e1", "e2", "e3"}));
    EXPECT_EQ(page.total, 3);
    const HostFilter west_ncs{"west", "NCS5500"};
    page = SyncWait(store_->ListHosts(west_ncs, 0, 10));
    EXPECT_TRUE(page.hosts.empty());
    EXPECT_EQ(page.total, 0);
    const HostFilter east_ncs{"east", "NCS5500"};
    page = SyncWait(store_->ListHosts(east_ncs, 0, 1));
    EXPECT_EQ(hostnames(page), std::vector<std::string>{"e4"});
    EXPECT_EQ(page.total, 2);
}

// A host escd registered for a VM (csm::Host::vnf_deployment) is retired when the VM goes: out of
// the inventory, its scheduled jobs failed, the job history kept; a put of its name brings it back.
TEST_F(CsmStore, ARetiredHostLeavesTheInventoryButKeepsItsJobHistory) {
    PutRegion("ten");
    auto host = NamedHost("dep1_g_0_u1", "ten");
    host.vnf_deployment = "dep1";
    PutHost(host);
    PutHost(NamedHost("router-1", "ten"));
    EXPECT_EQ(SyncWait(store_->GetHost(host.hostname))->vnf_deployment, "dep1");
    EXPECT_EQ(SyncWait(store_->VnfHostnames("dep1")), std::vector<std::string>{host.hostname});
    db_.Query(
        "INSERT INTO csm_install_jobs (host_id, action, scheduled_time, status) "
        "SELECT id, a, now() + interval '1 hour', s FROM csm_hosts, (VALUES ('Pre-Upgrade', "
        "'completed'), ('Add', 'scheduled')) AS j(a, s) WHERE hostname = 'dep1_g_0_u1'");

    EXPECT_TRUE(SyncWait(store_->RetireHost(host.hostname, "its VM was removed")));
    EXPECT_FALSE(SyncWait(store_->RetireHost(host.hostname, "again"))) << "retired already";
    EXPECT_EQ(SyncWait(store_->GetHost(host.hostname)), std::nullopt);
    EXPECT_EQ(SyncWait(store_->ListHosts(HostFilter{}, 0, 10)).total, 1) << "router-1 only";
    EXPECT_TRUE(SyncWait(store_->VnfHostnames("dep1")).empty());
    EXPECT_EQ(SyncWait(store_->DeleteHost(host.hostname)), DeleteOutcome::kMissing);
    const auto jobs =
        db_.Query("SELECT action, status, status_message FROM csm_install_jobs ORDER BY id");
    ASSERT_EQ(jobs.size(), 2u) << "the history stays";
    EXPECT_EQ(jobs[0][1].as<std::string>(), "completed");
    EXPECT_EQ(jobs[1][1].as<std::string>(), "failed") << "a scheduled job cannot run any more";
    EXPECT_EQ(jobs[1][2].as<std::string>(), "its VM was removed");

    PutHost(host);
    EXPECT_TRUE(SyncWait(store_->GetHost(host.hostname)).has_value()) << "a put brings it back";

    // A deployment that is not in the store any more: its hosts are retired at once.
    auto orphan = NamedHost("gone_g_0_u2", "ten");
    orphan.vnf_deployment = "gone";
    PutHost(orphan);
    EXPECT_EQ(SyncWait(store_->RetireHostsOfGoneDeployments("its deployment was removed")), 2)
        << "dep1 is not a stored deployment either";
    EXPECT_EQ(SyncWait(store_->GetHost("router-1"))->vnf_deployment, "") << "an operator's host";
}

TEST_F(CsmStore, TheFirstTokenKeyStoredIsEveryonesKey) {
    EXPECT_EQ(SyncWait(store_->SigningKey("catalogue")), "catalogue");
    EXPECT_EQ(SyncWait(store_->TokenKey("first")), "first") << "not the catalogue's key";
    model::pg::PgStore other(db_.dsn(), 1, 1);
    EXPECT_EQ(SyncWait(other.TokenKey("second")), "first");
    other.Stop();
}

}  // namespace
}  // namespace escd::test
