// GET /v0/nodes (docs/cluster.md): every escd process sharing the database is a node, listed
// with its health on the database's clock: ALIVE while it heartbeats, STOPPED after a graceful
// stop, LOST once a killed one's lease has passed (the default heartbeats and lease).

#include <pugixml.hpp>

#include <algorithm>
#include <map>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

struct NodeSeen {
    std::string health;
    bool this_node = false;
};

class Nodes : public EscdTest {
  protected:
    std::unique_ptr<EscdProcess> StartAnother(const std::string& name) {
        return std::make_unique<EscdProcess>(OptionsFor({"--cluster.node_name=" + name}));
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

    const auto seen_by_other = ListedBy(other_client);
    ASSERT_EQ(seen_by_other.size(), 2u);
    EXPECT_TRUE(seen_by_other.at("node-b").this_node);
    EXPECT_FALSE(seen_by_other.at(first->first).this_node);
}

TEST_F(Nodes, ANodeIsNamedByDefaultAfterItsHostAndPort) {
    auto unnamed = StartAnother("");
    auto unnamed_client = unnamed->Client();
    const auto nodes = ListedBy(unnamed_client);
    const auto self = std::find_if(nodes.begin(), nodes.end(),
                                   [](const auto& entry) { return entry.second.this_node; });
    ASSERT_NE(self, nodes.end());
    EXPECT_TRUE(self->first.ends_with(":" + std::to_string(unnamed->http_port())))
        << "default name <host>:<port>: " << self->first;
}

TEST_F(Nodes, ANodeStartedUnderTheNameOfARunningOneSucceedsIt) {
    auto first = StartAnother("node-x");
    auto successor = StartAnother("node-x");
    std::size_t alive = 0, stopped = 0;
    const auto answer = client_->Get("/v0/nodes");
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(answer.body.c_str())) << answer.body;
    for (auto node : doc.child("nodes").children("node")) {
        if (std::string(node.child_value("name")) != "node-x") continue;
        const std::string health = node.child_value("health");
        alive += health == "ALIVE";
        stopped += health == "STOPPED";
    }
    EXPECT_EQ(alive, 1u) << answer.body;
    EXPECT_EQ(stopped, 1u) << "the predecessor is marked stopped at once: " << answer.body;
    // Still running, the predecessor learns it at its next heartbeat and stops, gracefully,
    // rather than take its name back.
    EXPECT_TRUE(first->WaitForLog("was succeeded by a process of the same name", 1, kCallbackWait))
        << first->Log();
    EXPECT_TRUE(first->WaitForLog("left", 1, kCallbackWait)) << first->Log();
    EXPECT_EQ(first->Terminate(), 0) << "its graceful stop ended it with 0";
    EXPECT_TRUE(successor->running());
}

TEST_F(Nodes, AStoppedNodeIsStoppedAndAKilledOneIsLostOnceItsLeasePassed) {
    auto stopped = StartAnother("node-stopped");
    auto killed = StartAnother("node-killed");
    ASSERT_EQ(stopped->Terminate(), 0);
    EXPECT_EQ(ListedBy(*client_).at("node-stopped").health, "STOPPED")
        << "marked at its graceful stop, not left to its lease";

    killed->Kill();
    // Its lease passed: its last heartbeat moved back beyond it, rather than waited for (the
    // health is read against the database's now()). The live node's own heartbeats go on.
    db_.Query(
        "UPDATE nodes SET heartbeat_at = now() - interval '1 hour' "
        "WHERE name = 'node-killed'");
    const auto nodes = ListedBy(*client_);
    EXPECT_EQ(nodes.at("node-killed").health, "LOST");
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
