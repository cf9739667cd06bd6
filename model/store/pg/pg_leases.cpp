// PgStore: leases (docs/cluster.md, "Leases"): the takeover of orphaned transactions, with the
// operations to resume and the callbacks to deliver that they carry; the monitoring of
// deployments, taken after an operation or shared out among the live nodes (a node over its
// share gives the surplus up when another joins); and the end of the
// leases with nothing left to do.

#include <algorithm>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "model/lease.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

asio::awaitable<ClaimedWork> PgStore::ClaimOrphanTransactions(std::chrono::milliseconds lease,
                                                              int limit) {
    const auto node = Node();
    ClaimedWork work;
    if (node.empty()) co_return work;
    // The claim and the reads of what it gave in one transaction: what the rows say is what the
    // previous owner last committed.
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                work = {};
                std::vector<std::string> ids;
                for (const auto& row :
                     tx.exec_prepared("claim_orphan_leases", Stored(LeaseKind::kTransaction), node,
                                      std::to_string(lease.count()), std::to_string(limit)))
                    ids.push_back(row[0].as<std::string>());
                work.transactions = ids.size();
                if (ids.empty()) return;
                const auto array = TextArray(ids);
                for (const auto& row : tx.exec_prepared("unfinished_operations_of", array))
                    work.operations.push_back(OperationFromRow(row));
                for (const auto& row : tx.exec_prepared("pending_outbox_of", array))
                    work.callbacks.push_back(PendingOutboxRowFrom(row));
            },
            std::move(done));
    });
    co_return work;
}

asio::awaitable<void> PgStore::HoldMonitor(const std::string& deployment_id) {
    const auto node = Node();
    if (node.empty()) co_return;
    static const std::string kStatement = "hold_monitor";
    std::vector<std::string> params{deployment_id, node};
    co_await Write(kStatement, params);
}

asio::awaitable<MonitorClaims> PgStore::ClaimMonitors(std::chrono::milliseconds lease,
                                                      const std::string& since) {
    const auto node = Node();
    MonitorClaims claims;
    if (node.empty()) co_return claims;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                claims = {};
                const auto lease_ms = std::to_string(lease.count());
                const auto share = tx.exec_prepared1("monitor_share", node, lease_ms);
                claims.as_of = share[1].as<std::string>();
                const auto wanted = share[0].as<std::int64_t>();
                if (wanted > 0) {
                    for (const auto& row : tx.exec_prepared("claim_orphan_leases",
                                                            Stored(LeaseKind::kDeploymentMonitor),
                                                            node, lease_ms, std::to_string(wanted)))
                        claims.claimed.push_back(row[0].as<std::string>());
                } else if (wanted < 0) {
                    // More than its share (a node joined): the surplus goes to the others' next
                    // passes.
                    for (const auto& row : tx.exec_prepared("release_surplus_monitors", node,
                                                            std::to_string(-wanted)))
                        claims.moved.push_back(row[0].as<std::string>());
                }
                // After the claim: a lease the dead node took within the window (its accept)
                // and this pass claimed is this node's now, not one that moved away from it.
                if (!since.empty()) {
                    for (const auto& row : tx.exec_prepared("monitors_moved", node, since))
                        claims.moved.push_back(row[0].as<std::string>());
                }
                // What this pass gave up is listed by both.
                std::sort(claims.moved.begin(), claims.moved.end());
                claims.moved.erase(std::unique(claims.moved.begin(), claims.moved.end()),
                                   claims.moved.end());
            },
            std::move(done));
    });
    co_return claims;
}

asio::awaitable<std::size_t> PgStore::ReleaseFinishedTransactions() {
    const auto node = Node();
    if (node.empty()) co_return 0;
    static const std::string kStatement = "release_finished_transactions";
    std::vector<std::string> params{node};
    co_return (co_await Write(kStatement, params)).affected_rows();
}

}  // namespace escd::model::pg
