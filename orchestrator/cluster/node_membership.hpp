#pragma once
/// @file
/// NodeMembership: this escd process as a node of the database it shares with others
/// (docs/cluster.md, "What a node is"). It registers a row under a new id at start, renews the
/// row's heartbeat every `heartbeat` on the injected clock, and marks it stopped at a graceful
/// stop. A heartbeat that finds the row no longer alive (the process was paused, or cut off from
/// the database, for longer than `lease`) means the others took this node for dead: it joins
/// again under a new id. One that finds the row stopped was succeeded by a process started under
/// its name: it says so and stops (OnSuperseded).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "model/stores/node_store.hpp"

namespace escd::orchestrator {

struct NodeOptions {
    std::string name;
    std::chrono::milliseconds heartbeat{1000};
    std::chrono::milliseconds lease{10000};
};

class NodeMembership {
  public:
    NodeMembership(asio::io_context& ioc,
                   model::NodeStore& store,
                   NodeOptions options,
                   Clock& clock);

    /// Registers this node under a new id and starts the heartbeats. Throws what the store
    /// throws (the database is unreachable at start: escd does not start).
    asio::awaitable<void> Join();
    /// Ends the heartbeats and marks the node stopped; a failure to record that is logged (the
    /// others then see the node lost once its lease has passed).
    asio::awaitable<void> Leave();

    /// The name to register under; before Join.
    void SetName(std::string name) { options_.name = std::move(name); }
    /// Called (on an io thread) when a process started under this node's name took its place:
    /// the heartbeats end, and this process should stop. Before Join.
    void OnSuperseded(std::function<void()> handler) { on_superseded_ = std::move(handler); }
    std::string node_id() const;
    const NodeOptions& options() const { return options_; }

  private:
    asio::awaitable<void> Beat();

    model::NodeStore& store_;
    NodeOptions options_;
    Clock& clock_;
    asio::strand<asio::io_context::executor_type> strand_;
    std::unique_ptr<Clock::Timer> pause_;  ///< the wait between heartbeats, on strand_
    std::atomic<bool> leaving_{false};
    std::function<void()> on_superseded_;
    mutable std::mutex mutex_;
    std::string node_id_;  ///< under mutex_: a rejoin replaces it
};

}  // namespace escd::orchestrator
