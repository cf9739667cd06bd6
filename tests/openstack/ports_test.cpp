// escd's VM ports on the real Neutron of tests/openstack/up.sh (vim/openstack/ports.hpp): made
// with the MAC and addresses asked (or Neutron's), found again by name without duplicates, made
// again when the request changed, listed per VM in one call, deleted; each checked through the
// Neutron API.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "tests/openstack/os_test_objects.hpp"
#include "vim/openstack/neutron.hpp"
#include "vim/openstack/ports.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
namespace json = boost::json;

// A MAC of OpenStack's prefix that no other run is likely to use.
std::string RandomMac() {
    std::random_device random;
    char mac[18];
    std::snprintf(mac, sizeof mac, "fa:16:3e:%02x:%02x:%02x", random() & 0xff, random() & 0xff,
                  random() & 0xff);
    return mac;
}

class NeutronPorts : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        neutron_.emplace(*session_);
        ports_.emplace(*session_);
        const auto suffix = UniqueSuffix();
        network_internal_id_ = "pt" + suffix;
        vm_ = "pt" + suffix + "_vm";
        vim::NetworkRequest network{network_internal_id_, "", "data", true, false, {}};
        network.subnets.push_back({network_internal_id_ + "-4",
                                   "192.0.2.0/24",
                                   "192.0.2.1",
                                   false,
                                   {{"192.0.2.10", "192.0.2.99"}}});
        network.subnets.push_back({network_internal_id_ + "-6", "fd00:e5cd::/64", "", false, {}});
        network_id_ = RunNow<std::string>([&] { return neutron_->EnsureNetwork(network); });
        for (const auto& subnet :
             RunNow<std::vector<NeutronSubnet>>([&] { return neutron_->Subnets(network_id_); })) {
            (subnet.cidr == "192.0.2.0/24" ? v4_subnet_ : v6_subnet_) = subnet.id;
        }
    }

    void TearDown() override {
        if (!ports_) return;
        CleanUp([&] { return ports_->DeletePorts(vm_); });
        CleanUp([&] { return neutron_->DeleteNetwork(network_internal_id_); });
    }

    Port Ensure(const PortRequest& request) {
        return RunNow<Port>([&] { return ports_->EnsurePort(request); });
    }
    std::vector<Port> Find() {
        return RunNow<std::vector<Port>>([&] { return ports_->FindPorts(vm_); });
    }
    // The port as Neutron shows it.
    json::object Shown(const std::string& id) {
        return Api(*session_, "network", http::verb::get, "/v2.0/ports/" + id)
            .at("port")
            .as_object();
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Neutron> neutron_;
    std::optional<Ports> ports_;
    std::string network_internal_id_, vm_, network_id_, v4_subnet_, v6_subnet_;
};

TEST_F(NeutronPorts, APortHasTheMacAndAddressAskedAndIsMadeOnce) {
    const auto mac = RandomMac();
    PortRequest asked{vm_, 0, network_id_, mac, {{"", "192.0.2.10"}}};
    const auto port = Ensure(asked);
    EXPECT_EQ(port.name, "escd-" + vm_ + "-nic0");
    EXPECT_EQ(port.mac, mac);
    ASSERT_EQ(port.fixed_ips.size(), 1u);
    EXPECT_EQ(port.fixed_ips[0], (FixedIp{v4_subnet_, "192.0.2.10"}));

    const auto shown = Shown(port.id);
    EXPECT_EQ(shown.at("name").as_string(), "escd-" + vm_ + "-nic0");
    EXPECT_EQ(shown.at("description").as_string(), "escd-vm:" + vm_);
    EXPECT_EQ(shown.at("network_id").as_string(), network_id_);
    EXPECT_EQ(shown.at("mac_address").as_string(), mac);
    ASSERT_EQ(shown.at("fixed_ips").as_array().size(), 1u);
    EXPECT_EQ(shown.at("fixed_ips").at(0).at("ip_address").as_string(), "192.0.2.10");
    EXPECT_EQ(shown.at("fixed_ips").at(0).at("subnet_id").as_string(), v4_subnet_);

    // A rerun: the same port, found by one list call; the MAC may be written in upper case.
    const auto before = session_->calls();
    asked.mac = "FA:16:3E" + mac.substr(8);
    EXPECT_EQ(Ensure(asked).id, port.id);
    EXPECT_EQ(session_->calls() - before, 1u);
    EXPECT_EQ(Find().size(), 1u);
}

TEST_F(NeutronPorts, NeutronChoosesWhatTheRequestLeavesOutAndEscdLearnsIt) {
    const auto port = Ensure({vm_, 1, network_id_, "", {}});
    const auto shown = Shown(port.id);
    EXPECT_FALSE(port.mac.empty());
    EXPECT_EQ(port.mac, shown.at("mac_address").as_string());
    // An address on each subnet (v4 from the pool, v6 from the /64), as Neutron allocated them.
    ASSERT_EQ(port.fixed_ips.size(), shown.at("fixed_ips").as_array().size());
    ASSERT_EQ(port.fixed_ips.size(), 2u);
    for (std::size_t i = 0; i < port.fixed_ips.size(); ++i) {
        EXPECT_EQ(port.fixed_ips[i].ip_address,
                  shown.at("fixed_ips").at(i).at("ip_address").as_string());
        EXPECT_EQ(port.fixed_ips[i].subnet_id,
                  shown.at("fixed_ips").at(i).at("subnet_id").as_string());
    }
    // Only the subnet asked: an address of Neutron's choosing there, and only there.
    const auto v4_only = Ensure({vm_, 2, network_id_, "", {{v4_subnet_, ""}}});
    ASSERT_EQ(v4_only.fixed_ips.size(), 1u);
    EXPECT_EQ(v4_only.fixed_ips[0].subnet_id, v4_subnet_);
    EXPECT_FALSE(v4_only.fixed_ips[0].ip_address.empty());
}

TEST_F(NeutronPorts, AChangedRequestReplacesThePortAndDuplicatesAreRemoved) {
    const std::vector<PortRequest> nics{{vm_, 0, network_id_, RandomMac(), {{"", "192.0.2.20"}}},
                                        {vm_, 1, network_id_, "", {{v4_subnet_, "192.0.2.21"}}}};
    const auto made = RunNow<std::vector<Port>>([&] { return ports_->EnsurePorts(nics); });
    ASSERT_EQ(made.size(), 2u);
    EXPECT_EQ(made[0].name, "escd-" + vm_ + "-nic0");
    EXPECT_EQ(made[1].name, "escd-" + vm_ + "-nic1");
    EXPECT_EQ(made[1].fixed_ips[0].ip_address, "192.0.2.21");
    EXPECT_EQ(Find().size(), 2u) << "one list call finds both";

    // nic0 now asks for another address (and the MAC it had): made again, the old one gone.
    auto changed = nics;
    changed[0].fixed_ips = {{"", "192.0.2.22"}};
    const auto remade = RunNow<std::vector<Port>>([&] { return ports_->EnsurePorts(changed); });
    ASSERT_EQ(remade.size(), 2u);
    EXPECT_NE(remade[0].id, made[0].id);
    EXPECT_EQ(remade[0].mac, nics[0].mac);
    EXPECT_EQ(remade[0].fixed_ips[0].ip_address, "192.0.2.22");
    EXPECT_EQ(remade[1].id, made[1].id) << "nic1 did not change";
    EXPECT_FALSE(RunNow<std::optional<Port>>([&] { return ports_->GetPort(made[0].id); }));

    // A second port of nic1's name (a create whose answer was lost, made again): removed.
    const auto duplicate =
        Api(*session_, "network", http::verb::post, "/v2.0/ports",
            json::serialize(json::object{{"port", json::object{{"name", "escd-" + vm_ + "-nic1"},
                                                               {"description", "escd-vm:" + vm_},
                                                               {"network_id", network_id_}}}}))
            .at("port")
            .at("id")
            .as_string();
    EXPECT_EQ(Find().size(), 3u);
    EXPECT_EQ(Ensure(changed[1]).id, made[1].id);
    EXPECT_EQ(Find().size(), 2u);
    EXPECT_FALSE(
        RunNow<std::optional<Port>>([&] { return ports_->GetPort(std::string(duplicate)); }));

    RunVoid([&] { return ports_->DeletePort(made[1].id); });
    RunVoid([&] { return ports_->DeletePort(made[1].id); });  // gone already: done
    EXPECT_FALSE(RunNow<std::optional<Port>>([&] { return ports_->GetPort(made[1].id); }));
    RunVoid([&] { return ports_->DeletePorts(vm_); });
    EXPECT_TRUE(Find().empty());
}

}  // namespace
}  // namespace escd::test
