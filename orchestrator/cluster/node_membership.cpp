#include "orchestrator/cluster/node_membership.hpp"

#include "common/crypto.hpp"
#include "common/log.hpp"

namespace escd::orchestrator {

NodeMembership::NodeMembership(asio::io_context& ioc,
                               model::NodeStore& store,
                               NodeOptions options,
                               Clock& clock)
    : store_(store),
      options_(std::move(options)),
      clock_(clock),
      strand_(asio::make_strand(ioc)),
      pause_(clock_.MakeTimer(strand_)) {}

std::string NodeMembership::node_id() const {
    std::lock_guard lock(mutex_);
    return node_id_;
}

asio::awaitable<void> NodeMembership::Join() {
    const auto id = NewUuid();
    co_await store_.RegisterNode(id, options_.name);
    {
        std::lock_guard lock(mutex_);
        node_id_ = id;
    }
    ESCD_INFO("cluster") << "node " << options_.name << " joined as " << id;
    asio::co_spawn(strand_, Beat(),
                   log::LogFailure(log::Level::kError, "cluster", "the heartbeats ended"));
}

asio::awaitable<void> NodeMembership::Beat() {
    while (!leaving_) {
        co_await pause_->Wait(options_.heartbeat);  // cut short by Leave
        if (leaving_) co_return;
        const auto id = node_id();
        try {
            const auto health = co_await store_.Heartbeat(id, options_.lease);
            if (health == model::NodeHealth::kAlive) continue;
            if (health == model::NodeHealth::kStopped) {
                // A process started under this node's name took its place (docs/cluster.md):
                // joining again would take it back, and the two would take turns.
                ESCD_ERROR("cluster") << "node " << options_.name << " (" << id
                                      << ") was succeeded by a process of the same name";
                if (on_superseded_) on_superseded_();
                co_return;
            }
            // Taken for dead: whatever this node held is the others' now. A node that comes
            // back is a new node.
            ESCD_WARN("cluster") << "node " << id << " missed its lease of "
                                 << options_.lease.count() << " ms; joining again";
            const auto fresh = NewUuid();
            co_await store_.RegisterNode(fresh, options_.name);
            std::lock_guard lock(mutex_);
            node_id_ = fresh;
        } catch (const std::exception& e) {
            // The database is away: keep trying; past the lease the others see this node lost.
            ESCD_WARN("cluster") << "heartbeat of node " << id << " failed: " << e.what();
        }
    }
}

asio::awaitable<void> NodeMembership::Leave() {
    leaving_ = true;
    asio::post(strand_, [this] { pause_->Cancel(); });
    const auto id = node_id();
    if (id.empty()) co_return;
    try {
        co_await store_.StopNode(id);
        ESCD_INFO("cluster") << "node " << id << " left";
    } catch (const std::exception& e) {
        ESCD_WARN("cluster") << "cannot record that node " << id << " left: " << e.what();
    }
}

}  // namespace escd::orchestrator
