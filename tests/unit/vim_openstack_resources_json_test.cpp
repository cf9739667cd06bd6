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

TEST(NeutronJson, AFixedIpWithoutAddressLetsNeutronChooseOnTheSubnet) {
    const auto port = json::parse(PortBody("p", "n", "", {{"s-uuid", ""}})).at("port");
    EXPECT_EQ(port.at("fixed_ips").at(0).at("subnet_id").as_string(), "s-uuid");
    EXPECT_FALSE(port.at("fixed_ips").at(0).as_object().contains("ip_address"));
}

TEST(NeutronJson, AVmsPortsAreNamedAfterItsNicsAndListedByTheirDescription) {
    EXPECT_EQ(PortName("dep_g_0_u1", 2), "escd-dep_g_0_u1-nic2");
    EXPECT_EQ(PortOwner("dep_g_0_u1"), "escd-vm:dep_g_0_u1");
    const std::vector<PortRequest> requests{
        {"vm1", 0, "n0", "52:54:00:00:00:01", {{"", "192.0.2.10"}}},
        {"vm1", 1, "n1", "", {}},
    };
    const auto ports = json::parse(PortsBody(requests)).at("ports");
    ASSERT_EQ(ports.as_array().size(), 2u);
    EXPECT_EQ(ports.at(0).at("name").as_string(), "escd-vm1-nic0");
    EXPECT_EQ(ports.at(0).at("description").as_string(), "escd-vm:vm1");
    EXPECT_EQ(ports.at(0).at("mac_address").as_string(), "52:54:00:00:00:01");
    EXPECT_EQ(ports.at(0).at("fixed_ips").at(0).at("ip_address").as_string(), "192.0.2.10");
    EXPECT_EQ(ports.at(1).at("name").as_string(), "escd-vm1-nic1");
    EXPECT_EQ(ports.at(1).at("network_id").as_string(), "n1");
    EXPECT_FALSE(ports.at(1).as_object().contains("mac_address"));
    EXPECT_FALSE(ports.at(1).as_object().contains("fixed_ips"));
}

TEST(NeutronJson, PortsAreReadWithTheirMacAddressesAndDevice) {
    const auto port = ParsePort(R"({"port": {"id": "p1", "name": "escd-vm1-nic0",
        "description": "escd-vm:vm1", "network_id": "n1", "mac_address": "fa:16:3e:00:00:01",
        "fixed_ips": [{"subnet_id": "s1", "ip_address": "192.0.2.10"},
                      {"subnet_id": "s2", "ip_address": "fd00::10"}],
        "status": "ACTIVE", "device_id": "srv", "device_owner": "compute:nova"}})");
    EXPECT_EQ(port.id, "p1");
    EXPECT_EQ(port.name, "escd-vm1-nic0");
    EXPECT_EQ(port.description, "escd-vm:vm1");
    EXPECT_EQ(port.network_id, "n1");
    EXPECT_EQ(port.mac, "fa:16:3e:00:00:01");
    ASSERT_EQ(port.fixed_ips.size(), 2u);
    EXPECT_EQ(port.fixed_ips[1], (FixedIp{"s2", "fd00::10"}));
    EXPECT_EQ(port.status, "ACTIVE");
    EXPECT_EQ(port.device_id, "srv");
    EXPECT_EQ(port.device_owner, "compute:nova");

    const auto ports = ParsePorts(R"({"ports": [{"id": "a"}, {"id": "b", "fixed_ips": []}]})");
    ASSERT_EQ(ports.size(), 2u);
    EXPECT_EQ(ports[1].id, "b");
    EXPECT_TRUE(ports[1].fixed_ips.empty());
    EXPECT_THROW(ParsePort(R"({"port": {"name": "no id"}})"), Error);
    EXPECT_THROW(ParsePorts(R"({"port": {"id": "a"}})"), Error);
}

TEST(NeutronJson, RoutersAndTheirInterfaces) {
    const auto router = json::parse(RouterBody({"r1", "ten", "edge", false, {"s1"}})).at("router");
    EXPECT_EQ(router.at("name").as_string(), "escd-r1");
    EXPECT_EQ(router.at("admin_state_up").as_bool(), false);
    EXPECT_EQ(json::parse(RouterInterfaceBody("s1")).at("subnet_id").as_string(), "s1");

    const auto routers = ParseRouters(R"({"routers": [
        {"id": "r1", "name": "escd-r1", "admin_state_up": false}, {"id": "r2"}]})");
    ASSERT_EQ(routers.size(), 2u);
    EXPECT_EQ(routers[0].name, "escd-r1");
    EXPECT_FALSE(routers[0].admin_state_up);
    EXPECT_TRUE(routers[1].admin_state_up) << "absent: up, Neutron's default";
    EXPECT_THROW(ParseRouters(R"({"routers": [{"name": "no id"}]})"), Error);
}

TEST(OpenStackJson, QueryValuesArePercentEncoded) {
    EXPECT_EQ(QueryValue("escd-vm_0.a~b"), "escd-vm_0.a~b");
    EXPECT_EQ(QueryValue("^a b&c=d$"), "%5Ea%20b%26c%3Dd%24");
    EXPECT_EQ(QueryValue("escd-vm:x\\y/\xc3\xa9"), "escd-vm%3Ax%5Cy%2F%C3%A9");
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
    EXPECT_EQ(minimal.at("server").at("networks").as_string(), "none") << "no NIC, said so";
    EXPECT_FALSE(minimal.at("server").as_object().contains("availability_zone"));
    EXPECT_FALSE(minimal.at("server").as_object().contains("personality"));
    EXPECT_FALSE(minimal.as_object().contains("os:scheduler_hints"));
}

TEST(NovaJson, AnExactNameIsAnAnchoredRegexWithItsMetacharactersEscaped) {
    EXPECT_EQ(ExactNameRegex("dep_g_0_u1"), "^dep_g_0_u1$");
    EXPECT_EQ(ExactNameRegex("a.b*c+(d)[e]{f}|g?h^i$j\\k"),
              "^a\\.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\|g\\?h\\^i\\$j\\\\k$");
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
        "status": "ACTIVE", "OS-EXT-SRV-ATTR:host": "escd-test", "config_drive": "True",
        "OS-EXT-STS:task_state": "powering-off",
        "metadata": {"escd_deployment": "dep", "n": 1}}})");
    EXPECT_EQ(one.id, "s1");
    EXPECT_EQ(one.name, "dep_g_0_u1");
    EXPECT_TRUE(one.Running());
    EXPECT_EQ(one.host, "escd-test");
    EXPECT_EQ(one.task_state, "powering-off");
    EXPECT_TRUE(one.config_drive);
    EXPECT_EQ(one.metadata.at("escd_deployment"), "dep");
    EXPECT_FALSE(one.metadata.contains("n")) << "Nova metadata values are strings";

    const auto all = ParseServers(R"({"servers": [
        {"id": "s1", "name": "a", "status": "SHUTOFF", "metadata": {},
         "OS-EXT-STS:task_state": null, "config_drive": ""},
        {"id": "s2", "name": "b", "status": "ERROR",
         "fault": {"code": 500, "message": "No valid host was found."}}]})");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_FALSE(all[0].Running());
    EXPECT_EQ(all[0].task_state, "") << "null or absent: no task";
    EXPECT_FALSE(all[0].config_drive);
    EXPECT_EQ(all[1].status, "ERROR");
    EXPECT_EQ(all[1].fault, "No valid host was found.");
    EXPECT_THROW(ParseServer(R"({"server": {"name": "no id"}})"), Error);
    EXPECT_THROW(ParseServers(R"({"server": {}})"), Error);
}

TEST(NovaJson, DiagnosticsGiveCpuAndMemoryFigures) {
    // What Nova's fake driver answers (microversion 2.48+), two vCPUs and 128 of 512 MiB used.
    const auto stats = ParseDiagnostics(R"({"state": "running", "driver": "fake",
        "cpu_details": [{"id": 0, "time": 17300000000, "utilisation": 15},
                        {"id": 1, "time": 2700000000, "utilisation": 25}],
        "num_cpus": 2, "memory_details": {"maximum": 512, "used": 128}, "uptime": 46664})");
    EXPECT_EQ(stats.cpu_time_ns, 20000000000u);
    ASSERT_TRUE(stats.cpu_percent);
    EXPECT_DOUBLE_EQ(*stats.cpu_percent, 20.0);
    EXPECT_EQ(stats.vcpus, 2);
    EXPECT_EQ(stats.max_memory_kb, 512u * 1024);
    EXPECT_EQ(stats.memory_kb, 512u * 1024);
    ASSERT_TRUE(stats.unused_kb);
    EXPECT_EQ(*stats.unused_kb, 384u * 1024);

    // The libvirt driver's form: no utilisation, used unknown.
    const auto libvirt = ParseDiagnostics(R"({"cpu_details": [{"id": 0, "time": 5, "utilisation":
        null}], "num_cpus": 1, "memory_details": {"maximum": 64, "used": null}})");
    EXPECT_FALSE(libvirt.cpu_percent) << "no utilisation: the rate of the CPU time is the metric";
    EXPECT_EQ(libvirt.cpu_time_ns, 5u);
    EXPECT_FALSE(libvirt.unused_kb);

    EXPECT_THROW(ParseDiagnostics(R"({"cpu_details": [], "memory_details": {}})"), Error)
        << "no maximum: nothing to measure memory against";
    EXPECT_THROW(ParseDiagnostics("[]"), Error);
}

TEST(NovaJson, ThePagesOfAListFollowTheNextLink) {
    EXPECT_EQ(NextPageQuery(R"({"servers": [], "servers_links": [{"rel": "next",
        "href": "http://127.0.0.1:8774/v2.1/servers/detail?limit=2&marker=s2"}]})",
                            "servers_links"),
              "limit=2&marker=s2");
    EXPECT_EQ(NextPageQuery(R"({"servers": []})", "servers_links"), "") << "the last page";
    EXPECT_EQ(
        NextPageQuery(R"({"servers_links": [{"rel": "self", "href": "x?y"}]})", "servers_links"),
        "");
}

TEST(NovaJson, ServerGroupsHaveOnePolicy) {
    const auto body = json::parse(ServerGroupBody("escd-g1", "anti-affinity")).at("server_group");
    EXPECT_EQ(body.at("name").as_string(), "escd-g1");
    EXPECT_EQ(body.at("policy").as_string(), "anti-affinity");

    const auto group = ParseServerGroup(R"({"server_group": {"id": "g1", "name": "escd-g1",
        "policy": "affinity", "members": ["s1", "s2"]}})");
    EXPECT_EQ(group.id, "g1");
    EXPECT_EQ(group.policy, "affinity");
    EXPECT_EQ(group.members, (std::vector<std::string>{"s1", "s2"}));
    const auto old = ParseServerGroups(R"({"server_groups": [
        {"id": "g2", "name": "x", "policies": ["soft-anti-affinity"], "members": []}]})");
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].policy, "soft-anti-affinity") << "before 2.64: a list of one";
    EXPECT_THROW(ParseServerGroup(R"({"server_group": {}})"), Error);
}

}  // namespace
}  // namespace escd::vim::openstack
