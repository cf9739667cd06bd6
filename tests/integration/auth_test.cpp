// HTTP Basic on every route, plain and TLS.
#include "common/crypto.hpp"
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class Auth : public EscdTest {};

TEST_F(Auth, MissingCredentialsAre401WithAChallenge) {
    client_->ClearAuth();
    for (auto* path : {"/v0/tenants", "/ESCManager/v0/tenants/t1", "/v0/unknown"}) {
        auto response = client_->Get(path);
        EXPECT_EQ(response.status, 401) << path;
        EXPECT_EQ(response.Header("WWW-Authenticate"), "Basic realm=\"escd\"") << path;
        EXPECT_EQ(XmlText(response.body, "status"), "401");
    }
    EXPECT_EQ(client_->Post("/v0/tenants/t1", kTenantBody, WithCallback()).status, 401);
    EXPECT_EQ(Count("resources"), 0);
}

TEST_F(Auth, WrongPasswordOrUserIs401) {
    client_->SetBasicAuth("admin", "wrong");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 401);
    client_->SetBasicAuth("root", "escd-test-pass");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 401);
    client_->SetBasicAuth("admin", "escd-test-pass");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);
}

TEST_F(Auth, HttpsRequiresCredentialsToo) {
    auto tls = escd_->Client(/*tls=*/true);
    EXPECT_EQ(tls.Get("/v0/tenants").status, 200);
    tls.ClearAuth();
    EXPECT_EQ(tls.Get("/v0/tenants").status, 401);
}

TEST_F(Auth, ThePasswordIsStoredOnlyAsAHash) {
    auto rows = db_.Query("SELECT value FROM settings WHERE key = 'auth.admin_password_hash'");
    ASSERT_EQ(rows.size(), 1u);
    auto stored = rows[0][0].as<std::string>();
    EXPECT_EQ(stored.find("escd-test-pass"), std::string::npos);
    EXPECT_TRUE(VerifyPassword("escd-test-pass", stored));
}

}  // namespace
}  // namespace escd::test
