// PgStore: the escd nodes sharing the database and their heartbeats (docs/cluster.md), and which
// node this store writes as. The writes are group-committed like every other; a heartbeat is one
// short statement a second.

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

std::string PgStore::Node() const {
    std::lock_guard lock(node_mutex_);
    return node_;
}

asio::awaitable<void> PgStore::RegisterNode(const std::string& node_id, const std::string& name) {
    static const std::string kStatement = "register_node";
    std::vector<std::string> params{node_id, name};
    co_await Write(kStatement, params);
    std::lock_guard lock(node_mutex_);
    node_ = node_id;
}

asio::awaitable<NodeHealth> PgStore::Heartbeat(const std::string& node_id,
                                               std::chrono::milliseconds lease) {
    static const std::string kStatement = "node_heartbeat";
    std::vector<std::string> params{node_id, std::to_string(lease.count())};
    const auto result = co_await Write(kStatement, params);
    const auto row = result.at(0);
    co_return row[0].as<bool>() ? NodeHealth::kAlive
    : row[1].as<bool>()         ? NodeHealth::kStopped
                                : NodeHealth::kLost;
}

asio::awaitable<void> PgStore::StopNode(const std::string& node_id) {
    static const std::string kStatement = "stop_node";
    std::vector<std::string> params{node_id};
    co_await Write(kStatement, params);
}

asio::awaitable<std::vector<NodeStatus>> PgStore::ListNodes(std::chrono::milliseconds lease) {
    return OnPool([this, lease = std::to_string(lease.count())] {
        return AllRows(
            "list_nodes",
            [](const pqxx::row& row) {
                NodeStatus node;
                node.node_id = row[0].as<std::string>();
                node.name = row[1].as<std::string>();
                node.started_at = FromMillis(row[2].as<std::int64_t>());
                node.heartbeat_at = FromMillis(row[3].as<std::int64_t>());
                if (!row[4].is_null()) node.stopped_at = FromMillis(row[4].as<std::int64_t>());
                node.health = node.stopped_at     ? NodeHealth::kStopped
                              : row[5].as<bool>() ? NodeHealth::kAlive
                                                  : NodeHealth::kLost;
                node.leases = row[6].as<std::int64_t>();
                return node;
            },
            lease);
    });
}

}  // namespace escd::model::pg
