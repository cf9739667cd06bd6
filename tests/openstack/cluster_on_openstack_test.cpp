// Two escd nodes on one database and one OpenStack (docs/cluster.md, "A shared VIM"). What a node
// remembers of the VIM (the OpenStack ids of escd's networks, images, flavors and tenants) is a
// cache of its own: another node that removes such an object and makes it again must not leave
// the first one using an id the VIM no longer has.

#include "tests/openstack/on_openstack.hpp"

namespace escd::test {
namespace {

class TwoNodesOnOpenStack : public OnOpenStackDeployment {
  protected:
    void SetUp() override {
        OnOpenStackDeployment::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        // A node of its own name; the image files both nodes may read are the first one's
        // (a cluster's nodes share their file sources, as they share the VIM).
        const auto files = std::filesystem::path(escd_->data_dir()) / "files";
        other_ = std::make_unique<EscdProcess>(OptionsFor({"--files.root=" + files.string()}));
        other_client_.emplace(other_->Client());
    }

    // Deploys one VM as `name` through `via` and awaits SERVICE_ALIVE; its first callback.
    ReceivedRequest DeployAlive(HttpClient& via, const std::string& name) {
        auto post = via.Post("/v0/deployments/" + name, Datamodel(name, 1), WithCallback());
        EXPECT_EQ(post.status, 200) << post.body;
        auto deployed = Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE");
        EXPECT_EQ(Stages(deployed),
                  (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return deployed.empty() ? ReceivedRequest{} : deployed.front();
    }

    // Neutron's network of VM `vm`'s first port ("" when it has none).
    std::string NetworkOf(const std::string& vm) {
        const auto server = Server(vm);
        if (server.is_null()) return {};
        const auto ports = json::parse(
            Os("network", "/v2.0/ports?device_id=" + std::string(server.at("id").as_string()))
                .body);
        const auto& list = ports.at("ports").as_array();
        return list.empty() ? std::string() : std::string(list[0].at("network_id").as_string());
    }

    void Undeploy(const std::string& name) {
        auto del = client_->Delete("/v0/deployments/" + name, WithCallback());
        ASSERT_EQ(del.status, 200) << del.body;
        const auto stages = Stages(Through(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
        ASSERT_FALSE(stages.empty()) << "no callback of the undeploy";
        EXPECT_EQ(stages.back(), "SERVICE_UNDEPLOYED");
    }

    std::unique_ptr<EscdProcess> other_;
    std::optional<HttpClient> other_client_;
};

TEST_F(TwoNodesOnOpenStack, ANetworkAndImageMadeAgainByOneNodeServeTheOthersNextDeployment) {
    // The first node deploys, and so learns the network's and the image's OpenStack ids.
    const auto first = DeployAlive(*client_, "a" + id_);
    ASSERT_FALSE(first.headers.empty());
    const auto old_network = NetworkOf(XmlText(first.body, "vm_name"));
    ASSERT_FALSE(old_network.empty());
    Undeploy("a" + id_);

    // The other node removes both and makes them again: new ids on the VIM.
    auto& other = *other_client_;
    const auto net = "/v0/" + tenant_ + "/networks/net" + id_;
    const auto sub = "/v0/" + tenant_ + "/subnets/sub" + id_;
    const auto img = "/v0/images/img" + id_;
    for (const auto& path : {sub, net, img})
        EXPECT_EQ(MutateVia(other, "DELETE", path).callback.Header("ESC-Status-Code"), "200")
            << path;
    const auto remade = MutateVia(other, "POST", net, NetworkBody("net" + id_));
    const auto new_network = XmlText(remade.callback.body, "external_network_id");
    EXPECT_EQ(MutateVia(other, "POST", sub, SubnetBody("net" + id_, "192.0.2.0/24"))
                  .callback.Header("ESC-Status-Code"),
              "200");
    EXPECT_EQ(MutateVia(other, "POST", img,
                        "<image><name>vnf</name><src>" + LocalFile("vnf.raw", 1 << 20) +
                            "</src><disk_format>raw</disk_format></image>")
                  .callback.Header("ESC-Status-Code"),
              "200");
    ASSERT_FALSE(new_network.empty());
    ASSERT_NE(new_network, old_network);

    // The first node deploys again: on the new network, with the new image.
    const auto second = DeployAlive(*client_, "b" + id_);
    ASSERT_FALSE(second.headers.empty()) << escd_->Log();
    const auto vm = XmlText(second.body, "vm_name");
    EXPECT_EQ(Status(Server(vm)), "ACTIVE");
    EXPECT_EQ(NetworkOf(vm), new_network);
    Undeploy("b" + id_);
}

}  // namespace
}  // namespace escd::test
