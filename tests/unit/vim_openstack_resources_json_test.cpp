#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace {
namespace json = boost::json;

TEST(NeutronJson, ANetworkAndItsSubnetsAreNamedAfterEscdsIds) {
    NetworkRequest request{"net-1", "ten", "mgmt", true, false, {}};
    const auto network = json::parse(NetworkBody(request)).at("network");
    EXPECT_EQ(network.at("name").as_string(), "escd-net-1");
    EXPECT_EQ(network.at("admin_state_up").as_bool(), true);
    EXPECT_EQ(network.at("shared").as_bool(), false);

    SubnetDefinition v4{"sub-1", "192.0.2.0/24", "192.0.2.1", true, {{"192.0.2.10", "192.0.2.20"}}};
    const auto subnet = json::parse(SubnetBody("n-uuid", v4)).at("subnet");
    EXPECT_EQ(subnet.at("network_id").as_string(), "n-uuid");
    EXPECT_EQ(subnet.at("name").as_string(), "escd-sub-1");
    EXPECT_EQ(subnet.at("cidr").as_string(), "192.0.2.0/24");
    EXPECT_EQ(subnet.at("ip_version").as_int64(), 4);
    EXPECT_EQ(subnet.at("gateway_ip").as_string(), "192.0.2.1");
    EXPECT_EQ(subnet.at("allocation_pools").at(0).at("start").as_string(), "192.0.2.10");
    EXPECT_EQ(subnet.at("allocation_pools").at(0).at("end").as_string(), "192.0.2.20");

    SubnetDefinition v6{"sub-2", "fd00::/64", "", false, {}};
    const auto subnet6 = json::parse(SubnetBody("n-uuid", v6)).at("subnet");
    EXPECT_EQ(subnet6.at("ip_version").as_int64(), 6);
    EXPECT_TRUE(subnet6.at("gateway_ip").is_null()) << "no gateway is said, not left out";
    EXPECT_FALSE(subnet6.as_object().contains("allocation_pools"));
    EXPECT_EQ(subnet6.at("enable_dhcp").as_bool(), false);
}

TEST(NeutronJson, APortCarriesTheMacAndAddressesEscdAllocated) {
    const auto port = json::parse(PortBody("escd-vm_0-nic0", "n-uuid", "52:54:00:00:00:01",
                                           {{"s-uuid", "192.0.2.10"}, {"", "fd00::10"}}))
                          .at("port");
    EXPECT_EQ(port.at("name").as_string(), "escd-vm_0-nic0");
    EXPECT_EQ(port.at("network_id").as_string(), "n-uuid");
    EXPECT_EQ(port.at("mac_address").as_string(), "52:54:00:00:00:01");
    EXPECT_EQ(port.at("fixed_ips").at(0).at("subnet_id").as_string(), "s-uuid");
    EXPECT_EQ(port.at("fixed_ips").at(0).at("ip_address").as_string(), "192.0.2.10");
    EXPECT_FALSE(port.at("fixed_ips").at(1).as_object().contains("subnet_id"));

    const auto bare = json::parse(PortBody("p", "n", "", {})).at("port");
    EXPECT_FALSE(bare.as_object().contains("mac_address")) << "Neutron chooses";
    EXPECT_FALSE(bare.as_object().contains("fixed_ips"));
}

TEST(NeutronJson, IdsAreReadFromTheNamedObject) {
    EXPECT_EQ(IdIn(R"({"network": {"id": "n1", "name": "x"}})", "network"), "n1");
    for (const char* body : {R"({"port": {"id": "p1"}})", R"({"network": {}})", "[]", "<html>"}) {
        try {
            IdIn(body, "network");
            ADD_FAILURE() << body;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kVimError);
        }
    }
}

TEST(NovaJson, AServerHasItsPortsMetadataConfigDriveAndDayZeroFiles) {
    ServerSpec spec;
    spec.name = "dep_g_0_u1";
    spec.image_ref = "img-uuid";
    spec.flavor_ref = "flv-uuid";
    spec.port_ids = {"p0", "p1"};
    spec.metadata = {{"escd_deployment", "dep"}, {"escd_instance", "i1"}};
    spec.availability_zone = "nova:compute-1";
    spec.server_group = "sg-uuid";
    spec.files = {{"/escd-vnf.conf", "hostname dep_g_0_u1\n"}};
    const auto body = json::parse(ServerBody(spec));
    const auto& server = body.at("server");
    EXPECT_EQ(server.at("name").as_string(), "dep_g_0_u1");
    EXPECT_EQ(server.at("imageRef").as_string(), "img-uuid");
    EXPECT_EQ(server.at("flavorRef").as_string(), "flv-uuid");
    ASSERT_EQ(server.at("networks").as_array().size(), 2u);
    EXPECT_EQ(server.at("networks").at(1).at("port").as_string(), "p1");
    EXPECT_EQ(server.at("config_drive").as_bool(), true);
    EXPECT_EQ(server.at("metadata").at("escd_deployment").as_string(), "dep");
    EXPECT_EQ(server.at("availability_zone").as_string(), "nova:compute-1");
    const auto& file = server.at("personality").at(0);
    EXPECT_EQ(file.at("path").as_string(), "/escd-vnf.conf");
    EXPECT_EQ(Base64Decode(file.at("contents").as_string().c_str()), "hostname dep_g_0_u1\n");
    EXPECT_EQ(body.at("os:scheduler_hints").at("group").as_string(), "sg-uuid");

    ServerSpec plain;
    plain.name = "v";
    const auto minimal = json::parse(ServerBody(plain));
    EXPECT_FALSE(minimal.at("server").as_object().contains("availability_zone"));
    EXPECT_FALSE(minimal.at("server").as_object().contains("personality"));
    EXPECT_FALSE(minimal.as_object().contains("os:scheduler_hints"));
}

TEST(NovaJson, FlavorsCountDisksInWholeGigabytes) {
    const auto flavor = json::parse(FlavorBody({"f1", "small", 2, 2048, 1500, 0})).at("flavor");
    EXPECT_EQ(flavor.at("name").as_string(), "escd-f1");
    EXPECT_EQ(flavor.at("ram").as_int64(), 2048);
    EXPECT_EQ(flavor.at("vcpus").as_int64(), 2);
    EXPECT_EQ(flavor.at("disk").as_int64(), 2) << "1500 MB rounds up";
    EXPECT_EQ(flavor.at("OS-FLV-EXT-DATA:ephemeral").as_int64(), 0);
}

TEST(NovaJson, ServerActions) {
    EXPECT_TRUE(json::parse(ServerActionBody("stop")).at("os-stop").is_null());
    EXPECT_TRUE(json::parse(ServerActionBody("start")).at("os-start").is_null());
    EXPECT_EQ(json::parse(ServerActionBody("soft-reboot")).at("reboot").at("type").as_string(),
              "SOFT");
    EXPECT_EQ(json::parse(ServerActionBody("hard-reboot")).at("reboot").at("type").as_string(),
              "HARD");
    EXPECT_THROW(ServerActionBody("dance"), Error);
}

TEST(NovaJson, ServersAreReadWithStatusHostFaultAndMetadata) {
    const auto one = ParseServer(R"({"server": {"id": "s1", "name": "dep_g_0_u1",
        "status": "ACTIVE", "OS-EXT-SRV-ATTR:host": "escd-test",
        "metadata": {"escd_deployment": "dep", "n": 1}}})");
    EXPECT_EQ(one.id, "s1");
    EXPECT_EQ(one.name, "dep_g_0_u1");
    EXPECT_TRUE(one.Running());
    EXPECT_EQ(one.host, "escd-test");
    EXPECT_EQ(one.metadata.at("escd_deployment"), "dep");
    EXPECT_FALSE(one.metadata.contains("n")) << "Nova metadata values are strings";

    const auto all = ParseServers(R"({"servers": [
        {"id": "s1", "name": "a", "status": "SHUTOFF", "metadata": {}},
        {"id": "s2", "name": "b", "status": "ERROR",
         "fault": {"code": 500, "message": "No valid host was found."}}]})");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_FALSE(all[0].Running());
    EXPECT_EQ(all[1].status, "ERROR");
    EXPECT_EQ(all[1].fault, "No valid host was found.");
    EXPECT_THROW(ParseServer(R"({"server": {"name": "no id"}})"), Error);
    EXPECT_THROW(ParseServers(R"({"server": {}})"), Error);
}

}  // namespace
}  // namespace escd::vim::openstack
