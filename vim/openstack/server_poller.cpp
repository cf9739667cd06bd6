#include "vim/openstack/server_poller.hpp"

#include <algorithm>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::vim::openstack {
namespace {
// Thread-safe and remembers a signal sent before the wait began (a timer's cancel would not).
using Wakeup = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
}  // namespace

/// One list call and who waits for it.
struct ServerPoller::Round {
    Clock::time_point started;
    bool done = false;
    std::vector<Server> servers;
    std::exception_ptr failure;
    std::vector<std::shared_ptr<Wakeup>> waiters;
};

std::optional<bool> RunningByStatus(const std::string& status) {
    if (status == "ACTIVE") return true;
    // Transitions: the guest is neither proven up nor down yet.
    static const std::set<std::string> kOnTheWay{"BUILD",         "REBOOT",   "HARD_REBOOT",
                                                 "MIGRATING",     "RESIZE",   "VERIFY_RESIZE",
                                                 "REVERT_RESIZE", "PASSWORD", "REBUILD"};
    if (kOnTheWay.contains(status)) return std::nullopt;
    return false;  // SHUTOFF, ERROR, PAUSED, SUSPENDED, SHELVED*, DELETED, SOFT_DELETED, UNKNOWN
}

ServerPoller::~ServerPoller() {
    Stop();
}

std::uint64_t ServerPoller::fetches() const {
    std::lock_guard lock(mutex_);
    return fetches_;
}

asio::awaitable<void> ServerPoller::Run(std::shared_ptr<Round> round) {
    std::vector<Server> servers;
    std::exception_ptr failure;
    try {
        servers = co_await fetch_();
    } catch (...) {
        failure = std::current_exception();
    }
    std::vector<std::shared_ptr<Wakeup>> waiters;
    {
        std::lock_guard lock(mutex_);
        round->done = true;
        round->servers = std::move(servers);
        round->failure = failure;
        waiters.swap(round->waiters);
        if (inflight_ == round) inflight_.reset();
        if (!failure && (!newest_ || newest_->started < round->started)) newest_ = round;
    }
    for (auto& wake : waiters) wake->try_send(boost::system::error_code{});
}

asio::awaitable<std::vector<Server>> ServerPoller::Snapshot(Clock::time_point not_before) {
    std::shared_ptr<Round> round;
    auto wake = std::make_shared<Wakeup>(co_await asio::this_coro::executor, 1);
    bool start = false;
    {
        std::lock_guard lock(mutex_);
        if (newest_ && newest_->started >= not_before) co_return newest_->servers;
        if (inflight_ && inflight_->started >= not_before) {
            round = inflight_;
        } else {
            round = std::make_shared<Round>();
            round->started = Clock::now();
            inflight_ = round;  // a later caller joins this one; an older one still finishes
            ++fetches_;
            start = true;
        }
        round->waiters.push_back(wake);
    }
    // Outside the lock: the fetch may start (and even end) at once, and Run() takes the lock.
    if (start)
        asio::co_spawn(executor_, Run(round),
                       log::LogFailure(log::Level::kWarn, "vim", "server list failed"));
    co_await wake->async_receive(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mutex_);
    if (round->failure) std::rethrow_exception(round->failure);
    co_return round->servers;
}

asio::awaitable<Server> ServerPoller::WaitFor(std::string id,
                                              std::set<std::string> wanted,
                                              Clock::time_point created,
                                              std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    auto pause = kFirstPause;
    auto not_before = created;
    bool seen = false;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        const auto servers = co_await Snapshot(not_before);
        auto it = std::find_if(servers.begin(), servers.end(),
                               [&id](const Server& s) { return s.id == id; });
        if (it != servers.end()) {
            seen = true;
            // Settled: the status, and no task still running (a stop shows ACTIVE with task
            // powering-off until it is SHUTOFF).
            if (wanted.contains(it->status) && it->task_state.empty()) co_return *it;
            if (it->status == "ERROR")
                throw VimError(ErrorCode::kVimError,
                               "Nova server " + it->name + " is in ERROR" +
                                   (it->fault.empty() ? std::string() : ": " + it->fault));
        } else if (seen) {
            throw VimError(ErrorCode::kNotFound, "Nova server " + id + " is gone");
        }
        if (Clock::now() >= deadline) {
            throw VimError(ErrorCode::kUnavailable,
                           "Nova server " + id + " did not reach " + *wanted.begin() + " within " +
                               std::to_string(timeout.count()) + " ms" +
                               (it != servers.end() ? " (it is " + it->status + ")" : ""));
        }
        timer.expires_after(std::min(
            pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        // A list another waiter started during this pause is fresh enough: the waiters of many
        // servers, each in its own phase, then share one list per pause instead of each
        // starting one (measured: 40 servers built at once, ~0.6 lists fewer per server).
        not_before = std::max(created, Clock::now() - pause);
        pause = std::min(pause * 2, kMaxPause);
    }
}

void ServerPoller::Subscribe(Handler handler) {
    {
        std::lock_guard lock(mutex_);
        handler_ = std::move(handler);
        if (watching_) return;
        watching_ = true;
    }
    // Outside the lock: co_spawn from a thread of the executor's io_context starts the coroutine
    // at once, and Watch() takes the lock.
    asio::co_spawn(executor_, Watch(),
                   log::LogFailure(log::Level::kError, "vim", "server lifecycle watch ended"));
}

void ServerPoller::Stop() {
    std::lock_guard lock(mutex_);
    *stopped_ = true;
    if (auto timer = watch_timer_) asio::post(timer->get_executor(), [timer] { timer->cancel(); });
}

asio::awaitable<void> ServerPoller::Watch() {
    auto stopped = stopped_;
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    {
        std::lock_guard lock(mutex_);
        watch_timer_ = timer;
    }
    std::map<std::string, bool> running;  // by name: the last verdict of each server
    bool first = true;
    while (!*stopped) {
        try {
            const auto servers = co_await Snapshot(Clock::now() - idle_period_ / 2);
            std::map<std::string, bool> now;
            std::vector<std::pair<std::string, bool>> changes;
            for (const auto& server : servers) {
                const auto verdict = RunningByStatus(server.status);
                const auto before = running.find(server.name);
                const bool was = before != running.end() ? before->second : false;
                const bool is = verdict.value_or(was);
                now[server.name] = is;
                if (!first && (before == running.end() ? is : is != was))
                    changes.emplace_back(server.name, is);
            }
            for (const auto& [name, was] : running)
                if (was && !now.contains(name)) changes.emplace_back(name, false);  // deleted
            running = std::move(now);
            first = false;
            Handler handler;
            {
                std::lock_guard lock(mutex_);
                handler = handler_;
            }
            for (const auto& [name, is] : changes) {
                ESCD_DEBUG("vim") << "Nova server " << name << (is ? " runs" : " is down");
                if (handler) handler(name, is);
            }
        } catch (const std::exception& e) {
            // Nova unreachable: no verdict; the VMs keep their last one.
            ESCD_DEBUG("vim") << "polling Nova failed: " << e.what();
        }
        timer->expires_after(idle_period_);
        co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace escd::vim::openstack
