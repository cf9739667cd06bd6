// Nothing accepted is lost: escd killed with SIGKILL resumes operations and callbacks on restart.
#include <csignal>
#include <set>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class Crash : public EscdTest {};

TEST_F(Crash, KilledRightAfterThe200TheTenantAndItsCallbackSurvive) {
    auto response = CreateTenant("t-crash");
    ASSERT_EQ(response.status, 200);
    escd_->Kill();
    StartEscd();
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_GE(delivered.size(), 1u);
    // At least once: a callback sent just before the kill may come again; each is the same event.
    for (const auto& cb : delivered) {
        EXPECT_EQ(cb.Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
        EXPECT_EQ(XmlText(cb.body, "event_type"), "CREATE_TENANT");
    }
    auto got = client_->Get("/v0/tenants/t-crash");
    ASSERT_EQ(got.status, 200);
    EXPECT_FALSE(XmlText(got.body, "external_tenant_id").empty());
}

TEST_F(Crash, AnOperationAcceptedButNotRunIsResumedAfterSigkill) {
    // The paused engine guarantees the kill lands between the commit and the work.
    StartEscd({"--engine.paused_for_test=true"});
    auto response = CreateTenant("t-resume");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 1);
    escd_->Kill();
    EXPECT_TRUE(receiver_.Requests().empty());

    StartEscd();
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(delivered[0].Header("ESC-Status-Message"), "Tenant successfully created");
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 0);
    EXPECT_EQ(db_.Query("SELECT state FROM resources WHERE internal_id = 't-resume'")[0][0]
                  .as<std::string>(),
              "ACTIVE");
}

TEST_F(Crash, NetworkAndFlavorAcceptedButNotRunAreCreatedAfterSigkill) {
    ASSERT_EQ(CreateTenant("t-net").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    StartEscd({"--engine.paused_for_test=true"});
    auto network = client_->Post("/v0/t-net/networks/n-resume", "<network><name>n</name></network>",
                                 WithCallback());
    ASSERT_EQ(network.status, 200) << network.body;
    auto flavor = client_->Post("/v0/flavors/f-resume",
                                "<flavor><name>f</name><vcpus>1</vcpus><memory_mb>64</memory_mb>"
                                "</flavor>",
                                WithCallback());
    ASSERT_EQ(flavor.status, 200) << flavor.body;
    escd_->Kill();

    StartEscd();
    auto delivered = receiver_.WaitForDelivered(3, kCallbackWait);
    ASSERT_EQ(delivered.size(), 3u);
    std::set<std::string> events;
    for (std::size_t i = 1; i < delivered.size(); ++i) {
        EXPECT_EQ(delivered[i].Header("ESC-Status-Code"), "200") << delivered[i].body;
        events.insert(XmlText(delivered[i].body, "event_type"));
    }
    EXPECT_EQ(events, (std::set<std::string>{"CREATE_NETWORK", "CREATE_FLAVOR"}));
    EXPECT_EQ(db_.Query("SELECT count(*) FROM resources WHERE state = 'ACTIVE'")[0][0].as<int>(),
              3);
    EXPECT_EQ(
        XmlText(client_->Get("/v0/t-net/networks/n-resume").body, "external_network_id").size(),
        36u);
}

TEST_F(Crash, SigtermStopsCleanlyWithExitCodeZero) {
    ASSERT_EQ(CreateTenant("t-term").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    EXPECT_EQ(escd_->Terminate(), 0);
    EXPECT_NE(escd_->Log().find("stopped"), std::string::npos);
    // And it comes back on the same database with its data.
    StartEscd();
    EXPECT_EQ(client_->Get("/v0/tenants/t-term").status, 200);
}

}  // namespace
}  // namespace escd::test

namespace escd::test {
namespace {

class OperationRetry : public EscdTest {};

TEST_F(OperationRetry, AnOperationWhoseOutcomeTheDatabaseRefusedRunsAgainLater) {
    // A trigger stands in for a database that refuses to record the outcome for a while.
    db_.Query(
        "CREATE FUNCTION refuse_outcome() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'outcome refused for the test'; END $$");
    db_.Query(
        "CREATE TRIGGER refuse_outcome BEFORE UPDATE ON resources FOR EACH ROW "
        "WHEN (NEW.internal_id = 't-retry') EXECUTE FUNCTION refuse_outcome()");
    auto response = CreateTenant("t-retry");
    ASSERT_EQ(response.status, 200);
    ASSERT_TRUE(escd_->WaitForLog("aborted", 1, kCallbackWait)) << escd_->Log();
    EXPECT_TRUE(receiver_.Requests().empty());

    db_.Query("DROP TRIGGER refuse_outcome ON resources");
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(delivered[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(db_.Query("SELECT state FROM resources WHERE internal_id = 't-retry'")[0][0]
                  .as<std::string>(),
              "ACTIVE");
}

}  // namespace
}  // namespace escd::test
