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

    /// Inserts the row of a node starting now; a running node of the same name is marked
    /// stopped (succeeded). Forgets the nodes stopped or silent for a day that hold no lease.
    virtual asio::awaitable<void> RegisterNode(const std::string& node_id,
                                               const std::string& name) = 0;
    /// Renews the heartbeat of `node_id`: kAlive when it was; kLost when its heartbeat was
    /// already older than `lease` (the node is dead to the others) or its row is gone (forgotten
    /// after a day of silence); kStopped when its row was marked stopped (a node registered
    /// under its name succeeded it).
    virtual asio::awaitable<NodeHealth> Heartbeat(const std::string& node_id,
                                                  std::chrono::milliseconds lease) = 0;
    /// Marks `node_id` stopped (a graceful stop).
    virtual asio::awaitable<void> StopNode(const std::string& node_id) = 0;
    /// Every node, by start time, its health judged against `lease`.
    virtual asio::awaitable<std::vector<NodeStatus>> ListNodes(std::chrono::milliseconds lease) = 0;
};

}  // namespace escd::model
