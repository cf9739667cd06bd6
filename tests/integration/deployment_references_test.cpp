// A deployment's <image>, <flavor> and interface <network> as ESC takes them: by the name or the
// VIM UUID of the object, besides escd's internal id (docs/references.md). What the deployment
// uses stays protected whatever it was named by, and GET shows the client's text.

#include <filesystem>

#include "tests/integration/deployment_fixture.hpp"
#include "tests/support/file_server.hpp"
#include "tests/support/reference_example.hpp"

namespace escd::test {
namespace {
namespace fs = std::filesystem;

class DeploymentReferences : public DeploymentTest {
  protected:
    // Image `id` named `name` (the fixture's image file).
    void AddImage(const std::string& id, const std::string& name) {
        const auto file = fs::path(escd_->data_dir()) / "files" / "vnf.qcow2";
        Mutate("POST", "/v0/images/" + id,
               "<image xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>" + name +
                   "</name><src>file://" + file.string() + "</src><disk_bus>virtio</disk_bus>" +
                   "</image>");
    }

    std::string ExternalIdOf(const std::string& internal_id) {
        auto rows =
            db_.Query("SELECT COALESCE(external_id, '') FROM resources WHERE internal_id = '" +
                      internal_id + "'");
        return rows.empty() ? std::string() : rows[0][0].as<std::string>();
    }

    // One group g1 of one VM on `image`, `flavor`, and nicid 0 on `network`.
    static std::string OneVm(const std::string& tenant,
                             const std::string& image,
                             const std::string& flavor,
                             const std::string& network) {
        auto group = Group("g1", 1, 1, {{0, network}});
        group.replace(group.find("<image>vnf-img"), 14, "<image>" + image);
        group.replace(group.find("<flavor>small"), 13, "<flavor>" + flavor);
        return DatamodelOf(tenant, "demo", group);
    }

    // POSTs deployment `id` and expects it to come up: VM_DEPLOYED, VM_ALIVE, SERVICE_ALIVE.
    std::vector<ReceivedRequest> DeployOk(const std::string& id, const std::string& body) {
        auto post = client_->Post("/v0/deployments/" + id, body, WithCallback());
        EXPECT_EQ(post.status, 200) << post.body;
        if (post.status != 200) return {};
        auto events = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
        EXPECT_EQ(Stages(events),
                  (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        if (events.size() == 3) {
            EXPECT_EQ(events[2].Header("ESC-Status-Code"), "200");
        }
        return events;
    }

    std::string ConfigOf(const std::string& id) {
        return client_->Get("/v0/deployments/config/" + id).body;
    }
};

TEST_F(DeploymentReferences, TheReferenceExampleNamesTheImageItCreatedAsUlinuximg) {
    if (!CanPing()) GTEST_SKIP() << "the example's ICMPPing KPI needs CAP_NET_RAW";
    FileServer files;
    files.Add("/share/images/day0-configASA", "hostname ASA\nip $NICID_1_IP_ADDRESS\n");
    files.Add("/share/images/asa-smart.config", "token\n");
    CreateTenantAndWait("admin");
    Mutate("POST", "/v0/admin/networks/MgtNetwork", NetworkBody("MgtNetwork"));
    Mutate("POST", "/v0/admin/subnets/MgtSubnet", SubnetBody("MgtNetwork", "127.31.0.0/24"));
    AddImage("my_image_id", "uLinuxImg");  // the reference's image example
    ReferenceExample example;
    example.image = "uLinuxImg";
    example.address = "127.31.0.16";
    example.file_server = files.BaseUrl();
    const auto body = ReferenceDeploymentBody(example);
    auto events = DeployOk("my_dep_id", body);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(XmlText(events[0].body, "ip_address"), "127.31.0.16");
    EXPECT_NE(ConfigOf("my_dep_id").find("<image>uLinuxImg</image>"), std::string::npos);
    ExpectError(client_->Delete("/v0/images/my_image_id", WithCallback()), 409,
                "used by deployment my_dep_id");
}

TEST_F(DeploymentReferences, AnImageNamedByItsNameDeploysAndCannotBeDeletedWhileUsed) {
    AddImage("my_image_id", "uLinuxImg");
    DeployOk("dep", Datamodel("ten", "uLinuxImg", 1));
    // GET shows what the client sent; the VM was made from my_image_id.
    EXPECT_NE(ConfigOf("dep").find("<image>uLinuxImg</image>"), std::string::npos);
    EXPECT_EQ(ConfigOf("dep").find("escd_resolved"), std::string::npos);
    EXPECT_EQ(client_->Get("/v0/deployments/dep").status, 200);
    EXPECT_EQ(Count("deployment_refs WHERE kind = 'image' AND ref_id = 'my_image_id'"), 1);
    ExpectError(client_->Delete("/v0/images/my_image_id", WithCallback()), 409,
                "used by deployment dep");
    // Undeployed, the image is free again.
    auto del = client_->Delete("/v0/deployments/dep", WithCallback());
    ASSERT_EQ(del.status, 200) << del.body;
    ASSERT_EQ(CallbacksOf(del.Header("ESC-Transaction-Id"), 2).size(), 2u);
    EXPECT_EQ(Mutate("DELETE", "/v0/images/my_image_id").callback.Header("ESC-Status-Code"), "200");
}

TEST_F(DeploymentReferences, AnImageAndANetworkNamedByTheirVimUuids) {
    const auto image_uuid = ExternalIdOf("vnf-img");
    const auto network_uuid = ExternalIdOf("mgmt");
    ASSERT_FALSE(image_uuid.empty());
    ASSERT_FALSE(network_uuid.empty());
    ASSERT_NE(network_uuid, "mgmt");
    auto events = DeployOk("byuuid", OneVm("ten", image_uuid, "small", network_uuid));
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(XmlText(events[0].body, "ip_address").rfind("127.10.0.", 0), 0u)
        << "on mgmt's subnet: " << events[0].body;
    EXPECT_NE(ConfigOf("byuuid").find("<network>" + network_uuid + "</network>"),
              std::string::npos);
    ExpectError(client_->Delete("/v0/images/vnf-img", WithCallback()), 409,
                "used by deployment byuuid");
    ExpectError(client_->Delete("/v0/ten/networks/mgmt", WithCallback()), 409,
                "used by deployment byuuid");
}

TEST_F(DeploymentReferences, AFlavorAndANetworkNamedByTheirNames) {
    Mutate("POST", "/v0/flavors/flavor-2c",
           "<flavor><name>Medium</name><vcpus>2</vcpus><memory_mb>512</memory_mb></flavor>");
    Mutate("POST", "/v0/ten/networks/net-data",
           "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>Data Net</name>"
           "<shared>false</shared><admin_state_up>true</admin_state_up></network>");
    Mutate("POST", "/v0/ten/subnets/net-data-sub", SubnetBody("net-data", "127.32.0.0/24"));
    auto events = DeployOk("named", OneVm("ten", "vnf-img", "Medium", "Data Net"));
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(XmlText(events[0].body, "ip_address").rfind("127.32.0.", 0), 0u) << events[0].body;
    ExpectError(client_->Delete("/v0/flavors/flavor-2c", WithCallback()), 409,
                "used by deployment named");
    ExpectError(client_->Delete("/v0/ten/networks/net-data", WithCallback()), 409,
                "used by deployment named");
    const auto config = ConfigOf("named");
    EXPECT_NE(config.find("<flavor>Medium</flavor>"), std::string::npos) << config;
    EXPECT_NE(config.find("<network>Data Net</network>"), std::string::npos) << config;
}

TEST_F(DeploymentReferences, ANameOfSeveralIsA400NamingThemAndNothingIsStored) {
    AddImage("img-a", "twin");
    AddImage("img-b", "twin");
    const auto before = Count("resources");
    ExpectError(client_->Post("/v0/deployments/d", Datamodel("ten", "twin", 1), WithCallback()),
                400, "vm_group g1 image names image twin, which is ambiguous");
    ExpectError(client_->Post("/v0/deployments/d", Datamodel("ten", "twin", 1), WithCallback()),
                400, "img-a, img-b");
    EXPECT_EQ(Count("resources"), before);
    // By its internal id either is fine.
    DeployOk("d", Datamodel("ten", "img-b", 1));
}

TEST_F(DeploymentReferences, WhatNothingMatchesIsStillA404) {
    const auto before = Count("resources");
    ExpectError(client_->Post("/v0/deployments/d", Datamodel("ten", "ghost-image"), WithCallback()),
                404, "vm_group g1 image names image ghost-image, which does not exist");
    ExpectError(client_->Post("/v0/deployments/d", OneVm("ten", "vnf-img", "small", "Ghost Net"),
                              WithCallback()),
                404, "network Ghost Net, which does not exist in tenant ten");
    // Another tenant's network is not this tenant's, by name no more than by id.
    CreateTenantAndWait("other");
    Mutate("POST", "/v0/other/networks/theirs",
           "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>Their Net</name>"
           "<shared>false</shared><admin_state_up>true</admin_state_up></network>");
    ExpectError(client_->Post("/v0/deployments/d", OneVm("ten", "vnf-img", "small", "Their Net"),
                              WithCallback()),
                404, "network Their Net, which does not exist in tenant ten");
    EXPECT_EQ(Count("resources"), before + 2);  // the tenant and its network, nothing else
}

TEST_F(DeploymentReferences, AnInternalIdWinsOverTheSameTextAsAnotherImagesName) {
    AddImage("alpha", "first");
    AddImage("beta", "alpha");  // named like the other's internal id
    DeployOk("order", Datamodel("ten", "alpha", 1));
    EXPECT_EQ(Count("deployment_refs WHERE deployment_id = 'order' AND kind = 'image'"), 1);
    ExpectError(client_->Delete("/v0/images/alpha", WithCallback()), 409,
                "used by deployment order");
    EXPECT_EQ(Mutate("DELETE", "/v0/images/beta").callback.Header("ESC-Status-Code"), "200");
}

TEST_F(DeploymentReferences, AnUpdateComparesWhatReferencesMeanNotTheirText) {
    AddImage("my_image_id", "uLinuxImg");
    AddImage("other_image", "otherImg");
    DeployOk("upd", Datamodel("ten", "uLinuxImg", 1));
    const auto put = [&](const std::string& image, int count) {
        return client_->Put("/v0/deployments/upd", Datamodel("ten", image, count), WithCallback());
    };
    // Another image, by name: a change of image (a rolling upgrade, which one VM under
    // min_active 1 cannot have), as by internal id.
    ExpectError(put("otherImg", 1), 400, "vm_group g1: another image is a rolling upgrade");
    ExpectError(put("ghost-image", 1), 400, "vm_group g1: another image is a rolling upgrade");
    // The same image by its internal id: no change, so the scale-out goes ahead.
    auto same = put("my_image_id", 2);
    ASSERT_EQ(same.status, 200) << same.body;
    auto events = CallbacksOf(same.Header("ESC-Transaction-Id"), 3);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_UPDATED"}));
    EXPECT_EQ(events[2].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(Count("vms WHERE deployment_id = 'upd'"), 2);
    EXPECT_NE(ConfigOf("upd").find("<image>my_image_id</image>"), std::string::npos);
    ExpectError(client_->Delete("/v0/images/my_image_id", WithCallback()), 409,
                "used by deployment upd");
    // And by name again.
    auto back = put("uLinuxImg", 1);
    ASSERT_EQ(back.status, 200) << back.body;
    ASSERT_EQ(CallbacksOf(back.Header("ESC-Transaction-Id"), 2).size(), 2u);
    EXPECT_NE(ConfigOf("upd").find("<image>uLinuxImg</image>"), std::string::npos);
}

TEST_F(DeploymentReferences, AnUpdateKeepsWhatANameMeantWhenAnotherImageTakesIt) {
    AddImage("my_image_id", "uLinuxImg");
    DeployOk("kept", Datamodel("ten", "uLinuxImg", 1));
    AddImage("newer_image", "uLinuxImg");
    // A new deployment cannot tell the two apart ...
    ExpectError(
        client_->Post("/v0/deployments/fresh", Datamodel("ten", "uLinuxImg", 1), WithCallback()),
        400, "my_image_id, newer_image");
    // ... but the update of one that named it keeps meaning the image it was deployed on.
    auto put =
        client_->Put("/v0/deployments/kept", Datamodel("ten", "uLinuxImg", 2), WithCallback());
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(Stages(CallbacksOf(put.Header("ESC-Transaction-Id"), 3)).back(), "SERVICE_UPDATED");
    EXPECT_EQ(Mutate("DELETE", "/v0/images/newer_image").callback.Header("ESC-Status-Code"), "200");
    ExpectError(client_->Delete("/v0/images/my_image_id", WithCallback()), 409,
                "used by deployment kept");
}

}  // namespace
}  // namespace escd::test
