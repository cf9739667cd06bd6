#pragma once
/// @file
/// model::NodeStore — the role of the store that keeps the escd nodes sharing the database and
/// their heartbeats (docs/cluster.md). Conventions: model/stores/resource_store.hpp.

#include <chrono>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/node.hpp"

namespace escd::model {

class NodeStore {
  public:
    virtual ~NodeStore() = default;

    /// Inserts the row of a node starting now.
    virtual asio::awaitable<void> RegisterNode(const std::string& node_id,
                                               const std::string& name) = 0;
    /// Renews the heartbeat of `node_id`; false when the row is no longer alive (its heartbeat
    /// is older than `lease`, or it was stopped): the node is then dead to the others.
    virtual asio::awaitable<bool> Heartbeat(const std::string& node_id,
                                            std::chrono::milliseconds lease) = 0;
    /// Marks `node_id` stopped (a graceful stop).
    virtual asio::awaitable<void> StopNode(const std::string& node_id) = 0;
    /// Every node, by start time, its health judged against `lease`.
    virtual asio::awaitable<std::vector<NodeStatus>> ListNodes(std::chrono::milliseconds lease) = 0;
};

}  // namespace escd::model
