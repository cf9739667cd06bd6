// Networks and subnets (reference 02-Networks, 03-Subnets) through escd: validation, the
// lifecycle with callbacks, integrity (a network with subnets, a tenant with networks), and the
// libvirt network behind them (its id in the callbacks; the libvirt side itself is checked in
// libvirt_adapter_test.cpp, in-process, where the test driver's state is visible).

#include "tests/integration/resource_fixture.hpp"

namespace escd::test {
namespace {

class NetworkRoutes : public ResourceTest {
  protected:
    void SetUp() override {
        ResourceTest::SetUp();
        CreateTenantAndWait("ten");
    }
};

TEST_F(NetworkRoutes, NetworkAndSubnetLifecycleWithCallbacks) {
    auto net = Mutate("POST", "/ESCManager/v0/ten/networks/net1", NetworkBody("mgmt"));
    EXPECT_TRUE(IsUuid(net.response.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(net.response.body, "internal_network_id"), "net1");
    ExpectSuccess(net.callback, "CREATE_NETWORK", "Network successfully created");
    EXPECT_EQ(XmlText(net.callback.body, "internal_network_id"), "net1");
    EXPECT_EQ(XmlText(net.callback.body, "internal_tenant_id"), "ten");
    EXPECT_EQ(XmlText(net.callback.body, "name"), "mgmt");
    EXPECT_EQ(XmlText(net.callback.body, "shared"), "false");
    const auto network_uuid = XmlText(net.callback.body, "external_network_id");
    EXPECT_EQ(network_uuid.size(), 36u) << net.callback.body;

    auto sub = Mutate("POST", "/v0/ten/subnets/sub1", SubnetBody("net1", "10.77.0.0/24"));
    ExpectSuccess(sub.callback, "CREATE_SUBNET", "Subnet successfully created");
    EXPECT_EQ(XmlText(sub.callback.body, "internal_subnet_id"), "sub1");
    EXPECT_EQ(XmlText(sub.callback.body, "internal_network_id"), "net1");
    EXPECT_EQ(XmlText(sub.callback.body, "cidr"), "10.77.0.0/24");
    // Defaults as OpenStack has them: the first host is the gateway, the rest is the pool.
    EXPECT_EQ(XmlText(sub.callback.body, "gateway_ip"), "10.77.0.1");
    EXPECT_EQ(XmlText(sub.callback.body, "start"), "10.77.0.2");
    EXPECT_EQ(XmlText(sub.callback.body, "end"), "10.77.0.254");
    EXPECT_EQ(XmlText(sub.callback.body, "enable_dhcp"), "true");
    EXPECT_EQ(XmlText(sub.callback.body, "ip_version"), "4");
    EXPECT_EQ(XmlText(sub.callback.body, "external_subnet_id").size(), 36u);

    // Reads: one, the tenant's list, and the list filtered by network.
    auto got = client_->Get("/v0/ten/networks/net1");
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(XmlText(got.body, "external_network_id"), network_uuid);
    EXPECT_EQ(XmlText(got.body, "event_type"), "");
    EXPECT_NE(client_->Get("/v0/ten/networks").body.find("<internal_network_id>net1<"),
              std::string::npos);
    auto filtered = client_->Get("/v0/ten/subnets", {{"internalNetworkId", "net1"}});
    ASSERT_EQ(filtered.status, 200);
    EXPECT_EQ(XmlText(filtered.body, "internal_subnet_id"), "sub1");
    EXPECT_EQ(client_->Get("/v0/ten/subnets", {{"internalNetworkId", "nope"}}).status, 404);

    // A subnet update (the pool) and a network update (the name).
    auto upd = Mutate("PUT", "/v0/ten/subnets/sub1",
                      SubnetBody("net1", "10.77.0.0/24",
                                 "<allocation_pools><start>10.77.0.100</start>"
                                 "<end>10.77.0.199</end></allocation_pools>"));
    ExpectSuccess(upd.callback, "UPDATE_SUBNET", "Subnet successfully updated");
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/subnets/sub1").body, "start"), "10.77.0.100");
    auto rename = Mutate("PUT", "/v0/ten/networks/net1", NetworkBody("renamed"));
    ExpectSuccess(rename.callback, "UPDATE_NETWORK", "Network successfully updated");
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/networks/net1").body, "name"), "renamed");
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/networks/net1").body, "external_network_id"),
              network_uuid);  // the same libvirt network, redefined

    // Integrity: the network has a subnet, the tenant has a network.
    ExpectError(client_->Delete("/v0/ten/networks/net1", WithCallback()), 409, "subnet sub1");
    ExpectError(client_->Delete("/v0/tenants/ten", WithCallback()), 409, "still owns");

    auto del_sub = Mutate("DELETE", "/v0/ten/subnets/sub1");
    ExpectSuccess(del_sub.callback, "DELETE_SUBNET", "Subnet successfully deleted");
    auto del_net = Mutate("DELETE", "/v0/ten/networks/net1");
    ExpectSuccess(del_net.callback, "DELETE_NETWORK", "Network successfully deleted");
    EXPECT_EQ(client_->Get("/v0/ten/networks/net1").status, 404);
    EXPECT_EQ(client_->Get("/v0/ten/subnets/sub1").status, 404);
}

TEST_F(NetworkRoutes, TheEscSpellingOfASubnetIsAcceptedAndStoredInTheReferenceSpelling) {
    Mutate("POST", "/v0/ten/networks/n2", NetworkBody("n2"));
    auto sub = Mutate("POST", "/v0/ten/subnets/s2",
                      "<subnet><name>s</name><internal_network_id>n2</internal_network_id>"
                      "<ipversion>ipv4</ipversion><dhcp>false</dhcp><address>172.16.0.0</address>"
                      "<netmask>255.255.255.0</netmask><gateway>172.16.0.254</gateway></subnet>");
    ExpectSuccess(sub.callback, "CREATE_SUBNET", "Subnet successfully created");
    auto got = client_->Get("/v0/ten/subnets/s2").body;
    EXPECT_EQ(XmlText(got, "cidr"), "172.16.0.0/24");
    EXPECT_EQ(XmlText(got, "gateway_ip"), "172.16.0.254");
    EXPECT_EQ(XmlText(got, "enable_dhcp"), "false");
    EXPECT_EQ(XmlText(got, "ip_version"), "4");
    EXPECT_EQ(XmlText(got, "start"), "172.16.0.1");  // the default pool stops at the gateway
    EXPECT_EQ(XmlText(got, "end"), "172.16.0.253");
}

TEST_F(NetworkRoutes, InvalidSubnetsAreRefusedWith400AndNothingIsStored) {
    Mutate("POST", "/v0/ten/networks/n3", NetworkBody("n3"));
    const auto before = Count("resources");
    const auto post = [&](const std::string& cidr, const std::string& extra = {}) {
        return client_->Post("/v0/ten/subnets/bad", SubnetBody("n3", cidr, extra), WithCallback());
    };
    ExpectError(post("10.0.0.0/33"), 400, "not a network");
    ExpectError(post("10.0.0.5/24"), 400, "host bits set");
    ExpectError(post("10.0.0.0/24", "<gateway_ip>10.0.1.1</gateway_ip>"), 400, "outside");
    ExpectError(post("10.0.0.0/24", "<gateway_ip>10.0.0.255</gateway_ip>"), 400, "broadcast");
    ExpectError(post("10.0.0.0/24",
                     "<allocation_pools><start>10.0.0.1</start>"
                     "<end>10.0.0.20</end></allocation_pools>"),
                400, "contains the gateway");
    ExpectError(post("10.0.0.0/24",
                     "<allocation_pools><start>10.0.0.50</start>"
                     "<end>10.0.0.20</end></allocation_pools>"),
                400, "ends before it starts");
    ExpectError(post("10.0.0.0/24",
                     "<allocation_pools><start>10.0.0.10</start>"
                     "<end>10.0.0.30</end></allocation_pools>"
                     "<allocation_pools><start>10.0.0.20</start>"
                     "<end>10.0.0.40</end></allocation_pools>"),
                400, "overlap");
    ExpectError(post("10.0.0.0/24", "<ip_version>6</ip_version>"), 400, "does not match");
    ExpectError(post("10.0.0.0/24", "<dnsServerIps>8.8.8.8,nope</dnsServerIps>"), 400,
                "not an IP address");
    ExpectError(
        client_->Post("/v0/ten/subnets/bad",
                      "<subnet><name>s</name><cidr>10.0.0.0/24</cidr></subnet>", WithCallback()),
        400, "internal_network_id");
    // A network of another tenant, or none: 404.
    ExpectError(
        client_->Post("/v0/ten/subnets/bad", SubnetBody("ghost", "10.0.0.0/24"), WithCallback()),
        404, "network ghost not found");
    EXPECT_EQ(Count("resources"), before);
    EXPECT_EQ(Count("operations WHERE target_id = 'bad'"), 0);
}

TEST_F(NetworkRoutes, ErrorCodesOfTheNetworkRoutes) {
    const auto before = Count("resources");
    ExpectError(client_->Post("/v0/ghost/networks/n", NetworkBody("n"), WithCallback()), 404,
                "tenant ghost not found");
    ExpectError(client_->Post("/v0/ten/networks/n", "<network><name>n</name>", WithCallback()), 400,
                "malformed XML");
    ExpectError(client_->Post("/v0/ten/networks/n", "<network/>", WithCallback()), 400,
                "<name> is required");
    ExpectError(client_->Post("/v0/ten/networks/n", NetworkBody("n")), 400, "Callback");
    ExpectError(
        client_->Post("/v0/ten/networks/n",
                      "<network><name>n</name><vlan_id>5000</vlan_id></network>", WithCallback()),
        400, "vlan_id");
    ExpectError(client_->Post("/v0/ten/networks/n",
                              "<network><internal_network_id>other</internal_network_id>"
                              "<name>n</name></network>",
                              WithCallback()),
                400, "differs");
    ExpectError(client_->Post("/v0/ten/networks/bad~id", NetworkBody("n"), WithCallback()), 400,
                "characters outside");
    // Ids are unique across kinds: the tenant's own id cannot name a network.
    ExpectError(client_->Post("/v0/ten/networks/ten", NetworkBody("n"), WithCallback()), 409,
                "already used by a tenant");
    EXPECT_EQ(Count("resources"), before);

    Mutate("POST", "/v0/ten/networks/n4", NetworkBody("n4"));
    ExpectError(client_->Post("/v0/ten/networks/n4", NetworkBody("n4"), WithCallback()), 409,
                "already used");
    // Found only under its own tenant.
    CreateTenantAndWait("other");
    EXPECT_EQ(client_->Get("/v0/other/networks/n4").status, 404);
    ExpectError(client_->Delete("/v0/other/networks/n4", WithCallback()), 404, "not found");
    EXPECT_EQ(client_->Get("/v0/ghost/networks").status, 404);
    EXPECT_EQ(client_->Request("PATCH", "/v0/ten/networks/n4").status, 405);
}

TEST_F(NetworkRoutes, MaintenanceModeRefusesEveryMutatingResourceRoute) {
    Mutate("POST", "/v0/ten/networks/n5", NetworkBody("n5"));
    ASSERT_EQ(SetMode("MAINTENANCE").status, 200);
    const std::pair<const char*, const char*> routes[] = {
        {"POST", "/v0/ten/networks/x"},    {"PUT", "/v0/ten/networks/n5"},
        {"DELETE", "/v0/ten/networks/n5"}, {"POST", "/v0/ten/subnets/x"},
        {"PUT", "/v0/ten/subnets/x"},      {"DELETE", "/v0/ten/subnets/x"},
        {"POST", "/v0/images/x"},          {"DELETE", "/v0/images/x"},
        {"POST", "/v0/flavors/x"},         {"DELETE", "/v0/flavors/x"},
        {"POST", "/v0/ten/volumes/x"},     {"DELETE", "/v0/ten/volumes/x"},
        {"POST", "/v0/ten/routers/x"},     {"PUT", "/v0/ten/routers/x"},
        {"DELETE", "/v0/ten/routers/x"},   {"POST", "/v0/fileserver/x"},
        {"PUT", "/v0/fileserver/x"},       {"DELETE", "/v0/fileserver/x"},
    };
    for (const auto& [method, path] : routes) {
        auto response = client_->Request(method, path, NetworkBody("x"), WithCallback());
        EXPECT_EQ(response.status, 503) << method << " " << path << ": " << response.body;
    }
    EXPECT_EQ(client_->Get("/v0/ten/networks/n5").status, 200);  // reads still work
    EXPECT_EQ(Count("operations WHERE finished_at IS NULL"), 0);
}

class NetworkVimDown : public ResourceTest {};

TEST_F(NetworkVimDown, CreatesOfVimObjectsAre503UnableToQueryVimAndStoreNothing) {
    StartEscd({"--vim.uri=test:///nonexistent/escd-no-such-host.xml"});
    // The tenant is stored directly: creating it needs the VIM this test takes away.
    db_.Query(
        "INSERT INTO resources (internal_id, kind, name, state, spec) "
        "VALUES ('ten', 'tenant', 'ten', 'ACTIVE', '<tenant><name>ten</name></tenant>')");
    const auto before = Count("resources");
    for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
             {"/v0/ten/networks/n", NetworkBody("n")},
             {"/v0/ten/volumes/v", "<volume><name>v</name><size>1</size></volume>"},
             {"/v0/ten/routers/r", "<router><name>r</name></router>"}}) {
        const auto answer = client_->Post(path, body, WithCallback());
        ExpectError(answer, 503, "Unable to query VIM");
        EXPECT_EQ(answer.Header("Retry-After"), "5") << "the VIM may answer in a moment";
    }
    EXPECT_EQ(Count("resources"), before);
    EXPECT_EQ(Count("operations"), 0);
}

}  // namespace
}  // namespace escd::test
