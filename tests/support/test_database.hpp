#pragma once
/// @file
/// A fresh, empty PostgreSQL database per test, created on the server ESCD_TEST_PG_DSN names and
/// dropped again afterwards.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>

namespace escd::test {

class TestDatabase {
  public:
    /// Without ESCD_TEST_PG_DSN, available() is false and nothing is created. Otherwise creates
    /// "escd_t_<16 random hex>"; throws (failing the test) when the server cannot be reached,
    /// since a configured but broken database must not turn into silently skipped tests.
    TestDatabase();
    /// Drops the database WITH (FORCE), disconnecting leftover sessions; errors are swallowed.
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    bool available() const { return !name_.empty(); }
    /// ESCD_TEST_PG_DSN + " dbname=<name>" (libpq lets the later key win).
    const std::string& dsn() const { return dsn_; }
    const std::string& name() const { return name_; }

    /// Runs `sql` in its own short-lived connection and transaction and commits.
    pqxx::result Query(const std::string& sql);

  private:
    std::string server_dsn_;
    std::string name_;
    std::string dsn_;
};

}  // namespace escd::test

/// Skips the current test when no PostgreSQL is configured.
#define ESCD_REQUIRE_PG(db)                                \
    do {                                                   \
        if (!(db).available()) {                           \
            GTEST_SKIP() << "ESCD_TEST_PG_DSN is not set"; \
        }                                                  \
    } while (false)
