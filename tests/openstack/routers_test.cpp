// escd's routers on the real Neutron of tests/openstack/up.sh (vim/openstack/routers.hpp): made
// once by name, with exactly the interfaces asked (one added, one removed when the request
// changes), admin state kept to the request, deleted with its interfaces; each checked through
// the Neutron API.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "tests/openstack/os_test_objects.hpp"
#include "vim/openstack/neutron.hpp"
#include "vim/openstack/routers.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
namespace json = boost::json;

class NeutronRouters : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        neutron_.emplace(*session_);
        routers_.emplace(*session_);
        suffix_ = UniqueSuffix();
        // Three networks of one subnet each, with a gateway (an interface takes that address).
        for (int i = 0; i < 3; ++i) {
            const auto id = "rt" + suffix_ + "-" + std::to_string(i);
            const auto prefix = "10.77." + std::to_string(i);
            vim::NetworkRequest network{id, "", "net", true, false, {}};
            network.subnets.push_back({id + "-s", prefix + ".0/24", prefix + ".1", false, {}});
            networks_.push_back(id);
            const auto network_id =
                RunNow<std::string>([&] { return neutron_->EnsureNetwork(network); });
            subnets_.push_back(
                RunNow<std::vector<NeutronSubnet>>([&] { return neutron_->Subnets(network_id); })
                    .at(0)
                    .id);
        }
    }

    void TearDown() override {
        if (!routers_) return;
        if (!router_id_.empty()) CleanUp([&] { return routers_->DeleteRouter(router_id_); });
        for (const auto& id : networks_) CleanUp([&] { return neutron_->DeleteNetwork(id); });
    }

    std::string Ensure(const vim::RouterRequest& request) {
        return RunNow<std::string>([&] { return routers_->EnsureRouter(request); });
    }
    // The subnets of the router's interfaces, from Neutron's ports.
    std::multiset<std::string> Interfaces(const std::string& router_id) {
        std::multiset<std::string> out;
        const auto ports =
            Api(*session_, "network", http::verb::get, "/v2.0/ports?device_id=" + router_id);
        for (const auto& port : ports.at("ports").as_array()) {
            EXPECT_EQ(port.at("device_owner").as_string(), "network:router_interface");
            for (const auto& ip : port.at("fixed_ips").as_array())
                out.insert(std::string(ip.at("subnet_id").as_string()));
        }
        return out;
    }
    std::size_t RoutersNamed(const std::string& name) {
        return Api(*session_, "network", http::verb::get, "/v2.0/routers?name=" + name)
            .at("routers")
            .as_array()
            .size();
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Neutron> neutron_;
    std::optional<Routers> routers_;
    std::string suffix_, router_id_;
    std::vector<std::string> networks_, subnets_;
};

TEST_F(NeutronRouters, ARouterHasExactlyTheInterfacesAskedAndIsMadeOnce) {
    vim::RouterRequest request{"rt" + suffix_, "", "edge", true, {subnets_[0], subnets_[1]}};
    router_id_ = Ensure(request);
    const auto name = "escd-rt" + suffix_;
    auto shown = Api(*session_, "network", http::verb::get, "/v2.0/routers/" + router_id_);
    EXPECT_EQ(shown.at("router").at("name").as_string(), name);
    EXPECT_TRUE(shown.at("router").at("admin_state_up").as_bool());
    EXPECT_EQ(Interfaces(router_id_), (std::multiset<std::string>{subnets_[0], subnets_[1]}));

    // A rerun: the same router, nothing added; two reads.
    const auto before = session_->calls();
    EXPECT_EQ(Ensure(request), router_id_);
    EXPECT_EQ(session_->calls() - before, 2u);
    EXPECT_EQ(RoutersNamed(name), 1u);
    EXPECT_EQ(Interfaces(router_id_), (std::multiset<std::string>{subnets_[0], subnets_[1]}));

    // One interface removed, one added, the router taken down.
    request.subnet_external_ids = {subnets_[1], subnets_[2]};
    request.admin_state = false;
    EXPECT_EQ(Ensure(request), router_id_);
    EXPECT_EQ(Interfaces(router_id_), (std::multiset<std::string>{subnets_[1], subnets_[2]}));
    shown = Api(*session_, "network", http::verb::get, "/v2.0/routers/" + router_id_);
    EXPECT_FALSE(shown.at("router").at("admin_state_up").as_bool());
    EXPECT_EQ(RunNow<std::optional<Router>>([&] {
                  return routers_->FindRouter(request.internal_id);
              })->id,
              router_id_);

    // None at all.
    request.subnet_external_ids.clear();
    EXPECT_EQ(Ensure(request), router_id_);
    EXPECT_TRUE(Interfaces(router_id_).empty());
}

TEST_F(NeutronRouters, ADeletedRouterTakesItsInterfacesAlong) {
    const vim::RouterRequest request{"rt" + suffix_, "", "edge", true, {subnets_[0], subnets_[2]}};
    router_id_ = Ensure(request);
    const auto id = router_id_;
    ASSERT_EQ(Interfaces(id).size(), 2u);

    RunVoid([&] { return routers_->DeleteRouter(id); });
    RunVoid([&] { return routers_->DeleteRouter(id); });  // gone already: done
    int status = 0;
    const std::set<int> gone{404};
    Api(*session_, "network", http::verb::get, "/v2.0/routers/" + id, {}, gone, &status);
    EXPECT_EQ(status, 404);
    EXPECT_TRUE(Interfaces(id).empty()) << "no interface port is left";
    EXPECT_FALSE(
        RunNow<std::optional<Router>>([&] { return routers_->FindRouter(request.internal_id); }));
}

}  // namespace
}  // namespace escd::test
