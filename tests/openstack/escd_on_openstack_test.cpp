// escd with an OPENSTACK VIM connector as its default VIM, against the real control plane
// (tests/openstack/up.sh): every resource route makes and removes the real Keystone, Neutron,
// Glance, Nova and Cinder objects, and a deployment runs its VMs as Nova servers (the fake
// driver: servers answer no ping, so the groups have no ICMPPing KPI and are alive when Nova
// says ACTIVE). Each check reads OpenStack's own API, as the escd user.

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <boost/json.hpp>

#include "tests/integration/deployment_fixture.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/session.hpp"

namespace escd::test {
namespace {
namespace json = boost::json;
using vim::openstack::ApiResponse;

class OnOpenStack : public DeploymentTest {
  protected:
    OnOpenStack()
        : tls_(ssl::context::tls_client),
          client_os_(tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8")),
          session_(client_os_, TestCredentials()) {
        // Servers are listed often, so that the tests wait less for Nova's state.
        escd_args_ = {"--openstack.poll_ms=300"};
    }

    void SetUp() override {
        if (auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        ResourceTest::SetUp();
        if (HasFatalFailure()) return;
        const auto c = TestCredentials();
        auto connector =
            Mutate("POST", "/v0/vims",
                   "<vim_connector><id>os</id><type>OPENSTACK</type><properties>"
                   "<property><name>os_auth_url</name><value>" +
                       c.auth_url +
                       "</value></property>"
                       "<property><name>os_project_name</name><value>" +
                       c.project +
                       "</value></property>"
                       "<property><name>os_project_domain_name</name><value>" +
                       c.project_domain +
                       "</value></property><property><name>os_user_domain_name</name><value>" +
                       c.user_domain + "</value></property></properties></vim_connector>");
        ASSERT_EQ(connector.callback.Header("ESC-Status-Code"), "200");
        auto user =
            Mutate("POST", "/v0/vims/os/vim_users",
                   "<vim_user><id>" + c.user +
                       "</id><credentials><properties>"
                       "<property><name>os_password</name><value>" +
                       c.password + "</value></property></properties></credentials></vim_user>");
        ASSERT_EQ(user.callback.Header("ESC-Status-Code"), "200");
        auto made_default =
            Mutate("POST", "/v0/vims/default_vim_connector",
                   "<default_vim_connector><defaultVimConnectorId>os</defaultVimConnectorId>"
                   "</default_vim_connector>");
        ASSERT_EQ(made_default.callback.Header("ESC-Status-Code"), "200");
    }

    /// GET `path` of OpenStack service `service` as the escd user (404 is an answer).
    ApiResponse Os(const std::string& service, const std::string& path) {
        const std::set<int> accepted{404};
        return RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::get, path, std::string(), accepted); });
    }

    /// Field `key` of object `kind` in a JSON answer ({"network": {...}}).
    static std::string Field(const ApiResponse& answer, const char* kind, const char* key) {
        auto value = json::parse(answer.body);
        const auto& object = value.as_object().at(kind).as_object();
        const auto* field = object.if_contains(key);
        if (!field) return "<absent>";
        if (field->is_string()) return std::string(field->as_string());
        return json::serialize(*field);
    }

    /// A file under escd's files root, as a file:// URL.
    std::string LocalFile(const std::string& name, std::size_t size) {
        auto dir = std::filesystem::path(escd_->data_dir()) / "files";
        std::filesystem::create_directories(dir);
        std::ofstream out(dir / name, std::ios::binary);
        for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>(i * 131 % 251));
        return "file://" + (dir / name).string();
    }

    /// POSTs `object` as {kind: object} to `path` of `service`; its id.
    std::string Make(const std::string& service,
                     const std::string& path,
                     const std::string& kind,
                     json::object object) {
        json::object body{{kind, std::move(object)}};
        auto answer = RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::post, path, json::serialize(body)); });
        return std::string(json::parse(answer.body).at(kind).at("id").as_string());
    }
    void Remove(const std::string& service, const std::string& path) {
        const std::set<int> gone{404};
        RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::delete_, path, std::string(), gone); });
    }
    /// A Glance image named `name` holding a few bytes, active; its id.
    std::string UploadImage(const std::string& name) {
        auto answer = RunNow<ApiResponse>([&] {
            json::object body{{"name", name}, {"disk_format", "raw"}, {"container_format", "bare"}};
            return session_.Call("image", http::verb::post, "/v2/images", json::serialize(body));
        });
        const std::string id(json::parse(answer.body).at("id").as_string());
        const auto file = std::filesystem::path(escd_->data_dir()) / ("upload-" + name);
        std::ofstream(file) << std::string(4096, 'i');
        RunNow<ApiResponse>([&] {
            return session_.CallWithFile("image", http::verb::put, "/v2/images/" + id + "/file",
                                         file.string(), "application/octet-stream");
        });
        return id;
    }

    ssl::context tls_;
    vim::openstack::ApiClient client_os_;
    vim::openstack::Session session_;
    const std::string id_ = UniqueSuffix();
};

TEST_F(OnOpenStack, EveryResourceRouteMakesAndRemovesTheRealObject) {
    const auto t = "t" + id_;
    auto tenant = Mutate("POST", "/v0/tenants/" + t, TenantBody(t));
    ExpectSuccess(tenant.callback, "CREATE_TENANT", "Tenant successfully created");
    const auto project = XmlText(tenant.callback.body, "external_tenant_id");
    ASSERT_FALSE(project.empty()) << tenant.callback.body;
    EXPECT_EQ(Os("identity", "/projects/" + project).status, 200) << "a Keystone project";

    auto net = Mutate("POST", "/v0/" + t + "/networks/n" + id_, NetworkBody("n" + id_));
    ExpectSuccess(net.callback, "CREATE_NETWORK", "Network successfully created");
    const auto network = XmlText(net.callback.body, "external_network_id");
    auto os_net = Os("network", "/v2.0/networks/" + network);
    ASSERT_EQ(os_net.status, 200) << network;
    EXPECT_EQ(Field(os_net, "network", "name"), "escd-n" + id_);

    auto sub =
        Mutate("POST", "/v0/" + t + "/subnets/s" + id_, SubnetBody("n" + id_, "192.0.2.0/24"));
    ExpectSuccess(sub.callback, "CREATE_SUBNET", "Subnet successfully created");
    const auto subnet = XmlText(sub.callback.body, "external_subnet_id");
    auto os_sub = Os("network", "/v2.0/subnets/" + subnet);
    ASSERT_EQ(os_sub.status, 200) << sub.callback.body;
    EXPECT_EQ(Field(os_sub, "subnet", "cidr"), "192.0.2.0/24");
    EXPECT_EQ(Field(os_sub, "subnet", "network_id"), network);

    auto router = Mutate("POST", "/v0/" + t + "/routers/r" + id_,
                         "<router><name>r</name><admin_state>true</admin_state><interface>"
                         "<subnet>s" +
                             id_ + "</subnet></interface></router>");
    ExpectSuccess(router.callback, "CREATE_ROUTER", "Router successfully created");
    const auto router_id = XmlText(router.callback.body, "external_router_id");
    ASSERT_EQ(Os("network", "/v2.0/routers/" + router_id).status, 200) << router.callback.body;
    auto router_ports = Os("network", "/v2.0/ports?device_id=" + router_id);
    EXPECT_NE(router_ports.body.find(subnet), std::string::npos) << "an interface on the subnet";

    auto image = Mutate("POST", "/v0/images/i" + id_,
                        "<image><name>img</name><src>" + LocalFile("img.raw", 3 << 20) +
                            "</src><disk_format>raw</disk_format></image>");
    ExpectSuccess(image.callback, "CREATE_IMAGE", "Image successfully created");
    const auto image_id = XmlText(image.callback.body, "external_image_id");
    auto os_image = Os("image", "/v2/images/" + image_id);
    ASSERT_EQ(os_image.status, 200) << image.callback.body;
    EXPECT_NE(os_image.body.find("\"status\": \"active\""), std::string::npos) << os_image.body;
    EXPECT_NE(os_image.body.find("\"size\": 3145728"), std::string::npos) << os_image.body;

    auto flavor = Mutate("POST", "/v0/flavors/f" + id_,
                         "<flavor><name>f</name><vcpus>2</vcpus><memory_mb>256</memory_mb>"
                         "<root_disk_mb>1024</root_disk_mb></flavor>");
    ExpectSuccess(flavor.callback, "CREATE_FLAVOR", "Flavor successfully created");
    const auto flavor_id = XmlText(flavor.callback.body, "external_flavor_id");
    auto os_flavor = Os("compute", "/flavors/" + flavor_id);
    ASSERT_EQ(os_flavor.status, 200) << flavor.callback.body;
    EXPECT_EQ(Field(os_flavor, "flavor", "vcpus"), "2");

    auto volume = Mutate("POST", "/v0/" + t + "/volumes/v" + id_,
                         "<volume><name>data</name><size>1</size><sizeunit>GiB</sizeunit>"
                         "<bus>virtio</bus></volume>");
    ExpectSuccess(volume.callback, "CREATE_VOLUME", "Volume successfully created");
    const auto volume_id = XmlText(volume.callback.body, "external_volume_id");
    auto os_volume = Os("volumev3", "/volumes/" + volume_id);
    ASSERT_EQ(os_volume.status, 200) << volume.callback.body;
    EXPECT_EQ(Field(os_volume, "volume", "status"), "available");

    // And every delete removes it from OpenStack.
    ExpectSuccess(Mutate("DELETE", "/v0/" + t + "/volumes/v" + id_).callback, "DELETE_VOLUME",
                  "Volume successfully deleted");
    EXPECT_EQ(Os("volumev3", "/volumes/" + volume_id).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/flavors/f" + id_).callback, "DELETE_FLAVOR",
                  "Flavor successfully deleted");
    EXPECT_EQ(Os("compute", "/flavors/" + flavor_id).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/images/i" + id_).callback, "DELETE_IMAGE",
                  "Image successfully deleted");
    EXPECT_EQ(Os("image", "/v2/images/" + image_id).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/" + t + "/routers/r" + id_).callback, "DELETE_ROUTER",
                  "Router successfully deleted");
    EXPECT_EQ(Os("network", "/v2.0/routers/" + router_id).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/" + t + "/subnets/s" + id_).callback, "DELETE_SUBNET",
                  "Subnet successfully deleted");
    EXPECT_EQ(Os("network", "/v2.0/subnets/" + subnet).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/" + t + "/networks/n" + id_).callback, "DELETE_NETWORK",
                  "Network successfully deleted");
    EXPECT_EQ(Os("network", "/v2.0/networks/" + network).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/tenants/" + t).callback, "DELETE_TENANT",
                  "Tenant successfully deleted");
    EXPECT_EQ(Os("identity", "/projects/" + project).status, 404);
}

/// Nova's servers named `name` (JSON list of GET /servers/detail?name=^name$).
class OnOpenStackDeployment : public OnOpenStack {
  protected:
    void SetUp() override {
        OnOpenStack::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        tenant_ = "t" + id_;
        ExpectSuccess(Mutate("POST", "/v0/tenants/" + tenant_, TenantBody(tenant_)).callback,
                      "CREATE_TENANT", "Tenant successfully created");
        Mutate("POST", "/v0/" + tenant_ + "/networks/net" + id_, NetworkBody("net" + id_));
        Mutate("POST", "/v0/" + tenant_ + "/subnets/sub" + id_,
               SubnetBody("net" + id_, "192.0.2.0/24"));
        Mutate("POST", "/v0/images/img" + id_,
               "<image><name>vnf</name><src>" + LocalFile("vnf.raw", 1 << 20) +
                   "</src><disk_format>raw</disk_format></image>");
        Mutate("POST", "/v0/flavors/fl" + id_,
               "<flavor><name>small</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>");
    }

    /// The reference's example shape: one group of `count` VMs on the network, no ICMPPing KPI
    /// (fake servers answer no ping: alive when Nova says ACTIVE).
    std::string Datamodel(const std::string& name, int count, const std::string& extra = {}) const {
        const auto group =
            "<vm_group><name>g1</name><image>img" + id_ + "</image><flavor>fl" + id_ +
            "</flavor><bootup_time>120</bootup_time><recovery_wait_time>0"
            "</recovery_wait_time><interfaces><interface><nicid>0</nicid>"
            "<network>net" +
            id_ +
            "</network></interface></interfaces><scaling>"
            "<min_active>" +
            std::to_string(count) + "</min_active><max_active>" + std::to_string(count) +
            "</max_active><elastic>false</elastic>"
            "</scaling>" +
            extra + "</vm_group>";
        return DatamodelOf(tenant_, name, group);
    }

    /// The server of escd's VM `vm` as Nova lists it (null when none).
    json::value Server(const std::string& vm) {
        auto answer = Os("compute", "/servers/detail?name=%5E" + vm + "%24");
        auto servers = json::parse(answer.body).as_object().at("servers").as_array();
        for (const auto& server : servers)
            if (server.as_object().at("name").as_string() == vm) return server;
        return nullptr;
    }

    static std::string Status(const json::value& server) {
        return server.is_null() ? "<none>" : std::string(server.at("status").as_string());
    }

    /// Whether a callback of transaction `tx` with deployment_stage `stage` arrives (whatever
    /// comes before it, a restarted escd's resent callbacks included).
    bool WaitForStage(const std::string& tx, const std::string& stage) {
        for (std::size_t seen = 1;; ++seen) {
            auto delivered = receiver_.WaitForDelivered(seen, kCallbackWait);
            if (delivered.size() < seen) return false;  // nothing more came in time
            const auto& cb = delivered[seen - 1];
            if (cb.Header("ESC-Transaction-Id") == tx &&
                XmlText(cb.body, "deployment_stage") == stage)
                return true;
        }
    }

    /// Glance's and Nova's ids of the fixture's image and flavor.
    std::string ImageId() {
        return std::string(json::parse(Os("image", "/v2/images?name=escd-img" + id_).body)
                               .at("images")
                               .as_array()
                               .at(0)
                               .at("id")
                               .as_string());
    }
    std::string FlavorId() {
        const auto flavors = json::parse(Os("compute", "/flavors?is_public=None").body);
        for (const auto& flavor : flavors.at("flavors").as_array())
            if (flavor.at("name").as_string() == "escd-fl" + id_)
                return std::string(flavor.at("id").as_string());
        return {};
    }

    std::string tenant_;
};

TEST_F(OnOpenStackDeployment, TheDeploymentRunsAsNovaServersThroughItsWholeLife) {
    const auto dep = "d" + id_;
    auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 2), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 5);
    ASSERT_EQ(Stages(deployed), (std::vector<std::string>{"VM_DEPLOYED", "VM_DEPLOYED", "VM_ALIVE",
                                                          "VM_ALIVE", "SERVICE_ALIVE"}));
    for (const auto& cb : deployed) EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
    const auto vm0 = XmlText(deployed[0].body, "vm_name");
    const auto vm1 = XmlText(deployed[1].body, "vm_name");

    // Each VM is a Nova server, ACTIVE, with escd's ids and a port holding escd's address.
    for (const auto* cb : {&deployed[0], &deployed[1]}) {
        const auto vm = XmlText(cb->body, "vm_name");
        auto server = Server(vm);
        ASSERT_FALSE(server.is_null()) << vm;
        EXPECT_EQ(Status(server), "ACTIVE");
        EXPECT_EQ(std::string(server.at("id").as_string()), XmlText(cb->body, "vm_uuid"));
        EXPECT_EQ(server.at("metadata").at("escd_deployment").as_string(), dep);
        EXPECT_EQ(server.at("config_drive").as_string(), "True");
        const auto ports =
            Os("network", "/v2.0/ports?device_id=" + std::string(server.at("id").as_string()));
        EXPECT_NE(ports.body.find(XmlText(cb->body, "ip_address")), std::string::npos)
            << ports.body;
        EXPECT_NE(ports.body.find(XmlText(cb->body, "mac_address")), std::string::npos)
            << ports.body;
    }

    const auto service_op = [&](const std::string& operation) {
        return client_->Post(
            "/v0/" + tenant_ + "/deployments/service/" + dep,
            "<service_operation><operation>" + operation + "</operation></service_operation>",
            WithCallback());
    };
    auto stop = service_op("stop");
    ASSERT_EQ(stop.status, 200) << stop.body;
    EXPECT_EQ(Stages(CallbacksOf(stop.Header("ESC-Transaction-Id"), 3)),
              (std::vector<std::string>{"VM_STOPPED", "VM_STOPPED", "SERVICE_STOPPED"}));
    EXPECT_EQ(Status(Server(vm0)), "SHUTOFF");
    EXPECT_EQ(Status(Server(vm1)), "SHUTOFF");
    auto start = service_op("start");
    ASSERT_EQ(start.status, 200) << start.body;
    EXPECT_EQ(Stages(CallbacksOf(start.Header("ESC-Transaction-Id"), 5)),
              (std::vector<std::string>{"VM_STARTED", "VM_STARTED", "VM_ALIVE", "VM_ALIVE",
                                        "SERVICE_STARTED"}));
    EXPECT_EQ(Status(Server(vm0)), "ACTIVE");

    auto reboot =
        client_->Post("/v0/" + tenant_ + "/deployments/vm/" + vm0,
                      "<vm_operation><operation>reboot</operation></vm_operation>", WithCallback());
    ASSERT_EQ(reboot.status, 200) << reboot.body;
    auto rebooted = CallbacksOf(reboot.Header("ESC-Transaction-Id"), 2);
    ASSERT_EQ(rebooted.size(), 2u);
    EXPECT_EQ(XmlText(rebooted[0].body, "event_type"), "VM_REBOOT_COMPLETE");
    EXPECT_EQ(rebooted[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(Status(Server(vm0)), "ACTIVE");

    // Undeploy: no server and no port of escd's is left.
    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    auto removed = CallbacksOf(del.Header("ESC-Transaction-Id"), 3);
    ASSERT_EQ(Stages(removed),
              (std::vector<std::string>{"VM_UNDEPLOYED", "VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(Server(vm0).is_null());
    EXPECT_TRUE(Server(vm1).is_null());
    EXPECT_EQ(Os("network", "/v2.0/ports?name=escd-" + vm0 + "-nic0").body.find(vm0),
              std::string::npos)
        << "the VM's port is gone";
}

TEST_F(OnOpenStackDeployment, AServerDeletedBehindEscdsBackIsRecovered) {
    const auto dep = "r" + id_;
    auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 1), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    auto deployed = CallbacksOf(tx, 3);
    ASSERT_EQ(Stages(deployed),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    const auto vm = XmlText(deployed[0].body, "vm_name");
    const auto first = Server(vm);
    ASSERT_FALSE(first.is_null());
    const std::string first_id(first.at("id").as_string());

    // Deleted through Nova, not through escd: the poll sees it vanish, escd heals it.
    const std::set<int> gone{404};
    RunNow<ApiResponse>([&] {
        return session_.Call("compute", http::verb::delete_, "/servers/" + first_id, std::string(),
                             gone);
    });
    std::vector<std::string> stages;
    for (std::size_t more = 1; more <= 8; ++more) {
        stages.clear();
        auto all = receiver_.WaitForDelivered(expected_callbacks_ + more, kCallbackWait);
        for (std::size_t i = expected_callbacks_; i < all.size(); ++i)
            stages.push_back(XmlText(all[i].body, "deployment_stage"));
        if (std::find(stages.begin(), stages.end(), "VM_RECOVERY_COMPLETE") != stages.end()) break;
    }
    EXPECT_NE(std::find(stages.begin(), stages.end(), "VM_RECOVERY_INIT"), stages.end());
    EXPECT_NE(std::find(stages.begin(), stages.end(), "VM_RECOVERY_COMPLETE"), stages.end());
    const auto healed = Server(vm);
    ASSERT_FALSE(healed.is_null()) << "the VM is a server again";
    EXPECT_EQ(Status(healed), "ACTIVE");
    EXPECT_NE(std::string(healed.at("id").as_string()), first_id);
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/" + dep).body, "service_state_machine_state"),
              "SERVICE_ACTIVE_STATE");

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
    EXPECT_TRUE(Server(vm).is_null());
}

TEST_F(OnOpenStackDeployment, AfterAKillMidDeployEachVmIsOneServerAndNothingLeaks) {
    const auto dep = "k" + id_;
    const auto instance = db_.Query(
                                 "SELECT value FROM settings WHERE key = "
                                 "'escd.instance_id'")[0][0]
                              .as<std::string>();
    auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 3), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    // Killed while its servers are being made: once Nova has accepted the first.
    ASSERT_TRUE(escd_->WaitForLog("created Nova server", 1, std::chrono::seconds(60)));
    escd_->Kill();

    // A server of this installation that escd has no record of (its metadata says it is
    // escd's): the restart removes it.
    const std::string stray_name = "stray" + id_;
    json::object stray{
        {"server", json::object{{"name", stray_name},
                                {"imageRef", ImageId()},
                                {"flavorRef", FlavorId()},
                                {"networks", "none"},
                                {"metadata", json::object{{"escd_instance", instance}}}}}};
    RunNow<ApiResponse>([&] {
        return session_.Call("compute", http::verb::post, "/servers", json::serialize(stray));
    });
    StartEscd();

    ASSERT_TRUE(WaitForStage(tx, "SERVICE_ALIVE"));
    ASSERT_TRUE(escd_->WaitForLog("is on the VIM but escd has no record of it", 1, kCallbackWait));

    // Exactly one server per VM, each with exactly its one port; the stray is gone.
    const auto got = client_->Get("/v0/deployments/" + dep).body;
    EXPECT_EQ(XmlText(got, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
    auto all = json::parse(Os("compute", "/servers/detail").body).at("servers").as_array();
    std::map<std::string, int> servers;
    for (const auto& server : all) {
        const auto* metadata = server.at("metadata").as_object().if_contains("escd_instance");
        if (metadata && metadata->as_string() == instance)
            ++servers[std::string(server.at("name").as_string())];
    }
    EXPECT_EQ(servers.size(), 3u) << json::serialize(all);
    for (const auto& [name, count] : servers) {
        EXPECT_EQ(count, 1) << name;
        EXPECT_NE(name.find(dep), std::string::npos) << "not the stray: " << name;
        const auto ports =
            json::parse(Os("network", "/v2.0/ports?description=escd-vm%3A" + name).body);
        EXPECT_EQ(ports.at("ports").as_array().size(), 1u) << name;
    }

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
    EXPECT_EQ(Os("compute", "/servers/detail").body.find(instance), std::string::npos)
        << "no server of this escd is left";
}

/// escd's own libvirt VIM stays the default: resources go there; a vm_group whose locator names
/// the OpenStack connector runs its VMs on Nova, on the VIM's own image, flavor and network of
/// the names the deployment uses.
TEST_F(OnOpenStack, AGroupRunsOnTheVimItsLocatorNames) {
    Mutate("POST", "/v0/vims/default_vim_connector",
           "<default_vim_connector><defaultVimConnectorId>default_libvirt_vim"
           "</defaultVimConnectorId></default_vim_connector>");
    const auto t = "t" + id_, net = "mnet" + id_, img = "mimg" + id_, fl = "mfl" + id_;
    CreateTenantAndWait(t);
    Mutate("POST", "/v0/" + t + "/networks/" + net, NetworkBody(net));
    Mutate("POST", "/v0/" + t + "/subnets/s" + id_, SubnetBody(net, "192.0.2.0/24"));
    Mutate("POST", "/v0/images/" + img,
           "<image><name>i</name><src>" + LocalFile("m.raw", 4096) + "</src></image>");
    Mutate("POST", "/v0/flavors/" + fl,
           "<flavor><name>f</name><vcpus>1</vcpus><memory_mb>128</memory_mb></flavor>");
    EXPECT_EQ(Os("network", "/v2.0/networks?name=escd-" + net).body.find(net), std::string::npos)
        << "the default VIM (libvirt) made the network, not OpenStack";

    // The OpenStack VIM's own objects of those names, made by its administrator.
    const auto os_net = Make("network", "/v2.0/networks", "network", json::object{{"name", net}});
    Make("network", "/v2.0/subnets", "subnet",
         json::object{{"name", "s" + id_},
                      {"network_id", os_net},
                      {"ip_version", 4},
                      {"cidr", "192.0.2.0/24"}});
    const auto os_flavor =
        Make("compute", "/flavors", "flavor",
             json::object{{"name", fl}, {"ram", 128}, {"vcpus", 1}, {"disk", 0}});
    const auto os_image = UploadImage(img);

    const auto dep = "m" + id_;
    const auto group = "<vm_group><name>g1</name><locator><vim_id>os</vim_id></locator><image>" +
                       img + "</image><flavor>" + fl +
                       "</flavor><bootup_time>120</bootup_time>"
                       "<interfaces><interface><nicid>0</nicid><network>" +
                       net +
                       "</network></interface></interfaces><scaling><min_active>1</min_active>"
                       "<max_active>1</max_active></scaling></vm_group>";
    auto post = client_->Post("/v0/deployments/" + dep, DatamodelOf(t, dep, group), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
    ASSERT_EQ(Stages(deployed),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    const auto vm = XmlText(deployed[0].body, "vm_name");
    auto servers = json::parse(Os("compute", "/servers/detail?name=%5E" + vm + "%24").body);
    ASSERT_EQ(servers.at("servers").as_array().size(), 1u) << "the VM is a Nova server";
    const auto& server = servers.at("servers").as_array()[0];
    EXPECT_EQ(server.at("image").at("id").as_string(), os_image);
    EXPECT_EQ(std::string(server.at("id").as_string()), XmlText(deployed[0].body, "vm_uuid"));

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    EXPECT_EQ(Stages(CallbacksOf(del.Header("ESC-Transaction-Id"), 2)),
              (std::vector<std::string>{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_EQ(json::parse(Os("compute", "/servers/detail?name=%5E" + vm + "%24").body)
                  .at("servers")
                  .as_array()
                  .size(),
              0u);
    Remove("image", "/v2/images/" + os_image);
    Remove("compute", "/flavors/" + os_flavor);
    Remove("network", "/v2.0/networks/" + os_net);
}

TEST_F(OnOpenStackDeployment, AGroupWhosePingTargetIsExcludedIsAliveWhenNovaRunsIt) {
    // The ICMPPing KPI's target is on the tenant network (192.0.2.0/24), outside escd's
    // monitor.allowed_cidrs (loopback): never pinged, the VIM's word decides.
    const auto dep = "p" + id_;
    auto post =
        client_->Post("/v0/deployments/" + dep, Datamodel(dep, 1, IcmpAliveKpi()), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
    ASSERT_EQ(Stages(deployed),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    EXPECT_EQ(deployed[2].Header("ESC-Status-Code"), "200");
    EXPECT_NE(escd_->Log().find("is not pinged (outside monitor.allowed_cidrs"), std::string::npos);
    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
}

TEST_F(OnOpenStackDeployment, AGroupsAffinityIsANovaServerGroupThatGoesWithIt) {
    const auto dep = "a" + id_;
    const std::string rule =
        "<placement><type>affinity</type><enforcement>strict</enforcement></placement>";
    auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 2, rule), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 5);
    ASSERT_EQ(Stages(deployed).back(), "SERVICE_ALIVE");
    const auto groups = json::parse(Os("compute", "/os-server-groups").body);
    json::value mine = nullptr;
    for (const auto& group : groups.at("server_groups").as_array())
        if (group.at("name").as_string() == "escd-" + dep + "-g1") mine = group;
    ASSERT_FALSE(mine.is_null()) << json::serialize(groups);
    EXPECT_EQ(mine.at("policy").as_string(), "affinity");
    std::set<std::string> members;
    for (const auto& member : mine.at("members").as_array())
        members.insert(std::string(member.as_string()));
    EXPECT_EQ(members, (std::set<std::string>{XmlText(deployed[0].body, "vm_uuid"),
                                              XmlText(deployed[1].body, "vm_uuid")}));

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
    const std::string id(mine.at("id").as_string());
    EXPECT_EQ(Os("compute", "/os-server-groups/" + id).status, 404) << "gone with its servers";
}

}  // namespace
}  // namespace escd::test
