#pragma once
/// @file
/// The notifier delivers the callback outbox (docs/behaviour.md, "Callbacks";
/// docs/decisions.md#durable-callbacks-through-an-outbox): at least once, in order per
/// transaction, retried with exponential backoff while the receiver is down or answers non-2xx,
/// resumed after a restart, and only to addresses in the callback allow-list.
///
/// PostgreSQL is the record, memory is the work queue: rows arrive from the engine right after
/// the transaction that wrote them committed, or from a takeover (Engine::TakeOver: at start-up,
/// the previous process's; later, a dead node's), all through Enqueue. A node delivers the rows
/// of the transactions it holds the lease of (docs/cluster.md). Each transaction id has one
/// delivery coroutine that drains its rows in id order, so one slow receiver never reorders
/// another transaction's callbacks, and at most `max_in_flight` POSTs are open at once. All
/// notifier state lives on one strand.
///
/// Rows of one transaction may arrive out of id order: the parallel steps of an operation
/// commit theirs in one batch and hand them over from their own strands. A row that arrives
/// behind a later one already queued goes before it; one that arrives after a later one went
/// out is sent next. Every row handed over is sent: none is dropped for arriving late.

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <boost/asio/experimental/channel.hpp>
#include "common/asio.hpp"
#include "common/backoff.hpp"
#include "common/cidr.hpp"
#include "common/clock.hpp"
#include "model/stores/operation_store.hpp"
#include "orchestrator/notify/callback_client.hpp"

namespace escd::orchestrator {

struct NotifierOptions {
    CidrList allowed;
    BackoffPolicy backoff;
    std::size_t max_in_flight = 64;
    std::chrono::milliseconds timeout{10000};
    bool tls_verify = true;
    std::string ca_file;
};

class Notifier {
  public:
    /// `clock`: the time of the waits before a retry (of a delivery, or of recording one); the
    /// rows' next_attempt_at and their age are wall-clock times, as stored.
    Notifier(asio::io_context& ioc,
             model::OperationStore& store,
             NotifierOptions options,
             Clock& clock = SteadyClock::Shared());
    ~Notifier();

    /// Hands over rows to deliver, in any order; a row this notifier already holds (queued, in
    /// flight, or being recorded) is ignored. Thread safe.
    void Enqueue(std::vector<model::OutboxRow> rows);
    /// Stops retries and new deliveries; POSTs in flight end by their timeout. Thread safe.
    void Stop();
    /// Rows not yet delivered or abandoned (the "notifier backlog" system state).
    std::size_t Backlog() const { return backlog_.load(); }
    /// Every callback waiting for its next attempt is tried now (an operator fixed the
    /// receiver and does not want to wait out the backoff). Thread safe.
    void RetryNow();

  private:
    asio::awaitable<void> Drain(std::string transaction_id);
    asio::awaitable<void> DeliverOne(model::OutboxRow& row);
    /// The row is finished (its outcome recorded, or delivered): out of the queue, and out of
    /// the rows held once `recorded`.
    void Finish(const model::OutboxRow& row, bool recorded);
    /// Records a delivery (retrying while the database refuses); runs beside the next sends.
    asio::awaitable<void> MarkDelivered(std::string transaction_id, std::int64_t id);
    void Spawn(const std::string& transaction_id);

    asio::io_context& ioc_;
    model::OperationStore& store_;
    NotifierOptions options_;
    asio::strand<asio::io_context::executor_type> strand_;
    ssl::context tls_;
    asio::experimental::channel<void(boost::system::error_code)> slots_;
    /// Per transaction, by id; a map, since a late row goes before the others and DeliverOne
    /// holds a reference to the row it sends. On strand_.
    std::map<std::string, std::map<std::int64_t, model::OutboxRow>> queues_;
    /// Ids of the rows queued, in flight or being recorded (outbox ids are unique across
    /// transactions): a row handed over twice is queued once. On strand_.
    std::set<std::int64_t> held_;
    Clock& clock_;
    std::set<Clock::Timer*> timers_;  ///< waiting retries, on strand_
    CallbackClient client_;           ///< on strand_
    bool stopping_ = false;
    std::atomic<std::size_t> backlog_{0};
};

}  // namespace escd::orchestrator
