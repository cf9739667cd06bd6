// Config parameters (/v0/config): the reference's defaults, case-insensitive names, validation,
// LOG/LEVEL taking effect at once, and the refusals.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class ConfigParameters : public EscdTest {};

TEST_F(ConfigParameters, ListsTheReferenceDefaults) {
    auto all = client_->Get("/ESCManager/v0/config");
    ASSERT_EQ(all.status, 200) << all.body;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(all.body.c_str()));
    std::map<std::string, std::string> values;
    for (auto p : doc.document_element().children("escconfigparameter")) {
        values[std::string(p.child_value("category")) + "/" + p.child_value("key")] =
            p.child_value("value");
    }
    EXPECT_EQ(values["DEFAULT/VM_RECOVERY_RETRY_MAX"], "3");
    EXPECT_EQ(values["OPENSTACK/ENDPOINT"], "adminURL");
    EXPECT_EQ(values["LOG/LEVEL"], "INFO");
    EXPECT_EQ(values["AFFINITY/FILTER"], "SameHostFilter");
    EXPECT_EQ(values["ANTI-AFFINITY/FILTER"], "DifferentHostFilter");

    auto category = client_->Get("/v0/config/anti-affinity");
    ASSERT_EQ(category.status, 200);
    EXPECT_EQ(XmlText(category.body, "value"), "DifferentHostFilter");
    auto one = client_->Get("/v0/config/default/vm_recovery_retry_max");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(XmlText(one.body, "type"), "INT");
}

TEST_F(ConfigParameters, PutAnswersLikeTheReferenceExampleAndLogLevelTakesEffectAtOnce) {
    auto put = client_->Request("PUT", "/ESCManger/v0/config/log/level/debug");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(XmlText(put.body, "category"), "LOG");
    EXPECT_EQ(XmlText(put.body, "key"), "LEVEL");
    EXPECT_EQ(XmlText(put.body, "type"), "STRING");
    EXPECT_EQ(XmlText(put.body, "value"), "debug");
    // DEBUG records appear only once the level changed: the engine's per-operation line.
    ASSERT_EQ(CreateTenant("t-debug").status, 200);
    EXPECT_TRUE(
        escd_->WaitForLog("DEBUG engine       running CREATE_TENANT t-debug", 1, kCallbackWait))
        << escd_->Log();
    EXPECT_EQ(XmlText(client_->Get("/v0/config/LOG/LEVEL").body, "value"), "debug");
}

TEST_F(ConfigParameters, InvalidValuesAndNamesAre400UnknownOnesAre404) {
    EXPECT_EQ(client_->Request("PUT", "/v0/config/LOG/LEVEL/loud").status, 400);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/DEFAULT/VM_RECOVERY_RETRY_MAX/many").status, 400);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/DEFAULT/VM_RECOVERY_RETRY_MAX/-1").status, 400);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/OPENSTACK/ENDPOINT/internalURL").status, 400);
    EXPECT_EQ(client_->Get("/v0/config/NOPE").status, 404);
    EXPECT_EQ(client_->Get("/v0/config/LOG/NOPE").status, 404);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/LOG/NOPE/x").status, 404);
    EXPECT_EQ(client_->Get("/v0/config/bad%20name").status, 400);
    EXPECT_EQ(XmlText(client_->Get("/v0/config/LOG/LEVEL").body, "value"), "INFO");
}

TEST_F(ConfigParameters, PostCreatesANewKeyOnceAndItCanThenBeChanged) {
    auto created =
        client_->Post("/v0/config/default/max_logs", "10", {{"Content-Type", "text/plain"}});
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(XmlText(created.body, "key"), "MAX_LOGS");
    EXPECT_EQ(XmlText(created.body, "value"), "10");
    EXPECT_EQ(client_->Post("/v0/config/DEFAULT/MAX_LOGS", "<value>20</value>").status, 409);
    EXPECT_EQ(client_->Post("/v0/config/DEFAULT/EMPTY", "").status, 400);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/DEFAULT/MAX_LOGS/30").status, 200);
    EXPECT_EQ(XmlText(client_->Get("/v0/config/DEFAULT/MAX_LOGS").body, "value"), "30");
}

TEST_F(ConfigParameters, ChangesAreRefusedInMaintenanceMode) {
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    EXPECT_EQ(client_->Request("PUT", "/v0/config/LOG/LEVEL/DEBUG").status, 503);
    EXPECT_EQ(client_->Get("/v0/config/LOG/LEVEL").status, 200);
}

}  // namespace
}  // namespace escd::test
