// PgStore: construction, the connection pool (Checkout, Connect: each connection prepares the
// statements of pg_statements.cpp once), the group-commit write of one prepared statement, and the
// schema migrations applied at start-up. The aggregates' member functions are in pg_resources.cpp,
// pg_operations.cpp, pg_deployments.cpp, pg_snapshots.cpp, pg_settings.cpp and
// pg_vim_connectors.cpp.

#include "model/store/pg/pg_store.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

// Jobs per group commit: large enough that a burst shares one WAL flush, small enough that one
// transaction stays short.
constexpr std::size_t kMaxBatch = 256;

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

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

pqxx::connection& PgStore::Checkout::Get() {
    if (!connection_) connection_ = store_.Connect();
    return *connection_;
}

PgStore::PgStore(std::string dsn, int connections, int writers)
    : dsn_(std::move(dsn)),
      free_slots_(std::max(1, connections)),
      pool_(static_cast<std::size_t>(std::max(1, connections))),
      writes_([this] { return Connect(); }, writers, kMaxBatch) {}

PgStore::~PgStore() = default;

Stores PgStore::Roles() {
    return {*this, *this, *this, *this, *this, *this, *this, *this};
}

void PgStore::Stop() {
    pool_.join();
    writes_.Stop();
}

std::unique_ptr<pqxx::connection> PgStore::Connect() {
    try {
        auto connection = std::make_unique<pqxx::connection>(dsn_);
        // prepare_now: libpqxx 6 prepares lazily, but group commit runs them as EXECUTE text.
        for (const auto& [name, sql] : PreparedStatements()) {
            connection->prepare(name, sql);
            connection->prepare_now(name);
        }
        return connection;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseError(std::string("database unavailable: ") + e.what());
    }
}

int PgStore::ApplyMigrations(const std::string& dsn, const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::pair<int, fs::path>> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (entry.path().extension() != ".sql" || name.size() < 6 ||
            !std::isdigit(static_cast<unsigned char>(name[0]))) {
            continue;
        }
        files.emplace_back(std::stoi(name.substr(0, name.find('_'))), entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::runtime_error("no migrations found in " + dir);
    // schema_migrations records a version once: of two files with one number, the second would
    // never be applied.
    const auto same =
        std::adjacent_find(files.begin(), files.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; });
    if (same != files.end()) {
        throw std::runtime_error("migrations " + same->second.filename().string() + " and " +
                                 std::next(same)->second.filename().string() + " in " + dir +
                                 " have the same number " + std::to_string(same->first));
    }

    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    // Serialises concurrent start-ups of several escd on one database.
    tx.exec("SELECT pg_advisory_xact_lock(74657363)");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT "
        "NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (const auto& [version, path] : files) {
        if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", version).empty())
            continue;
        tx.exec(ReadFile(path));
        tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version,
                       path.filename().string());
        ESCD_INFO("store") << "applied migration " << path.filename().string();
        ++applied;
    }
    tx.commit();
    return applied;
}

asio::awaitable<pqxx::result> PgStore::Write(const std::string& statement,
                                             std::vector<std::string>& params) {
    co_return co_await AwaitCommit([this, &statement, &params](GroupCommit::Completion done) {
        writes_.ExecuteAsync(statement, std::move(params), std::move(done));
    });
}

}  // namespace escd::model::pg
