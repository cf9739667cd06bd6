#include "orchestrator/notify/notifier.hpp"

#include <boost/asio/experimental/channel.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/url.hpp"
#include "orchestrator/notify/callback_client.hpp"

namespace escd::orchestrator {
namespace {
using SystemClock = std::chrono::system_clock;
// Named, not literals: the store's coroutines hold their parameters by reference.
const std::string kRefused = "REFUSED";
const std::string kExpired = "EXPIRED";

std::optional<asio::ip::address> IpLiteral(const std::string& host) {
    boost::system::error_code error;
    auto address = asio::ip::make_address(host, error);
    if (error) return std::nullopt;
    return address;
}

std::vector<std::pair<std::string, std::string>> CallbackHeaders(const model::OutboxRow& row) {
    return {
        {"ESC-Transaction-Id", row.transaction_id},
        // The reference shows the id under this spelling too; receivers may read either.
        {"ESC_TRANSACTION_ID", row.transaction_id},
        {"ESC-Status-Code", std::to_string(row.message.status_code)},
        {"ESC-Status-Message", row.message.status_message},
    };
}
}  // namespace

Notifier::Notifier(asio::io_context& ioc,
                   model::OperationStore& store,
                   NotifierOptions options,
                   Clock& clock)
    : ioc_(ioc),
      store_(store),
      options_(std::move(options)),
      strand_(asio::make_strand(ioc)),
      tls_(ssl::context::tls_client),
      slots_(strand_, std::max<std::size_t>(1, options_.max_in_flight)),
      clock_(clock),
      client_(tls_, options_.timeout, std::max<std::size_t>(1, options_.max_in_flight)) {
    if (options_.tls_verify) {
        tls_.set_verify_mode(ssl::verify_peer);
        if (options_.ca_file.empty()) {
            tls_.set_default_verify_paths();
        } else {
            tls_.load_verify_file(options_.ca_file);
        }
    } else {
        tls_.set_verify_mode(ssl::verify_none);
    }
}

Notifier::~Notifier() = default;

void Notifier::Enqueue(std::vector<model::OutboxRow> rows) {
    if (rows.empty()) return;
    backlog_ += rows.size();
    asio::post(strand_, [this, rows = std::move(rows)]() mutable {
        for (auto& row : rows) {
            // Handed over twice (a takeover gave this node back a transaction it still
            // delivers): held once.
            if (!held_.insert(row.id).second) {
                --backlog_;
                continue;
            }
            auto& queue = queues_[row.transaction_id];
            bool idle = queue.empty();
            std::string tx = row.transaction_id;
            const auto id = row.id;
            queue.emplace(id, std::move(row));
            if (idle && !stopping_) Spawn(tx);
        }
    });
}

void Notifier::Stop() {
    asio::post(strand_, [this] {
        stopping_ = true;
        for (auto* timer : timers_) timer->Cancel();
        client_.CloseIdle();
    });
}

void Notifier::RetryNow() {
    asio::post(strand_, [this] {
        const auto now = SystemClock::now();
        // Every queued row, not only each first: the row waiting may be behind a late one.
        for (auto& [tx, queue] : queues_) {
            for (auto& [id, row] : queue) row.next_attempt_at = std::min(row.next_attempt_at, now);
        }
        // The waiting loops wake, see their row due, and send it.
        for (auto* timer : timers_) timer->Cancel();
    });
}

void Notifier::Spawn(const std::string& transaction_id) {
    asio::co_spawn(strand_, Drain(transaction_id),
                   log::LogFailure(log::Level::kError, "notifier",
                                   "delivery of transaction " + transaction_id + " stopped"));
}

asio::awaitable<void> Notifier::Drain(std::string transaction_id) {
    // Runs on strand_. The queue entry stays in the map while this coroutine owns it; Enqueue
    // spawns a new Drain only for a queue that was empty.
    while (!stopping_) {
        auto it = queues_.find(transaction_id);
        if (it == queues_.end() || it->second.empty()) break;
        // Rows are not copied: DeliverOne updates attempts and next_attempt_at in place. The
        // lowest id goes next, a late row included.
        co_await DeliverOne(it->second.begin()->second);
        if (stopping_) co_return;
        // DeliverOne takes the row out when it is finished (delivered or abandoned).
    }
    auto it = queues_.find(transaction_id);
    if (it != queues_.end() && it->second.empty()) queues_.erase(it);
}

void Notifier::Finish(const model::OutboxRow& row, bool recorded) {
    if (recorded) held_.erase(row.id);
    auto it = queues_.find(row.transaction_id);
    if (it != queues_.end()) it->second.erase(row.id);
}

asio::awaitable<void> Notifier::MarkDelivered(std::string transaction_id, std::int64_t id) {
    for (int attempt = 0; !stopping_; ++attempt) {
        try {
            co_await store_.MarkOutboxDelivered(transaction_id, id);
            ESCD_INFO("notifier") << "outbox row " << id << " of " << transaction_id
                                  << " marked DELIVERED";
            held_.erase(id);
            co_return;
        } catch (const std::exception& e) {
            // Unrecorded, it would be resent after a restart (at least once): keep trying.
            ESCD_WARN("notifier") << "cannot record outbox row " << id << ": " << e.what();
        }
        co_await clock_.Wait(std::chrono::seconds(std::min(30, 1 << std::min(attempt, 5))));
    }
}

asio::awaitable<void> Notifier::DeliverOne(model::OutboxRow& row) {
    auto executor = co_await asio::this_coro::executor;
    // `mark` is a coroutine lambda: it awaits the store's write.
    auto finish = [&](const char* state, auto&& mark) -> asio::awaitable<void> {
        // The DB write must succeed before the row leaves memory, or a restart would resend it
        // (harmless: at least once) ... or, for abandoned rows, retry it. Retry the write.
        for (int attempt = 0;; ++attempt) {
            try {
                co_await mark();
                break;
            } catch (const std::exception& e) {
                ESCD_WARN("notifier") << "cannot record outbox row " << row.id << ": " << e.what();
            }
            if (stopping_) co_return;
            co_await clock_.Wait(std::chrono::seconds(std::min(30, 1 << std::min(attempt, 5))));
        }
        // Counted down before the log line, so that whoever reads the line sees the new backlog.
        --backlog_;
        ESCD_INFO("notifier") << "outbox row " << row.id << " (" << row.message.event << " of "
                              << row.transaction_id << ") marked " << state;
        Finish(row, true);
    };

    auto url = ParseUrl(row.message.url);
    std::vector<tcp::endpoint> endpoints;
    std::string refusal;
    if (!url) {
        refusal = "malformed callback URL";
    } else if (auto literal = IpLiteral(url->host)) {
        // An IP literal needs no resolver (whose getaddrinfo runs on a thread of its own).
        if (options_.allowed.Contains(*literal)) {
            endpoints.emplace_back(*literal, url->port);
        } else {
            refusal = "target " + literal->to_string() + " is not in callbacks.allowed_cidrs";
        }
    } else {
        tcp::resolver resolver(executor);
        const std::string service =
            std::to_string(url->port);  // a named local: see common/offload.hpp
        auto [error, results] = co_await resolver.async_resolve(
            url->host, service, asio::as_tuple(asio::use_awaitable));
        if (error) {
            refusal = "cannot resolve " + url->host + ": " + error.message();
        } else {
            // Every address the name resolves to must be allowed: a name must not smuggle a
            // request past the allow-list.
            for (const auto& entry : results) {
                if (!options_.allowed.Contains(entry.endpoint().address())) {
                    refusal = "target " + entry.endpoint().address().to_string() +
                              " is not in callbacks.allowed_cidrs";
                    break;
                }
                endpoints.push_back(entry.endpoint());
            }
        }
    }
    if (!refusal.empty()) {
        ESCD_WARN("notifier") << "refused callback " << row.message.event << " of transaction "
                              << row.transaction_id << " to " << row.message.url << ": " << refusal;
        const auto id = row.id;
        const int attempts = row.attempts;
        co_await finish("REFUSED", [&]() {
            return store_.MarkOutboxAbandoned(id, kRefused, attempts, refusal);
        });
        co_return;
    }

    // The wait before the next attempt, on clock_: none for a row never tried (its stored
    // next_attempt_at is its created_at, in milliseconds rounded, possibly a fraction ahead of
    // now); for one tried before a restart what is left of its stored next_attempt_at
    // (wall-clock time); after a failed attempt its backoff; none once the stored time is due
    // (RetryNow makes it so). RetryNow and Stop cut a wait short. The timer is made for the
    // first wait: most rows go out at once and never need one.
    std::unique_ptr<Clock::Timer> retry_timer;
    auto wait =
        row.attempts == 0
            ? Clock::duration::zero()
            : std::chrono::duration_cast<Clock::duration>(row.next_attempt_at - SystemClock::now());
    while (!stopping_) {
        if (row.next_attempt_at <= SystemClock::now()) wait = Clock::duration::zero();
        if (wait > Clock::duration::zero()) {
            if (!retry_timer) retry_timer = clock_.MakeTimer(executor);
            timers_.insert(retry_timer.get());
            co_await retry_timer->Wait(wait);
            timers_.erase(retry_timer.get());
            if (stopping_) co_return;
        }
        co_await slots_.async_send(boost::system::error_code{},
                                   asio::use_awaitable);  // take a slot
        const auto headers = CallbackHeaders(row);
        auto result = co_await client_.Post(*url, endpoints, headers, row.message.body);
        slots_.try_receive([](boost::system::error_code) {});  // give the slot back
        ++row.attempts;
        const auto id = row.id;
        const auto transaction_id = row.transaction_id;
        const int attempts = row.attempts;
        if (result.Delivered()) {
            ESCD_DEBUG("notifier")
                << "delivered " << row.message.event << " of " << row.transaction_id << " to "
                << row.message.url << " (" << result.status << ")";
            // The next callback of the transaction goes out now; the mark follows in the
            // background (a crash before it resends the row: at least once).
            --backlog_;
            Finish(row, false);  // `row` is gone from here on
            asio::co_spawn(
                strand_, MarkDelivered(transaction_id, id),
                log::LogFailure(log::Level::kWarn, "notifier",
                                "delivery of callback " + std::to_string(id) + " not recorded"));
            co_return;
        }
        std::string error =
            result.status ? "receiver answered " + std::to_string(result.status) : result.error;
        auto age = std::chrono::duration_cast<std::chrono::milliseconds>(SystemClock::now() -
                                                                         row.created_at);
        if (options_.backoff.Expired(age)) {
            ESCD_ERROR("notifier")
                << "giving up callback " << row.message.event << " of " << row.transaction_id
                << " to " << row.message.url << " after " << attempts << " attempts: " << error;
            co_await finish("EXPIRED", [&]() {
                return store_.MarkOutboxAbandoned(id, kExpired, attempts, error);
            });
            co_return;
        }
        const auto backoff = options_.backoff.DelayAfter(static_cast<std::uint32_t>(attempts));
        row.next_attempt_at = SystemClock::now() + backoff;
        wait = backoff;
        ESCD_INFO("notifier") << "callback " << row.message.event << " of " << row.transaction_id
                              << " to " << row.message.url << " failed (" << error << "), attempt "
                              << attempts << ", retrying";
        const auto next = row.next_attempt_at;
        try {
            co_await store_.MarkOutboxRetry(id, attempts, next, error);
        } catch (const std::exception& e) {
            // Only bookkeeping: the row is still PENDING in the table and will be retried.
            ESCD_WARN("notifier") << "cannot record retry of outbox row " << id << ": " << e.what();
        }
    }
}

}  // namespace escd::orchestrator
