// GET /v0/nodes (docs/cluster.md): every escd process sharing the database is a node, listed
// with its health on the database's clock: ALIVE while it heartbeats, STOPPED after a graceful
// stop, LOST once a killed one's lease has passed.

#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;

struct NodeSeen {
    std::string health;
    bool this_node = false;
};

class Nodes : public EscdTest {
  protected:
    // Short heartbeats and leases, so that a lost node shows within a second or two.
    Nodes() { escd_args_ = {"--cluster.heartbeat_ms=200", "--cluster.lease_ms=1000"}; }

    std::unique_ptr<EscdProcess> StartAnother(const std::string& name) {
        EscdOptions options;
        options.dsn = db_.dsn();
        options.extra_args = escd_args_;
        options.extra_args.push_back("--cluster.node_name=" + name);
        return std::make_unique<EscdProcess>(options);
    }

    // The nodes by name, as `client` lists them.
    static std::map<std::string, NodeSeen> ListedBy(HttpClient& client) {
        const auto answer = client.Get("/v0/nodes");
        EXPECT_EQ(answer.status, 200) << answer.body;
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(answer.body.c_str())) << answer.body;
        std::map<std::string, NodeSeen> nodes;
        for (auto node : doc.child("nodes").children("node")) {
            nodes[node.child_value("name")] = {
                node.child_value("health"), std::string(node.child_value("this_node")) == "true"};
        }
        return nodes;
    }

    // Asks until `name` has `health`, or `within` passed: the lease runs on the database's clock,
    // which only a read can tell.
    bool BecomesListed(const std::string& name,
                       const std::string& health,
                       std::chrono::seconds within) {
        const auto deadline = std::chrono::steady_clock::now() + within;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto nodes = ListedBy(*client_);
            if (auto it = nodes.find(name); it != nodes.end() && it->second.health == health)
                return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }
};

TEST_F(Nodes, EveryProcessOnTheDatabaseIsListedAliveAndEachKnowsItself) {
    auto other = StartAnother("node-b");
    auto other_client = other->Client();

    const auto seen_by_first = ListedBy(*client_);
    ASSERT_EQ(seen_by_first.size(), 2u);
    ASSERT_TRUE(seen_by_first.contains("node-b"));
    EXPECT_EQ(seen_by_first.at("node-b").health, "ALIVE");
    EXPECT_FALSE(seen_by_first.at("node-b").this_node);
    const auto first = std::find_if(seen_by_first.begin(), seen_by_first.end(),
                                    [](const auto& entry) { return entry.first != "node-b"; });
    EXPECT_EQ(first->second.health, "ALIVE");
    EXPECT_TRUE(first->second.this_node);
    EXPECT_NE(first->first.find(':'), std::string::npos) << "default name <host>:<pid>";

    const auto seen_by_other = ListedBy(other_client);
    ASSERT_EQ(seen_by_other.size(), 2u);
    EXPECT_TRUE(seen_by_other.at("node-b").this_node);
    EXPECT_FALSE(seen_by_other.at(first->first).this_node);
}

TEST_F(Nodes, AStoppedNodeIsStoppedAndAKilledOneIsLostOnceItsLeasePassed) {
    auto stopped = StartAnother("node-stopped");
    auto killed = StartAnother("node-killed");
    ASSERT_EQ(stopped->Terminate(), 0);
    EXPECT_EQ(ListedBy(*client_).at("node-stopped").health, "STOPPED")
        << "marked at its graceful stop, not left to its lease";

    killed->Kill();
    EXPECT_TRUE(BecomesListed("node-killed", "LOST", 10s)) << "lease 1 s, heartbeats 200 ms";
    const auto nodes = ListedBy(*client_);
    EXPECT_EQ(nodes.at("node-stopped").health, "STOPPED");
    EXPECT_EQ(nodes.size(), 3u);
    for (const auto& [name, node] : nodes) {
        if (node.this_node) {
            EXPECT_EQ(node.health, "ALIVE") << name << " keeps heartbeating";
        }
    }
}

}  // namespace
}  // namespace escd::test
