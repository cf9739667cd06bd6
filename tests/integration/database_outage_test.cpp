// The database goes away under a running escd (a failover, docs/cluster.md, "The database fails
// over"): requests meanwhile get a clear 503 with Retry-After and store nothing, and escd serves
// again once the database is back, without a restart. The outage is made by refusing new
// connections to the test's database and ending escd's sessions.

#include <pqxx/pqxx>

#include <cstdlib>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class DatabaseOutage : public EscdTest {
  protected:
    /// Opens or closes the test's database to new sessions; closing also ends escd's.
    void AllowConnections(bool allow) {
        pqxx::connection server(std::getenv("ESCD_TEST_PG_DSN"));
        pqxx::nontransaction sql(server);
        sql.exec0("ALTER DATABASE " + sql.quote_name(db_.name()) + " ALLOW_CONNECTIONS " +
                  (allow ? "true" : "false"));
        if (!allow) {
            sql.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
                     sql.quote(db_.name()));
        }
    }
    /// Makes the test's database take no writes in new sessions, and ends escd's so that it
    /// opens new ones; or takes writes again (escd's read-only sessions end at their failure).
    void ReadOnly(bool read_only) {
        pqxx::connection server(std::getenv("ESCD_TEST_PG_DSN"));
        pqxx::nontransaction sql(server);
        sql.exec0("ALTER DATABASE " + sql.quote_name(db_.name()) +
                  " SET default_transaction_read_only = " + (read_only ? "on" : "off"));
        sql.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
                 sql.quote(db_.name()));
    }
    void TearDown() override { AllowConnections(true); }
};

TEST_F(DatabaseOutage, RequestsMeanwhileGet503WithRetryAfterAndEscdServesAgainWithoutARestart) {
    ASSERT_EQ(CreateTenant("t-before").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);

    AllowConnections(false);
    const auto during = CreateTenant("t-during");
    EXPECT_EQ(during.status, 503) << during.body;
    EXPECT_EQ(during.Header("Retry-After"), "5");
    EXPECT_EQ(XmlText(during.body, "status"), "503") << "escd's own error document";
    EXPECT_NE(during.body.find("database unavailable"), std::string::npos) << during.body;
    EXPECT_EQ(during.body.find("database unavailable: database unavailable"), std::string::npos)
        << "said once: " << during.body;

    AllowConnections(true);
    const auto after = CreateTenant("t-after");
    ASSERT_EQ(after.status, 200) << after.body;
    const auto delivered = receiver_.WaitForDelivered(2, kCallbackWait);
    ASSERT_EQ(delivered.size(), 2u);
    EXPECT_EQ(delivered[1].Header("ESC-Transaction-Id"), after.Header("ESC-Transaction-Id"));
    EXPECT_EQ(client_->Get("/v0/tenants/t-during").status, 404)
        << "a refused request stored nothing";
    EXPECT_EQ(client_->Get("/v0/tenants/t-before").status, 200);
}

// A replica being promoted may take connections before it takes writes (HAProxy sends clients
// to it once Patroni calls it primary): a write there is no client's mistake and no bug.
TEST_F(DatabaseOutage, AServerThatTakesNoWritesIs503AndEscdWritesOnceItDoes) {
    ASSERT_EQ(CreateTenant("t-before").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    ReadOnly(true);
    const auto during = CreateTenant("t-during");
    EXPECT_EQ(during.status, 503) << during.body;
    EXPECT_EQ(during.Header("Retry-After"), "5");
    EXPECT_NE(during.body.find("not a primary"), std::string::npos) << during.body;

    ReadOnly(false);
    const auto after = CreateTenant("t-after");
    ASSERT_EQ(after.status, 200) << after.body;
    EXPECT_EQ(receiver_.WaitForDelivered(2, kCallbackWait).size(), 2u);
    EXPECT_EQ(client_->Get("/v0/tenants/t-during").status, 404);
}

}  // namespace
}  // namespace escd::test
