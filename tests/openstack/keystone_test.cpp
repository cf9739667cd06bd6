// The OpenStack adapter's Keystone v3 client and REST client against the real control plane
// tests/openstack/up.sh runs on 127.0.0.1 (ESCD_TEST_OS_*): authentication scoped to the escd
// project, the catalog's endpoints, a token used on Nova, refused credentials, renewal.
//
// Binary escd_openstack_tests, CTest label `openstack`. Without ESCD_TEST_OS_AUTH_URL each test
// is skipped and says why; tests/run.sh starts the plane and fails when it cannot.

#include <gtest/gtest.h>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/api_client.hpp"
#include "vim/openstack/keystone.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;

class OpenStackKeystone : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        credentials_ = TestCredentials();
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    Credentials credentials_;
};

TEST_F(OpenStackKeystone, APasswordTokenScopedToTheProjectWithItsCatalog) {
    Keystone keystone(client_, credentials_);
    const auto token = RunNow<Token>([&] { return keystone.Current(); });
    EXPECT_FALSE(token.id.empty());
    EXPECT_FALSE(token.project_id.empty());
    EXPECT_GT(token.expires_at, std::chrono::system_clock::now() + Keystone::kRenewBefore);
    for (const char* type : {"identity", "compute", "network", "image", "volumev3"}) {
        const auto url = FindEndpoint(token.catalog, type, "public", credentials_.region);
        ASSERT_TRUE(url) << type << " is not in the catalog";
        EXPECT_EQ(url->rfind("http://127.0.0.1:", 0), 0u) << *url;
    }
    EXPECT_EQ(RunNow<std::string>([&] { return keystone.Endpoint("compute"); }),
              "http://127.0.0.1:8774/v2.1");
    // Keystone substitutes the project into Cinder's templated URL.
    EXPECT_EQ(RunNow<std::string>([&] { return keystone.Endpoint("volumev3"); }),
              "http://127.0.0.1:8776/v3/" + token.project_id);

    // The cached token is reused; after Invalidate() a new one is issued.
    EXPECT_EQ(RunNow<Token>([&] { return keystone.Current(); }).id, token.id);
    keystone.Invalidate();
    EXPECT_NE(RunNow<Token>([&] { return keystone.Current(); }).id, token.id);
}

TEST_F(OpenStackKeystone, TheTokenOpensNovaAndItsServerListParses) {
    Keystone keystone(client_, credentials_);
    const auto token = RunNow<Token>([&] { return keystone.Current(); });
    ApiRequest request;
    request.url =
        RunNow<std::string>([&] { return keystone.Endpoint("compute"); }) + "/servers/detail";
    request.headers = {{"X-Auth-Token", token.id}, {"OpenStack-API-Version", "compute 2.79"}};
    const auto response = RunNow<ApiResponse>([&] { return client_.Send(request); });
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_NO_THROW(ParseServers(response.body));

    // Without a token: 401, escd's kUnauthorized.
    request.headers = {{"OpenStack-API-Version", "compute 2.79"}};
    const auto refused = RunNow<ApiResponse>([&] { return client_.Send(request); });
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(ApiError(refused, "GET servers").code(), ErrorCode::kUnauthorized);
}

TEST_F(OpenStackKeystone, WrongCredentialsAreUnauthorizedAndAnUnknownServiceNotFound) {
    auto wrong = credentials_;
    wrong.password = "not-" + wrong.password;
    Keystone refused(client_, wrong);
    try {
        RunNow<Token>([&] { return refused.Current(); });
        ADD_FAILURE() << "a wrong password was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnauthorized) << e.what();
    }

    Keystone keystone(client_, credentials_);
    try {
        RunNow<std::string>([&] { return keystone.Endpoint("no-such-service"); });
        ADD_FAILURE() << "found an endpoint for no-such-service";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }

    auto nowhere = credentials_;
    nowhere.auth_url = "http://127.0.0.1:1/v3";
    Keystone unreachable(client_, nowhere);
    try {
        RunNow<Token>([&] { return unreachable.Current(); });
        ADD_FAILURE() << "authenticated against a closed port";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
    }
}

}  // namespace
}  // namespace escd::test
