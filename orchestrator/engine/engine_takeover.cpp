// Engine::TakeOver (docs/cluster.md, "Leases"): the work of nodes that are gone becomes this
// node's. A claim takes transactions whose lease is nobody's or whose owner stopped or stopped
// heartbeating; their unfinished operations run again here from their last committed step, and
// their pending callbacks are delivered from the first one still pending (at least once, in
// order). The monitoring of their deployments is shared out among the live nodes. The same pass
// ends the leases of this node's that have nothing left.

#include "common/log.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {
namespace {
/// Transactions claimed per statement: a node's backlog is taken over in batches of this size.
constexpr int kClaimBatch = 500;
}  // namespace

asio::awaitable<Engine::Claimed> Engine::Claim() {
    Claimed claimed;
    for (;;) {
        auto work = co_await lease_store_.ClaimOrphanTransactions(options_.lease, kClaimBatch);
        for (auto& op : work.operations) claimed.operations.push_back(std::move(op));
        for (auto& row : work.callbacks) claimed.callbacks.push_back(std::move(row));
        // A full batch may have left more behind it.
        if (work.transactions < static_cast<std::size_t>(kClaimBatch)) break;
    }
    // The monitoring: a dead node's deployments, up to this node's fair share; and those another
    // node took since the last pass.
    auto monitors = co_await lease_store_.ClaimMonitors(options_.lease, monitors_as_of_);
    monitors_as_of_ = monitors.as_of;
    claimed.monitors = std::move(monitors.claimed);
    claimed.moved = std::move(monitors.moved);
    co_return claimed;
}

void Engine::Adopt(Claimed claimed) {
    if (!claimed.operations.empty() || !claimed.callbacks.empty() || !claimed.monitors.empty()) {
        ESCD_INFO("engine") << "taken over: " << claimed.operations.size()
                            << " unfinished operation(s), " << claimed.callbacks.size()
                            << " pending callback(s), the monitoring of " << claimed.monitors.size()
                            << " deployment(s)";
    }
    for (auto& op : claimed.operations) Launch(std::move(op));
    notifier_.Enqueue(std::move(claimed.callbacks));
    // Dropped first: what this pass claimed is held whatever else it read.
    for (const auto& id : claimed.moved) monitor_.Drop(id);
    for (const auto& id : claimed.monitors) monitor_.Hold(id);
}

asio::awaitable<void> Engine::TakeOver() {
    if (options_.paused_for_test) co_return;  // runs nothing, so takes nothing
    Adopt(co_await Claim());
    co_await lease_store_.ReleaseFinishedTransactions();
    ESCD_DEBUG("engine") << "takeover pass done";
}

asio::awaitable<void> Engine::TakeOverEvery(std::chrono::milliseconds period) {
    while (!stopping_) {
        co_await clock_.Wait(period);
        if (stopping_) co_return;
        try {
            co_await TakeOver();
        } catch (const std::exception& e) {
            // The database is away: the next pass tries again.
            ESCD_WARN("engine") << "no takeover this time: " << e.what();
        }
    }
}

}  // namespace escd::orchestrator
