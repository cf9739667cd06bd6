// PgStore: operations and the outbox: the end of an operation on a resource (its new state, the
// operation's end and its callbacks, fenced on its transaction's lease), the latest operation of
// a target, the outbox's delivery marks, and what the other aggregates' transactions share: the
// inserts of an operation and of an outbox row, and the fence of a write on its lease.

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

void InsertOperation(pqxx::work& tx, const Operation& op, const std::string& node) {
    tx.exec_prepared0("insert_operation", op.transaction_id, std::string(KindText(op)),
                      Stored(op.target_kind), op.target_id, op.callback_url, op.events_url,
                      op.payload, node);
}

OutboxRow InsertOutbox(pqxx::work& tx,
                       const std::string& transaction_id,
                       const OutboxMessage& message,
                       const std::string& node) {
    return OutboxRowFrom(
        tx.exec_prepared1("insert_outbox", transaction_id, message.url, message.event,
                          message.status_code, message.status_message, message.body, node),
        transaction_id, message);
}

void HoldLease(pqxx::work& tx,
               LeaseKind kind,
               const std::string& unit_id,
               const std::string& node) {
    const auto lease = tx.exec_prepared("hold_lease", Stored(kind), unit_id, node);
    if (!lease.empty() && !lease[0][0].as<bool>()) throw LeaseLost(kind, unit_id);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CompleteOperation(
    const Operation& op,
    const ResourceOutcome& outcome,
    int status_code,
    const std::string& status_message,
    const std::vector<OutboxMessage>& callbacks) {
    const bool removed = outcome.state == ResourceState::kRemoved;
    const auto node = Node();
    std::vector<OutboxRow> rows;
    if (callbacks.size() <= 1) {
        // The usual case, one pipelined statement.
        const OutboxMessage none;
        const auto& message = callbacks.empty() ? none : callbacks.front();
        const auto status = std::to_string(status_code);
        const std::string statement = removed ? "complete_remove_one" : "complete_update_one";
        std::vector<std::string> params =
            removed ? std::vector<std::string>{Stored(op.target_kind),
                                               op.target_id,
                                               op.transaction_id,
                                               status,
                                               status_message,
                                               message.url,
                                               message.event,
                                               message.body,
                                               node}
                    : std::vector<std::string>{Stored(op.target_kind),
                                               op.target_id,
                                               std::string(ToString(outcome.state)),
                                               outcome.external_id.value_or(""),
                                               outcome.spec.value_or(""),
                                               outcome.name.value_or(""),
                                               op.transaction_id,
                                               status,
                                               status_message,
                                               message.url,
                                               message.event,
                                               message.body,
                                               node};
        // One row: the callback's id and time (NULL without one), whether the lease was held,
        // whether this statement ended the operation.
        const auto result = co_await Write(statement, params);
        const auto row = result.at(0);
        if (!row[2].as<bool>()) throw LeaseLost(LeaseKind::kTransaction, op.transaction_id);
        if (!row[3].as<bool>()) co_return co_await PendingCallbacksOf(op.transaction_id);
        if (!row[0].is_null()) rows.push_back(OutboxRowFrom(row, op.transaction_id, message));
        co_return rows;
    }
    bool ended_before = false;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                HoldLease(tx, LeaseKind::kTransaction, op.transaction_id, node);
                // First, so that an end committed already writes nothing again.
                const auto finished = tx.exec_prepared("finish_operation", op.transaction_id,
                                                       status_code, status_message);
                ended_before = finished.empty();
                if (ended_before) return;
                // A cancelled operation leaves its target to the undeploy that cancelled it.
                const bool cancelled = finished[0][0].as<bool>();
                if (removed && !cancelled) {
                    tx.exec_prepared0("delete_resource", Stored(op.target_kind), op.target_id);
                } else if (!cancelled) {
                    tx.exec_prepared0("update_resource", Stored(op.target_kind), op.target_id,
                                      std::string(ToString(outcome.state)),
                                      outcome.external_id.value_or(""), outcome.spec.value_or(""),
                                      outcome.name.value_or(""));
                }
                for (const auto& message : callbacks)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, message, node));
            },
            std::move(done));
    });
    if (ended_before) co_return co_await PendingCallbacksOf(op.transaction_id);
    co_return rows;
}

asio::awaitable<std::vector<OutboxRow>> PgStore::PendingCallbacksOf(
    const std::string& transaction_id) {
    return OnPool([this, &transaction_id] {
        return AllRows("pending_outbox_of", PendingOutboxRowFrom, TextArray({transaction_id}));
    });
}

asio::awaitable<void> PgStore::MarkOutboxDelivered(const std::string& transaction_id,
                                                   std::int64_t id) {
    static const std::string kStatement = "outbox_delivered";
    std::vector<std::string> params{transaction_id, std::to_string(id)};
    co_await Write(kStatement, params);
}

asio::awaitable<void> PgStore::MarkOutboxRetry(std::int64_t id,
                                               int attempts,
                                               Clock::time_point next_attempt_at,
                                               const std::string& error) {
    static const std::string kStatement = "outbox_retry";
    std::vector<std::string> params{std::to_string(id), std::to_string(attempts),
                                    std::to_string(ToMillis(next_attempt_at)), error};
    co_await Write(kStatement, params);
}

asio::awaitable<void> PgStore::MarkOutboxAbandoned(std::int64_t id,
                                                   const std::string& state,
                                                   int attempts,
                                                   const std::string& reason) {
    static const std::string kStatement = "outbox_abandoned";
    std::vector<std::string> params{std::to_string(id), state, std::to_string(attempts), reason};
    co_await Write(kStatement, params);
}

asio::awaitable<std::optional<Operation>> PgStore::LatestOperation(const std::string& target_id) {
    return OnPool(
        [this, &target_id] { return FirstRow("latest_operation", OperationFromRow, target_id); });
}

asio::awaitable<std::optional<std::string>> PgStore::CancelledBy(
    const std::string& transaction_id) {
    return OnPool([this, &transaction_id] {
        return FirstRow(
            "operation_cancelled_by", [](const pqxx::row& row) { return row[0].as<std::string>(); },
            transaction_id);
    });
}

asio::awaitable<std::optional<int>> PgStore::OperationEnd(const std::string& transaction_id) {
    return OnPool([this, &transaction_id] {
        return FirstRow(
            "operation_end", [](const pqxx::row& row) { return row[0].as<int>(0); },
            transaction_id);
    });
}

asio::awaitable<std::vector<std::string>> PgStore::UnfinishedCancelledBy(
    const std::string& transaction_id) {
    return OnPool([this, &transaction_id] {
        return AllRows(
            "unfinished_cancelled_by",
            [](const pqxx::row& row) { return row[0].as<std::string>(); }, transaction_id);
    });
}

}  // namespace escd::model::pg
