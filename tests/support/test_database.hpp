#pragma once
/// @file
/// A fresh PostgreSQL database per test, created on the server ESCD_TEST_PG_DSN names and dropped
/// again afterwards: empty, or a copy of a template that holds escd's schema (the migrations of
/// ESCD_SCHEMA_DIR applied once per server and schema instead of once per test).

#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>

namespace escd::test {

class TestDatabase {
  public:
    enum class Schema {
        kEmpty,  ///< nothing in it (a test of its own tables)
        kEscd,   ///< escd's migrations already applied, as escd leaves a new database
    };

    /// Without ESCD_TEST_PG_DSN, available() is false and nothing is created. Otherwise creates
    /// "escd_t_<16 random hex>"; throws (failing the test) when the server cannot be reached,
    /// since a configured but broken database must not turn into silently skipped tests.
    explicit TestDatabase(Schema schema = Schema::kEmpty);
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

    /// Waits until a session of this database waits for a lock (behind a transaction the test
    /// holds open), at most `timeout`; whether one did. PostgreSQL announces no such moment, so
    /// this looks at pg_stat_activity every few milliseconds.
    bool AwaitLockWaiter(std::chrono::milliseconds timeout);

    /// The name of the template database holding escd's schema on the server `server_dsn`
    /// names, made first if it does not exist yet: "escd_tpl_<16 hex>", the hex a fingerprint of
    /// the migration files, so a changed migration gets a template of its own. Concurrent test
    /// processes make it once (an advisory lock); it is made under another name and renamed when
    /// complete, so a half-made template is never copied.
    static std::string EscdTemplate(const std::string& server_dsn);

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
