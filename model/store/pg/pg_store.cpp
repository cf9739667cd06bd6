// PgStore: construction, the connection pool (Checkout, Connect: each connection prepares the
// statements of pg_statements.cpp once) and the store's own threads, and the group-commit write
// of one prepared statement. The migrations applied at start-up are in pg_migrations.cpp. The
// aggregates' member functions are in pg_resources.cpp, pg_operations.cpp, pg_deployments.cpp,
// pg_snapshots.cpp, pg_settings.cpp and pg_vim_connectors.cpp.

#include "model/store/pg/pg_store.hpp"

#include <algorithm>
#include <mutex>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

// Jobs per group commit: large enough that a burst shares one WAL flush, small enough that one
// transaction stays short.
constexpr std::size_t kMaxBatch = 256;

}  // namespace

PgStore::Checkout::Checkout(PgStore& store) : store_(store) {
    std::unique_lock lock(store_.mutex_);
    store_.available_.wait(lock, [&] { return !store_.idle_.empty() || store_.free_slots_ > 0; });
    if (!store_.idle_.empty()) {
        connection_ = std::move(store_.idle_.back());
        store_.idle_.pop_back();
    } else {
        --store_.free_slots_;
    }
}

PgStore::Checkout::~Checkout() {
    std::lock_guard lock(store_.mutex_);
    // A connection that failed is dropped; its slot reconnects on the next use.
    if (connection_ && connection_->is_open()) {
        store_.idle_.push_back(std::move(connection_));
    } else {
        ++store_.free_slots_;
    }
    store_.available_.notify_one();
}

void PgStore::DropIdleConnections() {
    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(idle_);
        free_slots_ += static_cast<int>(dropped.size());
        available_.notify_all();
    }
    // Closed outside the lock: a close may wait on the network.
}

pqxx::connection& PgStore::Checkout::Get() {
    if (!connection_) connection_ = store_.Connect();
    return *connection_;
}

PgStore::PgStore(std::string dsn, int connections, int writers, std::string standby_dsn)
    : dsn_(std::move(dsn)),
      standby_dsn_(std::move(standby_dsn)),
      free_slots_(std::max(1, connections)),
      pool_(static_cast<std::size_t>(std::max(1, connections))),
      writes_([this] { return Connect(); }, writers, kMaxBatch) {}

PgStore::~PgStore() = default;

Stores PgStore::Roles() {
    return {*this, *this, *this, *this, *this, *this, *this,
            *this, *this, *this, *this, *this, *this};
}

void PgStore::Stop() {
    pool_.join();
    writes_.Stop();
}

std::unique_ptr<pqxx::connection> PgStore::Connect(const std::string& dsn) {
    try {
        auto connection = std::make_unique<pqxx::connection>(dsn);
        // prepare_now: libpqxx 6 prepares lazily, but group commit runs them as EXECUTE text.
        for (auto statements :
             {PreparedStatements(), CatalogueStatements(), CsmStatements(), CsmJobStatements()}) {
            for (const auto& [name, sql] : statements) {
                connection->prepare(name, sql);
                connection->prepare_now(name);
            }
        }
        return connection;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseError(std::string("database unavailable: ") + e.what());
    }
}

asio::awaitable<pqxx::result> PgStore::Write(const std::string& statement,
                                             std::vector<std::string>& params) {
    co_return co_await AwaitCommit([this, &statement, &params](GroupCommit::Completion done) {
        writes_.ExecuteAsync(statement, std::move(params), std::move(done));
    });
}

}  // namespace escd::model::pg
