// Engine::TakeOver (docs/cluster.md, "Leases"): the work of nodes that are gone becomes this
// node's. A claim takes transactions whose lease is nobody's or whose owner stopped or stopped
// heartbeating; their unfinished operations run again here from their last committed step, and
// their pending callbacks are delivered from the first one still pending (at least once, in
// order). The same pass ends the leases of this node's transactions that have nothing left.

#include "common/log.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {
namespace {
/// Transactions claimed per statement: a node's backlog is taken over in batches of this size,
/// each launched before the next is claimed.
constexpr int kClaimBatch = 500;
}  // namespace

asio::awaitable<void> Engine::TakeOver() {
    if (options_.paused_for_test) co_return;  // runs nothing, so takes nothing
    for (;;) {
        auto work = co_await lease_store_.ClaimOrphanTransactions(options_.lease, kClaimBatch);
        if (!work.operations.empty() || !work.callbacks.empty()) {
            ESCD_INFO("engine") << "taken over: " << work.operations.size()
                                << " unfinished operation(s), " << work.callbacks.size()
                                << " pending callback(s)";
        }
        const auto claimed = work.transactions;
        for (auto& op : work.operations) Launch(std::move(op));
        notifier_.Enqueue(std::move(work.callbacks));
        // A full batch may have left more behind it.
        if (claimed < static_cast<std::size_t>(kClaimBatch)) break;
    }
    co_await lease_store_.ReleaseFinishedTransactions();
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
