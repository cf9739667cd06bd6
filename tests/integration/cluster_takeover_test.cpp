// Several escd processes on one database (docs/cluster.md): the work a node accepted stays its
// own while it lives; once it is killed and its lease has passed, or at once when it stops, a
// live node runs its operations from their last committed step and delivers their callbacks.
// The nodes here heartbeat every 100 ms with a lease of 1 s.

#include <pugixml.hpp>

#include <map>
#include <set>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class ClusterTakeover : public EscdTest {
  protected:
    ClusterTakeover() {
        escd_args_ = {"--cluster.heartbeat_ms=100", "--cluster.lease_ms=1000",
                      "--cluster.node_name=survivor", "--log.level=debug"};
    }

    /// A node that accepts and runs nothing: what it accepted is its own until it is gone.
    std::unique_ptr<EscdProcess> StartIdleNode(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"--engine.paused_for_test=true", "--cluster.node_name=idle"};
        args.insert(args.end(), extra.begin(), extra.end());
        return std::make_unique<EscdProcess>(OptionsFor(args));
    }

    /// Accepts `count` tenants through `node`; their transaction ids.
    std::set<std::string> AcceptTenants(EscdProcess& node, int count) {
        auto client = node.Client();
        std::set<std::string> transactions;
        for (int i = 0; i < count; ++i) {
            const auto id = "t-" + std::to_string(i);
            auto answer =
                client.Post("/ESCManager/v0/tenants/" + id, TenantBody(id), WithCallback());
            EXPECT_EQ(answer.status, 200) << answer.body;
            transactions.insert(answer.Header("ESC-Transaction-Id"));
        }
        return transactions;
    }

    /// The leases each live node holds, by name, as GET /v0/nodes lists them.
    std::map<std::string, long> LeasesByNode() {
        const auto answer = client_->Get("/v0/nodes");
        EXPECT_EQ(answer.status, 200) << answer.body;
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(answer.body.c_str())) << answer.body;
        std::map<std::string, long> nodes;
        for (auto node : doc.child("nodes").children("node")) {
            if (std::string(node.child_value("health")) != "ALIVE") continue;
            nodes[node.child_value("name")] = std::stol(node.child_value("leases"));
        }
        return nodes;
    }

    /// Returns once the survivor has finished `passes` more takeover passes (its debug log
    /// line): it has looked for orphaned work since. Only the survivor has run in its data
    /// directory, so the passes its log holds are the ones this process made.
    void AwaitSurvivorPasses(std::size_t passes) {
        static constexpr std::string_view kPass = "takeover pass done";
        const auto log = escd_->Log();
        std::size_t done = 0;
        for (auto at = log.find(kPass); at != std::string::npos; at = log.find(kPass, at + 1))
            ++done;
        ASSERT_TRUE(escd_->WaitForLog(kPass, done + passes, std::chrono::seconds(10)))
            << "the survivor made no takeover pass";
    }

    /// Every callback for `transactions`, waited for; asserts one CREATE_TENANT 200 each.
    void ExpectEachCreatedOnce(const std::set<std::string>& transactions) {
        const auto delivered = receiver_.WaitForDelivered(transactions.size(), kCallbackWait);
        std::set<std::string> seen;
        for (const auto& callback : delivered) {
            EXPECT_EQ(XmlText(callback.body, "event_type"), "CREATE_TENANT");
            EXPECT_EQ(callback.Header("ESC-Status-Code"), "200") << callback.body;
            seen.insert(callback.Header("ESC-Transaction-Id"));
        }
        EXPECT_EQ(seen, transactions);
        EXPECT_EQ(db_.Query("SELECT count(*) FROM resources WHERE kind = 'tenant' AND state = "
                            "'ACTIVE'")[0][0]
                      .as<std::size_t>(),
                  transactions.size());
        EXPECT_EQ(
            db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(),
            0);
    }
};

TEST_F(ClusterTakeover, ALiveNodesWorkIsItsOwnAndAKilledNodesRunsElsewhereAfterItsLease) {
    auto idle = StartIdleNode();
    const auto transactions = AcceptTenants(*idle, 10);
    EXPECT_EQ(LeasesByNode()["idle"], 10);

    AwaitSurvivorPasses(3);
    EXPECT_TRUE(receiver_.Requests().empty()) << "the survivor ran a live node's work";
    EXPECT_EQ(LeasesByNode()["idle"], 10);

    idle->Kill();
    ExpectEachCreatedOnce(transactions);
    EXPECT_TRUE(escd_->WaitForLog("taken over: 10 unfinished operation(s)", 1, kCallbackWait))
        << escd_->Log();
}

TEST_F(ClusterTakeover, AStoppedNodesWorkIsTakenOverWithoutWaitingForItsLease) {
    // Its lease is a minute: only the stop can hand its work over within the wait below.
    StartEscd({"--cluster.lease_ms=60000"});
    auto idle = StartIdleNode();
    const auto transactions = AcceptTenants(*idle, 5);
    ASSERT_EQ(idle->Terminate(), 0);
    ExpectEachCreatedOnce(transactions);
}

TEST_F(ClusterTakeover, ACallbackADeadNodeCouldNotDeliverIsDeliveredByTheNodeThatTakesItOver) {
    // A node that runs its work, but whose callbacks are refused until it is dead.
    auto other = std::make_unique<EscdProcess>(OptionsFor({"--cluster.node_name=other"}));
    receiver_.SetResponseStatus(503);
    auto client = other->Client();
    auto answer =
        client.Post("/ESCManager/v0/tenants/t-late", TenantBody("t-late"), WithCallback());
    ASSERT_EQ(answer.status, 200) << answer.body;
    ASSERT_EQ(receiver_.WaitForAttempts(1, kCallbackWait).size(), 1u);
    other->Kill();
    receiver_.SetResponseStatus(200);

    const auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), answer.Header("ESC-Transaction-Id"));
    EXPECT_TRUE(escd_->WaitForLog("1 pending callback(s)", 1, kCallbackWait)) << escd_->Log();
}

}  // namespace
}  // namespace escd::test
