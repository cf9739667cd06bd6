// The tenant lifecycle end to end: request, store, engine, VIM (libvirt test driver), callback.
#include <thread>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class TenantLifecycle : public EscdTest {};

TEST_F(TenantLifecycle, CreateAnswers200WithTransactionIdAndCallsBackWithTheReferenceDocument) {
    auto response = CreateTenant("tentest");
    ASSERT_EQ(response.status, 200) << response.body;
    auto tx = response.Header("ESC-Transaction-Id");
    EXPECT_TRUE(IsUuid(tx)) << tx;
    EXPECT_EQ(response.Header("ESC_TRANSACTION_ID"), tx);
    EXPECT_EQ(XmlText(response.body, "internal_tenant_id"), "tentest");

    auto callbacks = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(callbacks.size(), 1u);
    const auto& cb = callbacks[0];
    EXPECT_EQ(cb.method, "POST");
    EXPECT_EQ(cb.target, "/callback");
    EXPECT_EQ(cb.Header("ESC-Transaction-Id"), tx);
    EXPECT_EQ(cb.Header("ESC_TRANSACTION_ID"), tx);
    EXPECT_EQ(cb.Header("ESC-Status-Code"), "200");
    EXPECT_EQ(cb.Header("ESC-Status-Message"), "Tenant successfully created");
    EXPECT_EQ(cb.Header("Content-Type"), "application/xml; charset=UTF-8");
    EXPECT_EQ(XmlText(cb.body, "event_type"), "CREATE_TENANT");
    EXPECT_EQ(XmlText(cb.body, "internal_tenant_id"), "tentest");
    EXPECT_EQ(XmlText(cb.body, "name"), "example-tenant");
    EXPECT_EQ(XmlText(cb.body, "enabled"), "true");
    EXPECT_EQ(XmlText(cb.body, "managed_resource"), "true");
    auto external_id = XmlText(cb.body, "external_tenant_id");
    EXPECT_TRUE(std::regex_match(external_id, std::regex("^[0-9a-f]{32}$"))) << external_id;

    auto got = client_->Get("/ESCManager/v0/tenants/tentest");
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(XmlText(got.body, "external_tenant_id"), external_id);
    EXPECT_EQ(XmlText(got.body, "name"), "example-tenant");
    EXPECT_EQ(XmlText(got.body, "event_type"), "");
}

TEST_F(TenantLifecycle, UpdateThenDeleteEachCallBackAndTheTenantIsGoneAfterwards) {
    ASSERT_EQ(CreateTenant("t-upd").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);

    auto put = client_->Put("/v0/tenants/t-upd", TenantBody("renamed"), WithCallback());
    ASSERT_EQ(put.status, 200) << put.body;
    auto after_update = receiver_.WaitForDelivered(2, kCallbackWait);
    ASSERT_EQ(after_update.size(), 2u);
    EXPECT_EQ(after_update[1].Header("ESC-Transaction-Id"), put.Header("ESC-Transaction-Id"));
    EXPECT_EQ(after_update[1].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(after_update[1].Header("ESC-Status-Message"), "Tenant successfully updated");
    EXPECT_EQ(XmlText(after_update[1].body, "event_type"), "UPDATE_TENANT");
    EXPECT_EQ(XmlText(after_update[1].body, "name"), "renamed");
    EXPECT_EQ(XmlText(client_->Get("/v0/tenants/t-upd").body, "name"), "renamed");

    auto del = client_->Delete("/v0/tenants/t-upd", WithCallback());
    ASSERT_EQ(del.status, 200) << del.body;
    EXPECT_EQ(XmlText(del.body, "internal_tenant_id"), "t-upd");  // the answer echoes the tenant
    EXPECT_EQ(XmlText(del.body, "name"), "renamed");
    auto after_delete = receiver_.WaitForDelivered(3, kCallbackWait);
    ASSERT_EQ(after_delete.size(), 3u);
    EXPECT_EQ(after_delete[2].Header("ESC-Transaction-Id"), del.Header("ESC-Transaction-Id"));
    EXPECT_EQ(after_delete[2].Header("ESC-Status-Message"), "Tenant successfully deleted");
    EXPECT_EQ(XmlText(after_delete[2].body, "event_type"), "DELETE_TENANT");
    EXPECT_EQ(XmlText(after_delete[2].body, "internal_tenant_id"), "t-upd");
    EXPECT_EQ(client_->Get("/v0/tenants/t-upd").status, 404);
    // The id is free again once the tenant is gone.
    EXPECT_EQ(CreateTenant("t-upd").status, 200);
}

TEST_F(TenantLifecycle, ListReturnsEveryTenant) {
    for (const char* id : {"ta", "tb", "tc"})
        ASSERT_EQ(CreateTenant(id, TenantBody(std::string("n-") + id)).status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(3, kCallbackWait).size(), 3u);
    auto list = client_->Get("/v0/tenants");
    ASSERT_EQ(list.status, 200);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(list.body.c_str()));
    std::vector<std::string> ids;
    for (auto t : doc.document_element().children("tenant"))
        ids.push_back(t.child_value("internal_tenant_id"));
    EXPECT_EQ(ids, (std::vector<std::string>{"ta", "tb", "tc"}));
}

TEST_F(TenantLifecycle, AllThreeBasePathsReachTheSameResources) {
    ASSERT_EQ(client_->Post("/ESCManger/v0/tenants/t-base", kTenantBody, WithCallback()).status,
              200);
    EXPECT_EQ(client_->Get("/ESCManager/v0/tenants/t-base").status, 200);
    EXPECT_EQ(client_->Get("/ESCManger/v0/tenants/t-base").status, 200);
    EXPECT_EQ(client_->Get("/v0/tenants/t-base").status, 200);
}

TEST_F(TenantLifecycle, HttpsServesTheSameApi) {
    auto tls = escd_->Client(/*tls=*/true);
    auto response = tls.Post("/v0/tenants/t-tls", kTenantBody, WithCallback());
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    EXPECT_EQ(tls.Get("/v0/tenants/t-tls").status, 200);
}

TEST_F(TenantLifecycle, ConcurrentCreatesOfOneIdLetExactlyOneWin) {
    constexpr int kClients = 4;
    std::vector<int> statuses(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            auto client = escd_->Client();
            statuses[i] = client.Post("/v0/tenants/t-race", kTenantBody, WithCallback()).status;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), kClients - 1);
    EXPECT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    EXPECT_EQ(Count("operations"), 1);
}

}  // namespace
}  // namespace escd::test
