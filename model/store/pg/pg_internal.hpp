#pragma once
/// @file
/// Private to model/store/pg: what the files of PgStore (pg_store.cpp and one file per
/// aggregate: pg_resources.cpp, pg_operations.cpp, pg_deployments.cpp, pg_snapshots.cpp,
/// pg_settings.cpp, pg_vim_connectors.cpp) share: time points as milliseconds, the connection
/// pool's checkout and the read helpers over it, the await of a group-commit submission, and the
/// writes that several aggregates put in their transactions (a lifecycle check, an operation, an
/// outbox row). Include it only from those files.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

using Clock = std::chrono::system_clock;

inline std::int64_t ToMillis(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline Clock::time_point FromMillis(std::int64_t ms) {
    return Clock::time_point(std::chrono::milliseconds(ms));
}

/// The stored text of a kind (ResourceKind, TargetKind, OperationKind), as a statement's parameter.
template <class Kind>
std::string Stored(Kind kind) {
    return std::string(ToString(kind));
}

/// `values` as a PostgreSQL array literal ({"a","b\"c"}) for `= ANY($1::text[])` (or uuid[]):
/// libpqxx 6 has no conversion of its own. Every element is quoted, so none reads as NULL or
/// splits at a comma. Defined in pg_resources.cpp.
std::string TextArray(const std::vector<std::string>& values);
/// The elements of a text[] column, in order (NULL elements skipped). Defined in pg_csm.cpp.
std::vector<std::string> TextsOf(const pqxx::field& field);

/// Locks the resource and finds its next state for a request in the lifecycle table; 404/409 as
/// the table says. Writes nothing (group-commit jobs refuse only before their first write).
/// Defined in pg_resources.cpp.
ResourceState CheckTransition(pqxx::work& tx,
                              ResourceKind kind,
                              const std::string& id,
                              ResourceEvent event);
/// The same, with the event `event_in` picks for the state the locked row is in.
ResourceState CheckTransition(pqxx::work& tx,
                              ResourceKind kind,
                              const std::string& id,
                              const std::function<ResourceEvent(ResourceState)>& event_in);

/// Inserts `op` as unfinished, its transaction leased to `node` (the accepting node, "" for
/// nobody). Defined, with InsertOutbox and HoldLease, in pg_operations.cpp.
void InsertOperation(pqxx::work& tx, const Operation& op, const std::string& node);

/// Inserts the outbox row of `message` and answers it as the outbox hands it out. A transaction
/// without a lease (a monitor's events) is leased to `node`.
OutboxRow InsertOutbox(pqxx::work& tx,
                       const std::string& transaction_id,
                       const OutboxMessage& message,
                       const std::string& node);

/// Fences the writes of `tx` for unit `unit_id` of `kind` on its lease: throws LeaseLost when
/// another node holds it (none: no fence); a claim waits for `tx` (docs/cluster.md, "Leases").
void HoldLease(pqxx::work& tx, LeaseKind kind, const std::string& unit_id, const std::string& node);

/// A savepoint of a group-commit job that must be able to refuse after it wrote (the group-commit
/// contract: a refused job leaves nothing): rolled back unless Release()d, so that a throw after
/// it undoes the job's writes since. Explicit SQL: libpqxx 6's subtransaction is begun by exec()
/// but not by exec_prepared(), so under prepared statements it protected nothing.
class Savepoint {
  public:
    Savepoint(pqxx::work& tx, std::string name) : tx_(tx), name_(std::move(name)) {
        tx_.exec0("SAVEPOINT " + name_);
    }
    ~Savepoint() {
        if (released_) return;
        try {
            tx_.exec0("ROLLBACK TO SAVEPOINT " + name_);
        } catch (...) {
            // The transaction is broken: the batch fails and is retried job by job.
        }
    }
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void Release() {
        tx_.exec0("RELEASE SAVEPOINT " + name_);
        released_ = true;
    }

  private:
    pqxx::work& tx_;
    std::string name_;
    bool released_ = false;
};

// Awaits a group-commit submission. The writer thread completes it by posting to the awaiting
// coroutine's executor (tracked as outstanding work until then).
template <class Submit>
asio::awaitable<pqxx::result> AwaitCommit(Submit submit) {
    return asio::async_initiate<const asio::use_awaitable_t<>&,
                                void(std::exception_ptr, pqxx::result)>(
        [submit = std::move(submit)](auto handler) mutable {
            using Handler = decltype(handler);
            auto owned = std::make_shared<Handler>(std::move(handler));
            auto executor = asio::prefer(asio::get_associated_executor(*owned),
                                         asio::execution::outstanding_work.tracked);
            submit([owned, executor](std::exception_ptr error, pqxx::result result) {
                asio::post(executor, [owned, error, result = std::move(result)]() mutable {
                    std::move (*owned)(error, std::move(result));
                });
            });
        },
        asio::use_awaitable);
}

/// One connection of the pool for the lifetime of this object (waits for one); defined in
/// pg_store.cpp.
class PgStore::Checkout {
  public:
    explicit Checkout(PgStore& store);
    ~Checkout();
    pqxx::connection& Get();
    void Drop() { connection_.reset(); }

  private:
    PgStore& store_;
    std::unique_ptr<pqxx::connection> connection_;
};

template <class Fn>
auto PgStore::With(Fn&& fn) {
    for (int attempt = 0;; ++attempt) {
        Checkout checkout(*this);
        try {
            return fn(checkout.Get());
        } catch (const pqxx::broken_connection& e) {
            checkout.Drop();
            // A connection the server ended (a failover, a restart) shows it at its first use:
            // a read (or an idempotent put) runs once more on a new connection. The server ended
            // the pool's idle ones with it, most likely: they go too, so that the retry (and the
            // next requests) do not meet them one by one.
            DropIdleConnections();
            if (attempt == 0) continue;
            throw DatabaseError(std::string("database connection lost: ") + e.what());
        }
    }
}

template <class Fn>
auto PgStore::Read(Fn&& fn) {
    if (standby_dsn_.empty()) return With(fn);
    try {
        auto result = With(fn);
        if (on_standby_.exchange(false)) {
            ESCD_INFO("store") << "reads are served by the primary again";
            // The standby's connections wait for no one until the next outage: closed (outside
            // the lock), opened again then.
            std::vector<std::unique_ptr<pqxx::connection>> closing;
            std::lock_guard lock(mutex_);
            closing.swap(standby_idle_);
        }
        return result;
    } catch (const DatabaseError& primary) {
        if (primary.code() != ErrorCode::kUnavailable) throw;
        std::unique_ptr<pqxx::connection> connection;
        {
            std::lock_guard lock(mutex_);
            if (!standby_idle_.empty()) {
                connection = std::move(standby_idle_.back());
                standby_idle_.pop_back();
            }
        }
        try {
            if (!connection) connection = Connect(standby_dsn_);
            auto result = fn(*connection);
            if (!on_standby_.exchange(true))
                ESCD_WARN("store")
                    << "no primary (" << primary.what() << "): reads are served by the standby";
            std::lock_guard lock(mutex_);
            standby_idle_.push_back(std::move(connection));
            return result;
        } catch (const std::exception&) {
            throw primary;  // the standby is away too: the primary's error is the one to tell
        }
    }
}

template <class FromRow, class... Args>
auto PgStore::AllRows(const char* statement, FromRow from_row, const Args&... args) {
    return Read([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared(statement, args...);
        std::vector<std::invoke_result_t<FromRow&, const pqxx::row&>> out;
        out.reserve(rows.size());
        for (const auto& row : rows) out.push_back(from_row(row));
        return out;
    });
}

template <class FromRow, class... Args>
auto PgStore::FirstRow(const char* statement, FromRow from_row, const Args&... args) {
    using T = std::invoke_result_t<FromRow&, const pqxx::row&>;
    return Read([&](pqxx::connection& c) -> std::optional<T> {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared(statement, args...);
        if (rows.empty()) return std::nullopt;
        return from_row(rows[0]);
    });
}

template <class Fn>
auto PgStore::OnPool(Fn&& fn) {
    return Offload(pool_, std::forward<Fn>(fn));
}

}  // namespace escd::model::pg
