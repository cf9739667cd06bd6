// Leases in the store (docs/cluster.md, "Leases"), with several PgStores on one database standing
// for several nodes: an accept leases its transaction to the accepting node; a live node's work
// is never claimed; a dead node's is, by exactly one of the nodes that race for it; and a node
// that lost a lease cannot write the end of its operation over the new owner's; two nodes never
// both accept a request on one target.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

using namespace std::chrono_literals;

constexpr auto kLease = 10s;

class Leases : public ::testing::Test {
  protected:
    void SetUp() override { ESCD_REQUIRE_PG(db_); }
    void TearDown() override {
        for (auto& node : nodes_) node->Stop();
    }

    /// A store registered as a new node named `name`.
    PgStore& Node(const std::string& name) {
        nodes_.push_back(std::make_unique<PgStore>(db_.dsn(), 1, 1));
        SyncWait(nodes_.back()->RegisterNode(NewUuid(), name));
        return *nodes_.back();
    }

    /// The creation of tenant `id` as transaction `transaction_id`.
    static Operation TenantCreate(const std::string& transaction_id, const std::string& id) {
        Operation op;
        op.transaction_id = transaction_id;
        op.kind = OperationKind::kCreateTenant;
        op.target_kind = TargetKind::kTenant;
        op.target_id = id;
        return op;
    }

    /// A callback of a tenant's creation, to a loopback port nothing listens on.
    static OutboxMessage TenantCallback() {
        OutboxMessage callback;
        callback.url = "http://127.0.0.1:9/callback";
        callback.event = "CREATE_TENANT";
        return callback;
    }

    /// Accepts the creation of tenant `id` through `node`; its transaction id.
    static std::string AcceptTenant(PgStore& node, const std::string& id) {
        ResourceRecord tenant;
        tenant.kind = ResourceKind::kTenant;
        tenant.internal_id = id;
        tenant.name = id;
        tenant.spec = "<tenant/>";
        const auto op = TenantCreate(NewUuid(), id);
        SyncWait(node.AcceptCreate(tenant, op));
        return op.transaction_id;
    }

    static Operation OperationOf(const ClaimedWork& work, const std::string& transaction_id) {
        auto it =
            std::find_if(work.operations.begin(), work.operations.end(),
                         [&](const Operation& op) { return op.transaction_id == transaction_id; });
        EXPECT_NE(it, work.operations.end()) << transaction_id << " was not claimed";
        return it == work.operations.end() ? Operation{} : *it;
    }

    /// `name`'s heartbeat moved back past the lease: dead to the others, without waiting.
    std::string NodeIdOf(const std::string& name) {
        return db_.Query("SELECT node_id::text FROM nodes WHERE name = '" + name + "'")[0][0]
            .as<std::string>();
    }

    void Silence(const std::string& name) {
        db_.Query("UPDATE nodes SET heartbeat_at = now() - interval '1 hour' WHERE name = '" +
                  name + "'");
    }

    std::string StateOf(const std::string& id) {
        return db_.Query("SELECT state FROM resources WHERE internal_id = '" + id + "'")[0][0]
            .as<std::string>();
    }

    escd::test::TestDatabase db_{escd::test::TestDatabase::Schema::kEscd};
    std::vector<std::unique_ptr<PgStore>> nodes_;
};

TEST_F(Leases, AnAcceptedOperationBelongsToTheAcceptingNodeWhileItLives) {
    auto& a = Node("a");
    auto& b = Node("b");
    const auto tx = AcceptTenant(a, "t-1");
    EXPECT_EQ(db_.Query("SELECT n.name FROM leases l JOIN nodes n ON n.node_id = l.owner "
                        "WHERE l.unit_id = '" +
                        tx + "'")[0][0]
                  .as<std::string>(),
              "a");
    const auto work = SyncWait(b.ClaimOrphanTransactions(kLease, 100));
    EXPECT_EQ(work.transactions, 0u);
    EXPECT_TRUE(work.operations.empty());
}

TEST_F(Leases, ADeadNodesOperationIsClaimedOnceAndTheLoserCannotEndIt) {
    auto& a = Node("a");
    auto& b = Node("b");
    const auto tx = AcceptTenant(a, "t-1");
    Silence("a");

    const auto work = SyncWait(b.ClaimOrphanTransactions(kLease, 100));
    ASSERT_EQ(work.transactions, 1u);
    const auto op = OperationOf(work, tx);
    EXPECT_EQ(op.target_id, "t-1");
    EXPECT_EQ(db_.Query("SELECT epoch FROM leases WHERE unit_id = '" + tx + "'")[0][0].as<int>(), 2)
        << "one more claim";

    // The node taken for dead comes back and ends the operation: nothing changes.
    ResourceOutcome removed;
    removed.state = ResourceState::kRemoved;
    EXPECT_THROW(SyncWait(a.CompleteOperation(op, removed, 500, "late", {})), LeaseLost);
    EXPECT_EQ(StateOf("t-1"), "CREATING");
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 1);

    // The new owner's end is the one that counts, with its callback.
    const auto callback = TenantCallback();
    const auto rows = SyncWait(b.CompleteOperation(op, {}, 200, "done", {callback}));
    EXPECT_EQ(rows.size(), 1u);
    EXPECT_EQ(StateOf("t-1"), "ACTIVE");
}

TEST_F(Leases, TheEndOfAnOperationWithSeveralCallbacksIsFencedToo) {
    auto& a = Node("a");
    auto& b = Node("b");
    const auto tx = AcceptTenant(a, "t-1");
    Silence("a");
    const auto op = OperationOf(SyncWait(b.ClaimOrphanTransactions(kLease, 100)), tx);
    const std::vector<OutboxMessage> callbacks(2, TenantCallback());
    EXPECT_THROW(SyncWait(a.CompleteOperation(op, {}, 200, "late", callbacks)), LeaseLost);
    EXPECT_EQ(db_.Query("SELECT count(*) FROM outbox")[0][0].as<int>(), 0);
    EXPECT_EQ(SyncWait(b.CompleteOperation(op, {}, 200, "done", callbacks)).size(), 2u);
}

TEST_F(Leases, NodesRacingForADeadNodesWorkShareItWithoutOverlap) {
    auto& dead = Node("dead");
    std::set<std::string> accepted;
    for (int i = 0; i < 60; ++i) accepted.insert(AcceptTenant(dead, "t-" + std::to_string(i)));
    Silence("dead");
    std::vector<PgStore*> racers{&Node("r1"), &Node("r2"), &Node("r3")};

    // Each racer claims in small batches, all at once, until nothing is left.
    std::vector<std::future<std::vector<std::string>>> claims;
    for (auto* racer : racers) {
        claims.push_back(std::async(std::launch::async, [racer] {
            std::vector<std::string> mine;
            for (;;) {
                const auto work = SyncWait(racer->ClaimOrphanTransactions(kLease, 7));
                for (const auto& op : work.operations) mine.push_back(op.transaction_id);
                if (work.transactions == 0) return mine;
            }
        }));
    }
    std::multiset<std::string> claimed;
    for (auto& claim : claims)
        for (auto& tx : claim.get()) claimed.insert(tx);
    EXPECT_EQ(claimed.size(), accepted.size()) << "each claimed exactly once";
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), accepted);
}

TEST_F(Leases, AFinishedTransactionsLeaseEndsOnceItsCallbacksAreDelivered) {
    auto& a = Node("a");
    const auto tx = AcceptTenant(a, "t-1");
    const auto op = TenantCreate(tx, "t-1");
    const auto callback = TenantCallback();
    const auto rows = SyncWait(a.CompleteOperation(op, {}, 200, "done", {callback}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(SyncWait(a.ReleaseFinishedTransactions()), 0u) << "a callback is still pending";
    SyncWait(a.MarkOutboxDelivered(tx, rows[0].id));
    EXPECT_EQ(SyncWait(a.ReleaseFinishedTransactions()), 1u);
    EXPECT_EQ(db_.Query("SELECT count(*) FROM leases")[0][0].as<int>(), 0);
}

TEST_F(Leases, ADeadNodesPendingCallbacksComeWithItsTransactions) {
    auto& a = Node("a");
    auto& b = Node("b");
    const auto tx = AcceptTenant(a, "t-1");
    const auto op = TenantCreate(tx, "t-1");
    const auto callback = TenantCallback();
    SyncWait(a.CompleteOperation(op, {}, 200, "done", {callback, callback}));
    Silence("a");
    const auto work = SyncWait(b.ClaimOrphanTransactions(kLease, 100));
    EXPECT_EQ(work.transactions, 1u);
    EXPECT_TRUE(work.operations.empty()) << "the operation finished";
    ASSERT_EQ(work.callbacks.size(), 2u);
    EXPECT_LT(work.callbacks[0].id, work.callbacks[1].id) << "in delivery order";
    EXPECT_EQ(work.callbacks[0].transaction_id, tx);
}

// One target, two nodes accepting a request on it at once: the accept's lifecycle check under
// the row's lock lets one in, so its operations run one at a time across nodes.
TEST_F(Leases, TwoNodesAcceptingARequestOnOneTargetAtOnceLetOneIn) {
    auto& a = Node("a");
    auto& b = Node("b");
    for (int round = 0; round < 20; ++round) {
        const auto id = "t-" + std::to_string(round);
        db_.Query("INSERT INTO resources (internal_id, kind, name, state, spec) VALUES ('" + id +
                  "', 'tenant', '" + id + "', 'ACTIVE', '<tenant/>')");
        auto accept = [&id](PgStore& node) {
            auto op = TenantCreate(NewUuid(), id);
            op.kind = OperationKind::kUpdateTenant;
            try {
                SyncWait(node.AcceptUpdate(ResourceKind::kTenant, id, op));
                return true;
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), ErrorCode::kConflict) << e.what();
                return false;
            }
        };
        auto by_a = std::async(std::launch::async, accept, std::ref(a));
        auto by_b = std::async(std::launch::async, accept, std::ref(b));
        EXPECT_NE(by_a.get(), by_b.get()) << "exactly one accepted, round " << round;
        EXPECT_EQ(db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL AND "
                            "target_id = '" +
                            id + "'")[0][0]
                      .as<int>(),
                  1);
    }
}

// The end of an operation is retried when its COMMIT's outcome was lost (the database failed
// over): the second commit must not write it, nor its callbacks, again.
TEST_F(Leases, AnOperationsEndCommittedAgainWritesNothingTwice) {
    auto& a = Node("a");
    for (const std::size_t callbacks : {std::size_t{1}, std::size_t{2}}) {
        const auto id = "t-" + std::to_string(callbacks);
        const auto tx = AcceptTenant(a, id);
        const auto op = TenantCreate(tx, id);
        const auto callback = TenantCallback();
        const std::vector<OutboxMessage> messages(callbacks, callback);
        const auto first = SyncWait(a.CompleteOperation(op, {}, 200, "done", messages));
        const auto again = SyncWait(a.CompleteOperation(op, {}, 200, "done", messages));
        ASSERT_EQ(first.size(), callbacks);
        ASSERT_EQ(again.size(), callbacks) << "the rows the first end wrote, still pending";
        for (std::size_t i = 0; i < callbacks; ++i) EXPECT_EQ(again[i].id, first[i].id);
        EXPECT_EQ(db_.Query("SELECT count(*) FROM outbox WHERE transaction_id = '" + tx + "'")[0][0]
                      .as<std::size_t>(),
                  callbacks);
    }
}

TEST_F(Leases, ADeadNodesMonitoringIsSharedOutAmongTheLiveNodes) {
    auto& dead = Node("dead");
    for (int i = 0; i < 5; ++i) SyncWait(dead.HoldMonitor("dep-" + std::to_string(i)));
    Silence("dead");
    auto& a = Node("a");
    auto& b = Node("b");
    const auto by_a = SyncWait(a.ClaimMonitors(kLease, ""));
    const auto by_b = SyncWait(b.ClaimMonitors(kLease, ""));
    EXPECT_EQ(by_a.claimed.size(), 3u) << "its fair share: 5 over 2 live nodes, rounded up";
    EXPECT_EQ(by_b.claimed.size(), 2u) << "what is left";
    EXPECT_TRUE(SyncWait(a.ClaimMonitors(kLease, "")).claimed.empty());
}

TEST_F(Leases, ANodeWatchingMoreThanItsShareGivesTheSurplusUpToANodeThatJoined) {
    auto& a = Node("a");
    for (int i = 0; i < 4; ++i) SyncWait(a.HoldMonitor("dep-" + std::to_string(i)));
    const auto alone = SyncWait(a.ClaimMonitors(kLease, ""));
    EXPECT_TRUE(alone.claimed.empty());
    EXPECT_TRUE(alone.moved.empty()) << "alone, all four are its share";

    auto& b = Node("b");
    const auto by_a = SyncWait(a.ClaimMonitors(kLease, alone.as_of));
    EXPECT_EQ(by_a.moved.size(), 2u) << "4 over 2 live nodes: 2 given up";
    const auto by_b = SyncWait(b.ClaimMonitors(kLease, ""));
    EXPECT_EQ(std::set<std::string>(by_b.claimed.begin(), by_b.claimed.end()),
              std::set<std::string>(by_a.moved.begin(), by_a.moved.end()))
        << "the newcomer takes what was given up";
    const auto settled = SyncWait(a.ClaimMonitors(kLease, by_a.as_of));
    EXPECT_TRUE(settled.claimed.empty());
    EXPECT_EQ(std::set<std::string>(settled.moved.begin(), settled.moved.end()),
              std::set<std::string>(by_b.claimed.begin(), by_b.claimed.end()))
        << "listed again as moved (within the margin), nothing more given up";
    EXPECT_TRUE(SyncWait(b.ClaimMonitors(kLease, by_b.as_of)).claimed.empty());
}

TEST_F(Leases, ANodeThatStartsForgetsTheNodesGoneForADayThatHoldNoLease) {
    auto& old_stopped = Node("old-stopped");
    auto& old_silent = Node("old-silent");
    auto& old_holder = Node("old-holder");
    auto& recent = Node("recent");
    SyncWait(old_holder.HoldMonitor("dep-1"));
    SyncWait(old_stopped.StopNode(NodeIdOf("old-stopped")));
    SyncWait(recent.StopNode(NodeIdOf("recent")));
    db_.Query(
        "UPDATE nodes SET stopped_at = now() - interval '25 hours' "
        "WHERE name = 'old-stopped'");
    db_.Query(
        "UPDATE nodes SET heartbeat_at = now() - interval '25 hours' "
        "WHERE name IN ('old-silent', 'old-holder')");

    const auto silent_id = NodeIdOf("old-silent");
    Node("newcomer");
    const auto rows = db_.Query("SELECT name FROM nodes ORDER BY name");
    std::vector<std::string> names;
    for (const auto& row : rows) names.push_back(row[0].as<std::string>());
    EXPECT_EQ(names, (std::vector<std::string>{"newcomer", "old-holder", "recent"}))
        << "a node that still holds a lease stays, as does one stopped an hour ago";
    EXPECT_EQ(SyncWait(old_silent.Heartbeat(silent_id, kLease)), NodeHealth::kLost)
        << "forgotten while silent: it joins again rather than stop";
}

TEST_F(Leases, AMonitoringTakenByAnotherNodeIsListedAsMovedAtTheNextPass) {
    auto& a = Node("a");
    auto& b = Node("b");
    SyncWait(a.HoldMonitor("dep-1"));
    const auto first = SyncWait(a.ClaimMonitors(kLease, ""));
    EXPECT_TRUE(first.moved.empty());
    SyncWait(b.HoldMonitor("dep-1"));  // b ran an operation on it
    const auto next = SyncWait(a.ClaimMonitors(kLease, first.as_of));
    EXPECT_EQ(next.moved, std::vector<std::string>{"dep-1"});
    SyncWait(a.HoldMonitor("dep-1"));  // and a ran the next one
    EXPECT_TRUE(SyncWait(a.ClaimMonitors(kLease, next.as_of)).moved.empty())
        << "what a node holds is never listed as moved";
}

}  // namespace
}  // namespace escd::model::pg
