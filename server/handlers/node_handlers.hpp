#pragma once
/// @file
/// GET /v0/nodes (an escd extension; docs/cluster.md): the escd nodes sharing this database,
/// this one among them, each with its health (ALIVE, LOST, STOPPED) on the database's clock:
///
///   <nodes><node><node_id/><name/><health/><this_node/><started_at/><heartbeat_at/>
///   [<stopped_at/>]</node>...</nodes>

#include "orchestrator/cluster/node_membership.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

struct NodeContext {
    model::NodeStore& nodes;
    const orchestrator::NodeMembership& membership;
};

void RegisterNodeRoutes(Router& router, NodeContext context);

}  // namespace escd::server::handlers
