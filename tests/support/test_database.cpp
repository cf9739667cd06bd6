#include "tests/support/test_database.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "model/store/pg/pg_store.hpp"

namespace escd::test {
namespace {

// Any key: it only has to differ from escd's own (pg_migrations.cpp), which serialises
// migrations.
constexpr long kTemplateLock = 0x65736364'74706c;

std::string Hex16(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

std::string RandomHex16() {
    std::random_device device;
    return Hex16((std::uint64_t{device()} << 32) | device());
}

// FNV-1a over the names and contents of the .sql files of `dir`, in name order.
std::uint64_t MigrationsFingerprint(const std::string& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".sql") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::uint64_t hash = 14695981039346656037ull;
    const auto mix = [&hash](const std::string& text) {
        for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
        hash = (hash ^ 0xff) * 1099511628211ull;  // ends a field: "ab"+"c" is not "a"+"bc"
    };
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        mix(file.filename().string());
        mix(std::string(std::istreambuf_iterator<char>(in), {}));
    }
    return hash;
}

bool DatabaseExists(pqxx::nontransaction& transaction, const std::string& name) {
    return !transaction.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

}  // namespace

std::string TestDatabase::EscdTemplate(const std::string& server_dsn) {
    const std::string name = "escd_tpl_" + Hex16(MigrationsFingerprint(ESCD_SCHEMA_DIR));
    pqxx::connection connection(server_dsn);
    pqxx::nontransaction transaction(connection);
    if (DatabaseExists(transaction, name)) return name;
    // A session lock: CREATE DATABASE cannot run in the transaction an xact lock would need.
    transaction.exec_params("SELECT pg_advisory_lock($1)", kTemplateLock);
    if (!DatabaseExists(transaction, name)) {
        // What a process killed while making it left behind goes first.
        const std::string draft = transaction.quote_name(name + "_draft");
        transaction.exec0("DROP DATABASE IF EXISTS " + draft + " WITH (FORCE)");
        transaction.exec0("CREATE DATABASE " + draft);
        model::pg::PgStore::ApplyMigrations(server_dsn + " dbname=" + name + "_draft",
                                            ESCD_SCHEMA_DIR);
        transaction.exec0("ALTER DATABASE " + draft + " RENAME TO " + transaction.quote_name(name));
    }
    // Also unlocked when the connection closes, should anything above throw.
    transaction.exec_params("SELECT pg_advisory_unlock($1)", kTemplateLock);
    return name;
}

TestDatabase::TestDatabase(Schema schema) {
    const char* server = std::getenv("ESCD_TEST_PG_DSN");
    if (server == nullptr || *server == '\0') return;
    server_dsn_ = server;
    const std::string name = "escd_t_" + RandomHex16();
    pqxx::connection connection(server_dsn_);
    // CREATE DATABASE refuses to run inside a transaction block.
    pqxx::nontransaction transaction(connection);
    std::string create = "CREATE DATABASE " + transaction.quote_name(name);
    // A copy of the template's files: far cheaper than running the migrations again. FILE_COPY
    // copies them as files; PostgreSQL 15's default (WAL_LOG) writes every block through the WAL,
    // which took 0.35-0.42 s against 0.23-0.25 s for the 8 MB template on the test cluster (where
    // FILE_COPY's checkpoint is cheap: fsync is off).
    if (schema == Schema::kEscd)
        create += " TEMPLATE " + transaction.quote_name(EscdTemplate(server_dsn_)) +
                  " STRATEGY FILE_COPY";
    transaction.exec0(create);
    name_ = name;
    dsn_ = server_dsn_ + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
    if (!available()) return;
    try {
        pqxx::connection connection(server_dsn_);
        pqxx::nontransaction transaction(connection);
        transaction.exec0("DROP DATABASE IF EXISTS " + transaction.quote_name(name_) +
                          " WITH (FORCE)");
    } catch (...) {
        // A leftover database is harmless on a throw-away test cluster; a throwing destructor
        // would not be.
    }
}

bool TestDatabase::AwaitLockWaiter(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto waiting = Query(
                                 "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                 "current_database() AND wait_event_type = 'Lock'")[0][0]
                                 .as<long>();
        if (waiting > 0) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

pqxx::result TestDatabase::Query(const std::string& sql) {
    if (!available()) throw std::logic_error("TestDatabase::Query: ESCD_TEST_PG_DSN is not set");
    pqxx::connection connection(dsn_);
    pqxx::work transaction(connection);
    pqxx::result result = transaction.exec(sql);
    transaction.commit();
    return result;
}

}  // namespace escd::test
