// Keystone tokens that stop being good, against the real Keystone of the control plane:
// - a token with less life left than the renewal margin is renewed by the next call (the margin
//   is longer than Keystone's token lifetime here, so no waiting is needed);
// - through escd: a token revoked in Keystone between two operations does not fail the second
//   one (Session's 401 path takes a new token, and escd's log says so).

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/openstack/on_openstack.hpp"
#include "vim/openstack/api_client.hpp"
#include "vim/openstack/keystone.hpp"
#include "vim/openstack/session.hpp"

namespace escd::test {
namespace {
using vim::openstack::ApiClient;
using vim::openstack::ApiRequest;
using vim::openstack::ApiResponse;
using vim::openstack::Keystone;
using vim::openstack::Session;
using vim::openstack::Token;

std::chrono::seconds LifeLeft(const Token& token) {
    return std::chrono::duration_cast<std::chrono::seconds>(token.expires_at -
                                                            std::chrono::system_clock::now());
}

class KeystoneTokenExpiry : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8")};
};

TEST_F(KeystoneTokenExpiry, ATokenInsideTheRenewalMarginIsRenewedByTheNextCall) {
    // With the default margin a fresh token is used again and again.
    Session usual(client_, TestCredentials());
    EXPECT_EQ(usual.keystone().renew_before(), Keystone::kRenewBefore);
    const auto first = RunNow<Token>([&] { return usual.keystone().Current(); });
    EXPECT_EQ(RunNow<Token>([&] { return usual.keystone().Current(); }).id, first.id);
    const auto lifetime = LifeLeft(first);
    ASSERT_GT(lifetime, Keystone::kRenewBefore) << "Keystone's tokens live longer than 5 min";

    // A margin longer than Keystone's token lifetime: every token is inside it from the start,
    // as a cached token is once its expiry comes near.
    const auto margin = lifetime + std::chrono::seconds(60);
    Session near_expiry(client_, TestCredentials(), margin);
    EXPECT_EQ(near_expiry.keystone().renew_before(), margin);
    const auto old = RunNow<Token>([&] { return near_expiry.keystone().Current(); });
    EXPECT_LT(LifeLeft(old), margin) << "the token is inside the margin";
    const std::set<int> none;
    const auto listed = RunNow<ApiResponse>([&] {
        return near_expiry.Call("network", http::verb::get, "/v2.0/networks?limit=1", std::string(),
                                none);
    });
    EXPECT_EQ(listed.status, 200) << listed.body;
    const auto renewed = RunNow<Token>([&] { return near_expiry.keystone().Current(); });
    EXPECT_NE(renewed.id, old.id) << "a token inside the margin is not used again";
    EXPECT_NE(renewed.id, first.id);
    EXPECT_GT(LifeLeft(renewed), Keystone::kRenewBefore);
    // The renewed tokens work.
    const auto servers = RunNow<ApiResponse>([&] {
        return near_expiry.Call("compute", http::verb::get, "/servers?limit=1", std::string(),
                                none);
    });
    EXPECT_EQ(servers.status, 200) << servers.body;
    EXPECT_EQ(near_expiry.calls(), 2u) << "no call was sent twice";
}

/// A proxy of Keystone on 127.0.0.1 that records the tokens it hands out: escd authenticates
/// through it (the connector's os_auth_url), so the test knows escd's tokens and can revoke
/// them. Only authentication goes through it: the catalog still names the real services.
class KeystoneRecorder {
  public:
    /// `keystone`: where Keystone listens, e.g. http://127.0.0.1:5000 (no path).
    explicit KeystoneRecorder(std::string keystone)
        : keystone_(std::move(keystone)),
          acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(ioc_, Accept(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~KeystoneRecorder() {
        ioc_.stop();
        thread_.join();
    }
    KeystoneRecorder(const KeystoneRecorder&) = delete;
    KeystoneRecorder& operator=(const KeystoneRecorder&) = delete;

    /// The auth URL to give escd: http://127.0.0.1:<port>/v3
    std::string AuthUrl() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v3";
    }

    /// Every token Keystone issued through the proxy, oldest first.
    std::vector<std::string> Tokens() const {
        std::lock_guard lock(mutex_);
        return tokens_;
    }

  private:
    asio::awaitable<void> Accept() {
        for (;;) {
            auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
            asio::co_spawn(ioc_, Serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> Serve(tcp::socket socket) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        auto [read_error, read] =
            co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
        if (read_error) co_return;
        ApiRequest forward;
        forward.method = request.method();
        forward.url = keystone_ + std::string(request.target());
        forward.body = request.body();
        for (const char* name : {"X-Auth-Token", "X-Subject-Token"}) {
            if (auto it = request.find(name); it != request.end())
                forward.headers.emplace_back(name, std::string(it->value()));
        }
        http::response<http::string_body> answer;
        answer.version(11);
        answer.keep_alive(false);
        try {
            const auto response = co_await client_.Send(forward);
            answer.result(static_cast<unsigned>(response.status));
            answer.body() = response.body;
            for (const auto& [name, value] : response.headers) {
                if (name == "x-subject-token" || name == "content-type") answer.set(name, value);
            }
            const auto token = response.Header("X-Subject-Token");
            if (request.method() == http::verb::post && response.status == 201 && !token.empty()) {
                std::lock_guard lock(mutex_);
                tokens_.push_back(token);
            }
        } catch (const std::exception& e) {
            answer.result(http::status::bad_gateway);
            answer.body() = e.what();
        }
        answer.prepare_payload();
        auto [write_error, written] =
            co_await http::async_write(socket, answer, asio::as_tuple(asio::use_awaitable));
        (void)write_error;
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
    }

    std::string keystone_;
    // Before the io_context: the coroutines it still holds when it is destroyed use them.
    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8")};
    mutable std::mutex mutex_;
    std::vector<std::string> tokens_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

/// Keystone's address without the /v3 of the auth URL.
std::string KeystoneRoot() {
    auto url = TestCredentials().auth_url;
    if (const auto at = url.rfind("/v3"); at != std::string::npos) url.resize(at);
    return url;
}

class KeystoneTokenExpiryInEscd : public OnOpenStack {
  protected:
    KeystoneTokenExpiryInEscd() { auth_url_ = recorder_.AuthUrl(); }

    /// Revokes `token` in Keystone (DELETE /v3/auth/tokens, as the token's own user) and checks
    /// that Keystone no longer takes it.
    void Revoke(const std::string& token) {
        const auto url = TestCredentials().auth_url + "/auth/tokens";
        ApiRequest revoke;
        revoke.method = http::verb::delete_;
        revoke.url = url;
        revoke.headers = {{"X-Auth-Token", token}, {"X-Subject-Token", token}};
        const auto revoked = RunNow<ApiResponse>([&] { return client_os_.Send(revoke); });
        // 404: revoked already (an earlier token of the same check).
        EXPECT_TRUE(revoked.status == 204 || revoked.status == 404) << revoked.status;
        const auto mine = RunNow<Token>([&] { return session_.keystone().Current(); });
        ApiRequest check;
        check.url = url;
        check.headers = {{"X-Auth-Token", mine.id}, {"X-Subject-Token", token}};
        EXPECT_EQ(RunNow<ApiResponse>([&] { return client_os_.Send(check); }).status, 404)
            << "Keystone still takes the revoked token";
    }

    KeystoneRecorder recorder_{KeystoneRoot()};
};

TEST_F(KeystoneTokenExpiryInEscd, ATokenRevokedBetweenTwoOperationsIsReplaced) {
    // The first operation: a Keystone project, with the token escd holds.
    const auto first = "ta" + id_;
    auto made_first = Mutate("POST", "/v0/tenants/" + first, TenantBody(first));
    ExpectSuccess(made_first.callback, "CREATE_TENANT", "Tenant successfully created");
    const auto issued = recorder_.Tokens();
    ASSERT_FALSE(issued.empty()) << "escd authenticated through the recorder";
    const auto taken_before = escd_->Log().size();

    // Every token escd was given is revoked. The next operation goes to Keystone itself, which
    // checks each token on each call (the other services' keystonemiddleware keeps a validated
    // token for minutes).
    for (const auto& token : issued) Revoke(token);
    const auto second = "tb" + id_;
    auto made = Mutate("POST", "/v0/tenants/" + second, TenantBody(second));
    ExpectSuccess(made.callback, "CREATE_TENANT", "Tenant successfully created");
    const auto project = XmlText(made.callback.body, "external_tenant_id");
    EXPECT_EQ(Os("identity", "/projects/" + project).status, 200);

    // escd took a new token, because Keystone answered 401, and said so.
    EXPECT_GT(recorder_.Tokens().size(), issued.size()) << "a new token was issued";
    const auto log = escd_->Log().substr(taken_before);
    EXPECT_NE(log.find("OpenStack answered 401 (token revoked or expired): taking a new Keystone "
                       "token"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("new Keystone token for user " + TestCredentials().user), std::string::npos)
        << log;

    // And the new token goes on working for the operations after it (Neutron this time).
    auto net = Mutate("POST", "/v0/" + second + "/networks/n" + id_, NetworkBody("n" + id_));
    ExpectSuccess(net.callback, "CREATE_NETWORK", "Network successfully created");
    ExpectSuccess(Mutate("DELETE", "/v0/" + second + "/networks/n" + id_).callback,
                  "DELETE_NETWORK", "Network successfully deleted");
    for (const auto& tenant : {second, first}) {
        ExpectSuccess(Mutate("DELETE", "/v0/tenants/" + tenant).callback, "DELETE_TENANT",
                      "Tenant successfully deleted");
    }
}

}  // namespace
}  // namespace escd::test
