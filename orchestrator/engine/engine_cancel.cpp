// An undeploy overtaking a recovery or a scale (docs/behaviour.md, "Undeploy"). The store accepts
// the undeploy while such an operation runs and marks that operation cancelled by it, in one
// transaction (DeploymentStore::AcceptUndeploy); here the cancelled operation learns it, and the
// undeploy waits for its end before it touches the VIM.
//
// On the node that accepted the undeploy the flag is set at once. Another node running the
// operation reads its row once a second (kCancelPoll) for as long as the operation runs: a small
// indexed read, and only while a recovery or a scale runs. These two waits are in real time, not
// on the engine's clock: they are not behaviour a client or a test times (bootup_time, polls),
// only how soon one node hears of another's write.

#include <algorithm>
#include <chrono>

#include "common/log.hpp"
#include "orchestrator/engine/engine.hpp"

namespace escd::orchestrator {
namespace {
constexpr std::chrono::milliseconds kCancelPoll{1000};
constexpr std::chrono::milliseconds kFirstEndPoll{10};
}  // namespace

asio::awaitable<OperationCancels::Tracking> Engine::TrackCancel(const model::Operation& op) {
    auto tracking = cancels_.Track(op.transaction_id);
    // Cancelled before it ran (or before a restart resumed it): it ends at once.
    if (co_await operation_store_.CancelledBy(op.transaction_id)) {
        tracking.flag()->Cancel();
        co_return tracking;
    }
    asio::co_spawn(co_await asio::this_coro::executor,
                   WatchCancel(op.transaction_id, tracking.flag()),
                   log::LogFailure(log::Level::kWarn, "engine", "a cancel watch ended"));
    co_return tracking;
}

// Parameters by value: the watch outlives the operation's frame by up to one poll.
asio::awaitable<void> Engine::WatchCancel(std::string transaction_id,
                                          std::shared_ptr<CancelFlag> flag) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!flag->Cancelled() && !stopping_) {
        timer.expires_after(kCancelPoll);
        co_await timer.async_wait(asio::use_awaitable);
        if (!cancels_.StillTracked(transaction_id, flag.get())) co_return;
        try {
            if (co_await operation_store_.CancelledBy(transaction_id)) flag->Cancel();
        } catch (const Error& e) {
            // A database that does not answer now: asked again at the next poll.
            ESCD_DEBUG("engine") << "cannot read whether " << transaction_id
                                 << " was cancelled: " << e.what();
        }
    }
}

asio::awaitable<void> Engine::AwaitCancelledEnds(const model::Operation& undeploy) {
    auto running = co_await operation_store_.UnfinishedCancelledBy(undeploy.transaction_id);
    if (running.empty()) co_return;
    for (const auto& transaction_id : running) cancels_.Cancel(transaction_id);
    ESCD_INFO("engine") << "undeploy of " << undeploy.target_id
                        << " waits for the end of the operation it cancelled, tx="
                        << running.front();
    // Polled with a growing pause: a recovery cancelled here ends within a boot probe, one on
    // another node within its watch's poll.
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto pause = kFirstEndPoll;
    while (!running.empty()) {
        timer.expires_after(pause);
        co_await timer.async_wait(asio::use_awaitable);
        pause = std::min(pause * 2, kCancelPoll);
        running = co_await operation_store_.UnfinishedCancelledBy(undeploy.transaction_id);
    }
}

}  // namespace escd::orchestrator
