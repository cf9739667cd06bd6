// PUT /v0/vims/{id}/check_status of an OPENSTACK connector against the real Keystone of
// tests/openstack/up.sh: escd authenticates as the connector's VIM user and reports what
// Keystone said; an auth URL outside openstack.allowed_cidrs is never called.

#include "tests/integration/escd_fixture.hpp"
#include "tests/openstack/os_test_env.hpp"

namespace escd::test {
namespace {

std::string Property(const std::string& name, const std::string& value) {
    return "<property><name>" + name + "</name><value>" + value + "</value></property>";
}

class OpenStackVimStatus : public EscdTest {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        EscdTest::SetUp();
    }

    std::string ConnectorBody(const std::string& id, const std::string& auth_url) {
        return "<vim_connector><id>" + id + "</id><type>OPENSTACK</type><properties>" +
               Property("os_auth_url", auth_url) +
               Property("os_project_name", Env("ESCD_TEST_OS_PROJECT")) +
               Property("os_project_domain_name", Env("ESCD_TEST_OS_PROJECT_DOMAIN")) +
               Property("os_region_name", Env("ESCD_TEST_OS_REGION")) +
               "</properties></vim_connector>";
    }

    std::string UserBody(const std::string& password) {
        return "<vim_user><id>" + Env("ESCD_TEST_OS_USER") +
               "</id><credentials><properties>"
               "<property><name>os_password</name><encrypted_value>" +
               password + "</encrypted_value></property>" +
               Property("os_user_domain_name", Env("ESCD_TEST_OS_USER_DOMAIN")) +
               "</properties></credentials></vim_user>";
    }

    // (status, status_message) of a check now.
    std::pair<std::string, std::string> Check(const std::string& id) {
        auto checked = client_->Put("/v0/vims/" + id + "/check_status", "");
        EXPECT_EQ(checked.status, 200) << checked.body;
        return {XmlText(checked.body, "status"), XmlText(checked.body, "status_message")};
    }
};

TEST_F(OpenStackVimStatus, TheVimUserAuthenticatesAndAWrongPasswordIsReported) {
    ASSERT_EQ(client_
                  ->Post("/v0/vims", ConnectorBody("os-real", Env("ESCD_TEST_OS_AUTH_URL")),
                         WithCallback())
                  .status,
              200);
    ASSERT_EQ(client_
                  ->Post("/v0/vims/os-real/vim_users", UserBody(Env("ESCD_TEST_OS_PASSWORD")),
                         WithCallback())
                  .status,
              200);
    auto [status, message] = Check("os-real");
    EXPECT_EQ(status, "CONNECTION_SUCCESSFUL") << message;
    EXPECT_NE(message.find("authenticated as " + Env("ESCD_TEST_OS_USER")), std::string::npos)
        << message;

    ASSERT_EQ(client_
                  ->Put("/v0/vims/os-real/vim_users/" + Env("ESCD_TEST_OS_USER"),
                        UserBody("not-the-password"), WithCallback())
                  .status,
              200);
    std::tie(status, message) = Check("os-real");
    EXPECT_EQ(status, "CONNECTION_FAILED");
    EXPECT_NE(message.find("401"), std::string::npos) << message;
    EXPECT_EQ(message.find("not-the-password"), std::string::npos) << "a secret in a message";
}

TEST_F(OpenStackVimStatus, AnAuthUrlOutsideTheAllowedAddressesIsNeverCalled) {
    ASSERT_EQ(
        client_
            ->Post("/v0/vims", ConnectorBody("os-far", "http://192.0.2.10:5000/v3"), WithCallback())
            .status,
        200);
    ASSERT_EQ(client_
                  ->Post("/v0/vims/os-far/vim_users", UserBody(Env("ESCD_TEST_OS_PASSWORD")),
                         WithCallback())
                  .status,
              200);
    auto [status, message] = Check("os-far");
    EXPECT_EQ(status, "CONNECTION_FAILED");
    EXPECT_NE(message.find("openstack.allowed_cidrs"), std::string::npos) << message;
}

}  // namespace
}  // namespace escd::test
