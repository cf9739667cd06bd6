// Operation mode (docs/behaviour.md, "Maintenance mode"): MAINTENANCE refuses mutating requests
// with 503, GETs work, running work finishes, and the mode survives a restart.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class OperationModeTest : public EscdTest {
  protected:
    HttpResponse SetMode(const std::string& mode) {
        return client_->Post("/ESCManager/v0/operationmode/" + mode, "");
    }
};

TEST_F(OperationModeTest, StartsInOperationMode) {
    auto response = client_->Get("/ESCManager/v0/operationmode");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(XmlText(response.body, "mode"), "OPERATION");
    EXPECT_FALSE(XmlText(response.body, "message").empty());
}

TEST_F(OperationModeTest, MaintenanceRefusesMutationsWith503AndServesReads) {
    ASSERT_EQ(CreateTenant("t-before").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);

    auto set = SetMode("MAINTENANCE");
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(XmlText(set.body, "mode"), "MAINTENANCE");
    EXPECT_EQ(XmlText(set.body, "message"), "Set mode to MAINTENANCE");
    EXPECT_EQ(XmlText(client_->Get("/v0/operationmode").body, "mode"), "MAINTENANCE");

    for (const auto& response :
         {CreateTenant("t-during"),
          client_->Put("/v0/tenants/t-before", TenantBody("x"), WithCallback()),
          client_->Delete("/v0/tenants/t-before", WithCallback())}) {
        EXPECT_EQ(response.status, 503) << response.body;
        EXPECT_EQ(XmlText(response.body, "message"), "escd is in maintenance mode");
    }
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);
    EXPECT_EQ(XmlText(client_->Get("/v0/tenants/t-before").body, "name"), "example-tenant");
    EXPECT_EQ(Count("operations"), 1);

    ASSERT_EQ(SetMode("OPERATION").status, 200);
    EXPECT_EQ(CreateTenant("t-after").status, 200);
}

TEST_F(OperationModeTest, ModeNamesAreCaseInsensitiveAndOthersAre400) {
    EXPECT_EQ(XmlText(SetMode("maintenance").body, "mode"), "MAINTENANCE");
    auto bad = SetMode("HOLIDAY");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(XmlText(bad.body, "message").find("HOLIDAY"), std::string::npos);
    EXPECT_EQ(XmlText(client_->Get("/v0/operationmode").body, "mode"), "MAINTENANCE");
}

TEST_F(OperationModeTest, WorkAlreadyAcceptedFinishesInMaintenance) {
    receiver_.SetResponseStatus(503);
    auto response = CreateTenant("t-inflight");
    ASSERT_EQ(response.status, 200);
    ASSERT_GE(receiver_.WaitForAttempts(1, kCallbackWait).size(), 1u);
    ASSERT_EQ(SetMode("MAINTENANCE").status, 200);
    receiver_.SetResponseStatus(200);
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
}

TEST_F(OperationModeTest, TheModeSurvivesARestart) {
    ASSERT_EQ(SetMode("MAINTENANCE").status, 200);
    escd_->Kill();
    StartEscd();
    EXPECT_EQ(XmlText(client_->Get("/v0/operationmode").body, "mode"), "MAINTENANCE");
    EXPECT_EQ(CreateTenant("t-restarted").status, 503);
}

TEST_F(OperationModeTest, SwitchingNeedsCredentials) {
    client_->ClearAuth();
    EXPECT_EQ(SetMode("MAINTENANCE").status, 401);
    EXPECT_EQ(XmlText(escd_->Client().Get("/v0/operationmode").body, "mode"), "OPERATION");
}

}  // namespace
}  // namespace escd::test
