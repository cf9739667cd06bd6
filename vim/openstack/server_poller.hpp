#pragma once
/// @file
/// Batched state of escd's Nova servers: one `GET /servers/detail` answers every question about
/// every server escd has on this VIM, whoever asks.
///
/// - Snapshot(not_before) returns a list fetched no earlier than `not_before`: a fetch in flight
///   that started late enough is joined, an old one is not (a server created after a list began
///   may be missing from it). So 40 VMs waiting for ACTIVE, and the monitor's checks of them,
///   share one call per round instead of making one each.
/// - WaitFor() polls for one server's status with a growing pause (kFirstPause doubling to
///   kMaxPause) through Snapshot().
/// - Subscribe() starts a loop that lists every `idle_period` and reports servers that began
///   or stopped running (vanished ones too): the VIM's lifecycle events, made from polling,
///   since Nova has no event stream a tenant can subscribe to.
///
/// Thread-safe: callers on any executor; the fetch runs on the executor of whoever starts it.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {

class ServerPoller {
  public:
    using Clock = std::chrono::steady_clock;
    using Fetch = std::function<asio::awaitable<std::vector<Server>>()>;
    /// (server name, running)
    using Handler = std::function<void(const std::string&, bool)>;

    static constexpr std::chrono::milliseconds kFirstPause{100};
    static constexpr std::chrono::milliseconds kMaxPause{2000};

    ServerPoller(asio::any_io_executor executor, Fetch fetch, std::chrono::milliseconds idle_period)
        : executor_(std::move(executor)), fetch_(std::move(fetch)), idle_period_(idle_period) {}
    ~ServerPoller();

    /// Every server, as a list fetched at or after `not_before`. Throws what the fetch throws.
    asio::awaitable<std::vector<Server>> Snapshot(Clock::time_point not_before);

    /// The server `id` once its status is one of `wanted` and no task runs on it. Throws
    /// Error(kVimError) when it turns ERROR (with Nova's fault), kNotFound when it is gone although
    /// it was listed before (or never shows up within the timeout after `created`), kUnavailable at
    /// `timeout`.
    asio::awaitable<Server> WaitFor(std::string id,
                                    std::set<std::string> wanted,
                                    Clock::time_point created,
                                    std::chrono::milliseconds timeout);

    /// Starts the lifecycle loop (once); `handler` is called from the poller's executor.
    void Subscribe(Handler handler);
    /// Ends the loop after its current round.
    void Stop();

    /// Lists made so far (bench/openstack reports API calls per VM).
    std::uint64_t fetches() const;

  private:
    struct Round;
    asio::awaitable<void> Run(std::shared_ptr<Round> round);
    asio::awaitable<void> Watch();

    asio::any_io_executor executor_;
    Fetch fetch_;
    std::chrono::milliseconds idle_period_;

    mutable std::mutex mutex_;
    std::shared_ptr<Round> newest_;    ///< the last round finished with a list
    std::shared_ptr<Round> inflight_;  ///< the round being fetched, if any
    std::uint64_t fetches_ = 0;
    Handler handler_;
    bool watching_ = false;
    std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
    std::shared_ptr<asio::steady_timer> watch_timer_;  ///< the lifecycle loop's pause
};

/// Whether Nova's `status` means the guest runs (ACTIVE), is down (SHUTOFF, ERROR, ...), or is
/// on its way between the two (BUILD, REBOOT, ...: nullopt, no verdict).
std::optional<bool> RunningByStatus(const std::string& status);

}  // namespace escd::vim::openstack
