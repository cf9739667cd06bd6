// Flavors (reference 05-Flavors), volumes (10-Volumes) and routers (19-Routers) through escd.

#include "tests/integration/resource_fixture.hpp"

namespace escd::test {
namespace {

class CatalogRoutes : public ResourceTest {};

TEST_F(CatalogRoutes, FlavorLifecycleMatchesTheReferenceCallback) {
    auto done = Mutate("POST", "/ESCManager/v0/flavors/my_flavor_id",
                       "<flavor xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                       "<name>lightVMFlavor</name><vcpus>2</vcpus><memory_mb>2048</memory_mb>"
                       "</flavor>");
    ExpectSuccess(done.callback, "CREATE_FLAVOR", "Flavor successfully created");
    EXPECT_NE(done.callback.Header("ESC-Status-Message").find("libvirt has no flavor"),
              std::string::npos);
    EXPECT_EQ(XmlText(done.callback.body, "internal_flavor_id"), "my_flavor_id");
    EXPECT_EQ(XmlText(done.callback.body, "vcpus"), "2");
    EXPECT_EQ(XmlText(done.callback.body, "memory_mb"), "2048");
    EXPECT_EQ(XmlText(done.callback.body, "ephemeral_disk_mb"), "0");
    EXPECT_EQ(XmlText(done.callback.body, "external_flavor_id").size(), 36u);
    EXPECT_EQ(XmlText(client_->Get("/v0/flavors").body, "name"), "lightVMFlavor");

    ExpectError(client_->Post("/v0/flavors/f2", "<flavor><name>f</name><vcpus>2</vcpus></flavor>",
                              WithCallback()),
                400, "memory_mb");
    ExpectError(client_->Post("/v0/flavors/f2",
                              "<flavor><name>f</name><vcpus>0</vcpus><memory_mb>1</memory_mb>"
                              "</flavor>",
                              WithCallback()),
                400, "between 1 and 1024");
    ExpectError(client_->Post("/v0/flavors/f2",
                              "<flavor><name>f</name><vcpus>two</vcpus><memory_mb>1</memory_mb>"
                              "</flavor>",
                              WithCallback()),
                400, "integer");
    EXPECT_EQ(client_->Get("/v0/flavors/f2").status, 404);

    ExpectError(client_->Put("/v0/flavors/my_flavor_id",
                             "<flavor><name>f</name><vcpus>4</vcpus><memory_mb>1</memory_mb>"
                             "</flavor>",
                             WithCallback()),
                406, "Operation not supported on VIM");
    auto del = Mutate("DELETE", "/v0/flavors/my_flavor_id");
    ExpectSuccess(del.callback, "DELETE_FLAVOR", "Flavor successfully deleted");
    ExpectError(client_->Delete("/v0/flavors/my_flavor_id", WithCallback()), 404, "not found");
}

TEST_F(CatalogRoutes, VolumeLifecycle) {
    CreateTenantAndWait("ten");
    auto done = Mutate("POST", "/v0/ten/volumes/vol1",
                       "<volume><name>data</name><size>2</size><sizeunit>GiB</sizeunit>"
                       "<bus>virtio</bus></volume>");
    ExpectSuccess(done.callback, "CREATE_VOLUME", "Volume successfully created");
    EXPECT_NE(XmlText(done.callback.body, "external_volume_id").find("escd-volume-vol1"),
              std::string::npos)
        << done.callback.body;
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/volumes/vol1").body, "size"), "2");
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/volumes").body, "internal_volume_id"), "vol1");
    ExpectError(
        client_->Post("/v0/ten/volumes/v2", "<volume><name>v</name></volume>", WithCallback()), 400,
        "<size> is required");
    ExpectError(client_->Post("/v0/ten/volumes/v2",
                              "<volume><name>v</name><size>1</size><sizeunit>KB</sizeunit>"
                              "</volume>",
                              WithCallback()),
                400, "sizeunit");
    auto del = Mutate("DELETE", "/v0/ten/volumes/vol1");
    ExpectSuccess(del.callback, "DELETE_VOLUME", "Volume successfully deleted");
    EXPECT_EQ(client_->Get("/v0/ten/volumes/vol1").status, 404);
}

TEST_F(CatalogRoutes, RouterWithAnInterfaceOnASubnetAndARoute) {
    CreateTenantAndWait("ten");
    Mutate("POST", "/v0/ten/networks/n1", NetworkBody("n1"));
    Mutate("POST", "/v0/ten/subnets/s1", SubnetBody("n1", "10.8.0.0/24"));
    const std::string body =
        "<router><name>r</name><admin_state>true</admin_state>"
        "<interface><subnet>s1</subnet></interface>"
        "<route><destination>10.9.0.0/16</destination><next_hop>10.8.0.1</next_hop></route>"
        "</router>";
    auto done = Mutate("POST", "/v0/ten/routers/r1", body);
    ExpectSuccess(done.callback, "CREATE_ROUTER", "Router successfully created");
    EXPECT_NE(done.callback.Header("ESC-Status-Message").find("libvirt has no router"),
              std::string::npos);
    EXPECT_EQ(XmlText(done.callback.body, "subnet"), "s1");
    EXPECT_EQ(XmlText(done.callback.body, "destination"), "10.9.0.0/16");

    auto upd = Mutate("PUT", "/v0/ten/routers/r1",
                      "<router><name>r2</name><interface><subnet>s1</subnet></interface></router>");
    ExpectSuccess(upd.callback, "UPDATE_ROUTER", "Router successfully updated");
    EXPECT_EQ(XmlText(client_->Get("/v0/ten/routers/r1").body, "name"), "r2");

    ExpectError(client_->Post("/v0/ten/routers/r2",
                              "<router><name>r</name><interface><subnet>ghost</subnet>"
                              "</interface></router>",
                              WithCallback()),
                404, "subnet ghost");
    ExpectError(client_->Post("/v0/ten/routers/r2",
                              "<router><name>r</name><route><destination>nope</destination>"
                              "<next_hop>10.8.0.1</next_hop></route></router>",
                              WithCallback()),
                400, "not a CIDR");
    auto del = Mutate("DELETE", "/v0/ten/routers/r1");
    ExpectSuccess(del.callback, "DELETE_ROUTER", "Router successfully deleted");
}

TEST_F(CatalogRoutes, ConcurrentCreatesOfOneIdLetExactlyOneWin) {
    std::vector<std::thread> threads;
    std::vector<int> statuses(8);
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([this, i, &statuses] {
            HttpClient client = escd_->Client();
            statuses[static_cast<std::size_t>(i)] =
                client
                    .Post("/v0/flavors/race",
                          "<flavor><name>f" + std::to_string(i) +
                              "</name><vcpus>1</vcpus><memory_mb>64</memory_mb></flavor>",
                          WithCallback())
                    .status;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 7);
    EXPECT_EQ(Count("resources WHERE internal_id = 'race'"), 1);
}

}  // namespace
}  // namespace escd::test
