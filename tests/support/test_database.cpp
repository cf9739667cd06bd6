#include "tests/support/test_database.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace escd::test {
namespace {

std::string RandomHex16() {
    std::random_device device;
    const std::uint64_t value = (std::uint64_t{device()} << 32) | device();
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

}  // namespace

TestDatabase::TestDatabase() {
    const char* server = std::getenv("ESCD_TEST_PG_DSN");
    if (server == nullptr || *server == '\0') return;
    server_dsn_ = server;
    const std::string name = "escd_t_" + RandomHex16();
    pqxx::connection connection(server_dsn_);
    // CREATE DATABASE refuses to run inside a transaction block.
    pqxx::nontransaction transaction(connection);
    transaction.exec0("CREATE DATABASE " + transaction.quote_name(name));
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

pqxx::result TestDatabase::Query(const std::string& sql) {
    if (!available()) throw std::logic_error("TestDatabase::Query: ESCD_TEST_PG_DSN is not set");
    pqxx::connection connection(dsn_);
    pqxx::work transaction(connection);
    pqxx::result result = transaction.exec(sql);
    transaction.commit();
    return result;
}

}  // namespace escd::test
