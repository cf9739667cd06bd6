#pragma once
/// @file
/// model::LeaseStore — the role of the store that hands a node the work it owns
/// (docs/cluster.md, "Leases"). The store writes as the node it registered last
/// (NodeStore::RegisterNode): an accept gives its transaction's lease to that node, and every
/// write an operation's end or a callback's delivery makes is fenced on it, so that a node taken
/// for dead cannot overwrite the work of the node that took over (LeaseLost).
/// Conventions: model/stores/resource_store.hpp.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "model/lease.hpp"
#include "model/operation.hpp"

namespace escd::model {

/// A write for a unit whose lease this node no longer holds: another node took it over (this
/// one was taken for dead, or ran an operation on the deployment it watched). Not retryable:
/// the work is the other node's now.
class LeaseLost : public Error {
  public:
    LeaseLost(LeaseKind kind, const std::string& unit_id)
        : Error(ErrorOrigin::kDatabase,
                ErrorCode::kConflict,
                std::string(ToString(kind)) + " " + unit_id + " was taken over by another node") {}
};

/// What a claim gave this node: the operations to run (oldest first) and the callbacks to
/// deliver (in id order), of the transactions it now holds.
struct ClaimedWork {
    std::size_t transactions = 0;  ///< how many were claimed
    std::vector<Operation> operations;
    std::vector<OutboxRow> callbacks;
};

/// What a pass over the deployments' monitoring found.
struct MonitorClaims {
    std::vector<std::string> claimed;  ///< deployments now this node's to watch
    /// Deployments another node took since `as_of` of the previous pass, and those this pass
    /// gave up (more than the fair share): watched here, they are no longer this node's.
    std::vector<std::string> moved;
    std::string as_of;  ///< the database's clock at this pass, as it prints it, for the next one
};

class LeaseStore {
  public:
    virtual ~LeaseStore() = default;

    /// Takes over at most `limit` transactions whose lease is nobody's or whose owner is dead
    /// (stopped, or its heartbeat older than `lease`): two nodes claiming at once never take the
    /// same one. Empty before the store registered a node.
    virtual asio::awaitable<ClaimedWork> ClaimOrphanTransactions(std::chrono::milliseconds lease,
                                                                 int limit) = 0;
    /// Ends this node's leases on transactions with nothing left to do (the operation finished,
    /// no callback pending) and on the monitoring of deployments that are gone; how many.
    virtual asio::awaitable<std::size_t> ReleaseFinishedTransactions() = 0;
    /// This node takes the monitoring of `deployment_id` (after running an operation on it),
    /// from whichever node had it.
    virtual asio::awaitable<void> HoldMonitor(const std::string& deployment_id) = 0;
    /// Takes the monitoring of deployments nobody (alive) watches, up to this node's fair share
    /// (the deployments over the live nodes, rounded up, less what it watches); or, watching
    /// more than its share (a node joined), makes the surplus nobody's for the others to claim.
    /// Lists those other nodes took since `since` (a previous pass's as_of; "": none).
    virtual asio::awaitable<MonitorClaims> ClaimMonitors(std::chrono::milliseconds lease,
                                                         const std::string& since) = 0;
};

}  // namespace escd::model
