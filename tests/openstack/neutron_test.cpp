// escd's networks on the real Neutron of tests/openstack/up.sh (vim/openstack/neutron.hpp):
// made, made again without duplicates, changed, deleted, each checked by listing through the
// Neutron API; and a revoked token renewed on the fly.

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/neutron.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
using vim::NetworkRequest;

class OpenStackNeutron : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        neutron_.emplace(*session_);
        internal_id_ = "nt" + std::to_string(::getpid());
    }

    void TearDown() override {
        if (neutron_)
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await neutron_->DeleteNetwork(internal_id_);
                co_return 0;
            });
    }

    std::string Ensure(const NetworkRequest& request) {
        return RunNow<std::string>([&] { return neutron_->EnsureNetwork(request); });
    }
    std::vector<NeutronSubnet> SubnetsOf(const std::string& id) {
        return RunNow<std::vector<NeutronSubnet>>([&] { return neutron_->Subnets(id); });
    }
    std::optional<std::string> Find() {
        return RunNow<std::optional<std::string>>(
            [&] { return neutron_->FindNetwork(internal_id_); });
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Neutron> neutron_;
    std::string internal_id_;
};

TEST_F(OpenStackNeutron, ANetworkIsMadeOnceChangedAndDeleted) {
    NetworkRequest request{internal_id_, "ten", "mgmt", true, false, {}};
    request.subnets.push_back(
        {internal_id_ + "-a", "192.0.2.0/24", "192.0.2.1", true, {{"192.0.2.10", "192.0.2.99"}}});
    request.subnets.push_back({internal_id_ + "-b", "fd00:e5cd::/64", "", false, {}});
    const auto id = Ensure(request);
    EXPECT_EQ(Find(), id);
    auto subnets = SubnetsOf(id);
    ASSERT_EQ(subnets.size(), 2u);
    for (const auto& subnet : subnets) {
        if (subnet.name == "escd-" + internal_id_ + "-a") {
            EXPECT_EQ(subnet.cidr, "192.0.2.0/24");
            EXPECT_EQ(subnet.gateway_ip, "192.0.2.1");
            EXPECT_TRUE(subnet.enable_dhcp);
        } else {
            EXPECT_EQ(subnet.name, "escd-" + internal_id_ + "-b");
            EXPECT_EQ(subnet.cidr, "fd00:e5cd::/64");
            EXPECT_EQ(subnet.gateway_ip, "") << "no gateway, as asked";
            EXPECT_FALSE(subnet.enable_dhcp);
        }
    }

    // Made again (a rerun after a crash): the same network, no duplicate subnet.
    EXPECT_EQ(Ensure(request), id);
    EXPECT_EQ(SubnetsOf(id).size(), 2u);

    // One subnet gone, the other's gateway changed.
    request.subnets.pop_back();
    request.subnets[0].gateway = "192.0.2.254";
    EXPECT_EQ(Ensure(request), id);
    subnets = SubnetsOf(id);
    ASSERT_EQ(subnets.size(), 1u);
    EXPECT_EQ(subnets[0].gateway_ip, "192.0.2.254");

    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await neutron_->DeleteNetwork(internal_id_);
        co_await neutron_->DeleteNetwork(internal_id_);  // gone already: done
        co_return 0;
    });
    EXPECT_FALSE(Find());
}

TEST_F(OpenStackNeutron, ARevokedTokenIsReplacedAndTheCallGoesThrough) {
    const auto token = RunNow<Token>([&] { return session_->keystone().Current(); });
    // The token revokes itself (DELETE /v3/auth/tokens); the session still holds it.
    ApiRequest revoke;
    revoke.method = http::verb::delete_;
    revoke.url = Env("ESCD_TEST_OS_AUTH_URL") + "/auth/tokens";
    revoke.headers = {{"X-Auth-Token", token.id}, {"X-Subject-Token", token.id}};
    ASSERT_EQ(RunNow<ApiResponse>([&] { return client_.Send(revoke); }).status, 204);

    EXPECT_FALSE(Find()) << "the call was answered after a new token";
    EXPECT_NE(RunNow<Token>([&] { return session_->keystone().Current(); }).id, token.id);
}

}  // namespace
}  // namespace escd::test
