// Every error a tenant route can answer: the status, an XML body that says what is wrong, and
// nothing stored.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class TenantErrors : public EscdTest {
  protected:
    /// Asserts `response` is an XML error with `status` whose message contains `needle`.
    static void ExpectError(const HttpResponse& response, int status, const std::string& needle) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(XmlText(response.body, "status"), std::to_string(status)) << response.body;
        EXPECT_NE(XmlText(response.body, "message").find(needle), std::string::npos)
            << "message lacks '" << needle << "': " << response.body;
        EXPECT_NE(response.Header("Content-Type").find("application/xml"), std::string::npos);
    }
    void ExpectNothingStored() {
        EXPECT_EQ(Count("resources"), 0);
        EXPECT_EQ(Count("operations"), 0);
        EXPECT_EQ(Count("outbox"), 0);
    }
};

TEST_F(TenantErrors, MalformedXmlIs400AndStoresNothing) {
    ExpectError(CreateTenant("t1", "<tenant><name>x</name>"), 400, "malformed XML");
    ExpectError(CreateTenant("t1", ""), 400, "empty");
    ExpectError(CreateTenant("t1", "<network><name>x</name></network>"), 400, "<tenant>");
    ExpectNothingStored();
    EXPECT_EQ(client_->Get("/v0/tenants/t1").status, 404);
}

TEST_F(TenantErrors, BadIdsAndNamesAre400) {
    ExpectError(CreateTenant("bad~id"), 400, "internal_tenant_id");
    ExpectError(CreateTenant(std::string(73, 'a')), 400, "72");
    ExpectError(CreateTenant("t1", "<tenant><managed_resource>true</managed_resource></tenant>"),
                400, "name");
    ExpectError(CreateTenant("t1", TenantBody(std::string(65, 'n'))), 400, "64");
    ExpectError(CreateTenant("t1", "<tenant><name>x</name><enabled>perhaps</enabled></tenant>"),
                400, "enabled");
    ExpectError(
        CreateTenant("t1",
                     "<tenant><internal_tenant_id>t2</internal_tenant_id><name>x</name></tenant>"),
        400, "differs");
    ExpectNothingStored();
}

TEST_F(TenantErrors, MissingOrInvalidCallbackIs400) {
    ExpectError(client_->Post("/v0/tenants/t1", kTenantBody), 400, "Callback");
    ExpectError(client_->Post("/v0/tenants/t1", kTenantBody, {{"Callback", "not a url"}}), 400,
                "Callback");
    ExpectError(client_->Post("/v0/tenants/t1", kTenantBody, {{"Callback", "ftp://127.0.0.1/x"}}),
                400, "Callback");
    ExpectNothingStored();
}

TEST_F(TenantErrors, NonXmlMediaTypeIs415) {
    ExpectError(
        client_->Post("/v0/tenants/t1", kTenantBody,
                      {{"Callback", receiver_.Url()}, {"Content-Type", "application/json"}}),
        415, "application/xml");
    ExpectNothingStored();
}

TEST_F(TenantErrors, DuplicateIdIs409AndKeepsTheFirstTenant) {
    ASSERT_EQ(CreateTenant("dup", TenantBody("first")).status, 200);
    ExpectError(CreateTenant("dup", TenantBody("second")), 409, "dup");
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    EXPECT_EQ(XmlText(client_->Get("/v0/tenants/dup").body, "name"), "first");
    EXPECT_EQ(Count("operations"), 1);
}

TEST_F(TenantErrors, UnknownTenantIs404ForGetPutAndDelete) {
    ExpectError(client_->Get("/v0/tenants/nope"), 404, "nope");
    ExpectError(client_->Put("/v0/tenants/nope", kTenantBody, WithCallback()), 404, "nope");
    ExpectError(client_->Delete("/v0/tenants/nope", WithCallback()), 404, "nope");
    ExpectNothingStored();
}

TEST_F(TenantErrors, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    ExpectError(client_->Get("/v0/nothing-here"), 404, "no such path");
    ExpectError(client_->Get("/v1/tenants"), 404, "no such path");
    auto patch = client_->Request("PATCH", "/v0/tenants/t1", kTenantBody);
    ExpectError(patch, 405, "PATCH");
    EXPECT_NE(patch.Header("Allow").find("POST"), std::string::npos) << patch.Header("Allow");
}

TEST_F(TenantErrors, BodyOverTenMebibytesIs413) {
    std::string huge = "<tenant><name>x</name><description>" + std::string(10 * 1024 * 1024, 'x') +
                       "</description></tenant>";
    auto response = client_->Post("/v0/tenants/t-big", huge, WithCallback());
    EXPECT_EQ(response.status, 413) << response.body.substr(0, 200);
    ExpectNothingStored();
}

TEST_F(TenantErrors, MalformedHttpIs400) {
    auto raw = RawRequest(escd_->http_port(), "GET /v0/tenants HTTP/1.1\r\nHost localhost\r\n\r\n");
    EXPECT_NE(raw.find(" 400 "), std::string::npos) << raw;
}

TEST_F(TenantErrors, UpdateOrDeleteWhileAnOperationRunsIs409) {
    // A paused engine keeps the create in flight, so the tenant stays CREATING.
    StartEscd({"--engine.paused_for_test=true"});
    ASSERT_EQ(CreateTenant("busy").status, 200);
    ExpectError(client_->Put("/v0/tenants/busy", TenantBody("other"), WithCallback()), 409,
                "in progress");
    ExpectError(client_->Delete("/v0/tenants/busy", WithCallback()), 409, "in progress");
    EXPECT_EQ(Count("operations"), 1);
}

TEST_F(TenantErrors, DeleteOfATenantThatOwnsResourcesIs409) {
    ASSERT_EQ(CreateTenant("owner").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    // Until networks exist (next issue), a resource row owned by the tenant stands in for one.
    db_.Query(
        "INSERT INTO resources (internal_id, kind, tenant_id, name, state, spec) "
        "VALUES ('net1', 'network', 'owner', 'net1', 'ACTIVE', '<network/>')");
    ExpectError(client_->Delete("/v0/tenants/owner", WithCallback()), 409, "owns resources");
    EXPECT_EQ(client_->Get("/v0/tenants/owner").status, 200);
    // And the id space is shared: a tenant cannot take the network's id.
    ExpectError(CreateTenant("net1"), 409, "network");
}

}  // namespace
}  // namespace escd::test

namespace escd::test {
namespace {

class TenantVimFailure : public EscdTest {};

TEST_F(TenantVimFailure, UnreachableVimFailsTheCreateInTheCallbackAndLeavesNoTenant) {
    // A libvirt test-driver file that does not exist: every connection attempt fails.
    StartEscd({"--vim.uri=test:///nonexistent/escd-no-such-host.xml"});
    auto response = CreateTenant("t-novim");
    ASSERT_EQ(response.status, 200) << response.body;
    auto callbacks = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(callbacks.size(), 1u);
    EXPECT_EQ(callbacks[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(callbacks[0].Header("ESC-Status-Code"), "503");
    EXPECT_NE(callbacks[0].Header("ESC-Status-Message").find("Tenant creation failed"),
              std::string::npos)
        << callbacks[0].Header("ESC-Status-Message");
    EXPECT_EQ(XmlText(callbacks[0].body, "event_type"), "CREATE_TENANT");
    EXPECT_EQ(client_->Get("/v0/tenants/t-novim").status, 404);
    EXPECT_EQ(Count("resources"), 0);  // the id is free for a retry once the VIM is back
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 0);
}

TEST_F(TenantVimFailure, HeaderOverSixteenKibibytesIs431) {
    auto response = client_->Get("/v0/tenants", {{"X-Padding", std::string(17 * 1024, 'h')}});
    EXPECT_EQ(response.status, 431);
    EXPECT_EQ(XmlText(response.body, "status"), "431");
}

}  // namespace
}  // namespace escd::test
