#pragma once
/// @file
/// model::Node — one escd process sharing the database (docs/cluster.md, "What a node is"), as
/// the `nodes` table and GET /v0/nodes show it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace escd::model {

/// Read with the database's clock: ALIVE while the heartbeat is younger than the lease time,
/// LOST after that (the process died or lost the database), STOPPED after a graceful stop.
enum class NodeHealth { kAlive, kLost, kStopped };

constexpr std::string_view ToString(NodeHealth health) {
    switch (health) {
        case NodeHealth::kAlive:
            return "ALIVE";
        case NodeHealth::kLost:
            return "LOST";
        case NodeHealth::kStopped:
            return "STOPPED";
    }
    return "?";
}

struct NodeStatus {
    using time_point = std::chrono::system_clock::time_point;
    std::string node_id;  ///< a UUID made at the node's start, never reused
    std::string name;
    time_point started_at;
    time_point heartbeat_at;
    std::optional<time_point> stopped_at;
    NodeHealth health = NodeHealth::kAlive;
    std::int64_t leases = 0;  ///< the units of work it holds (docs/cluster.md, "Leases")
};

}  // namespace escd::model
