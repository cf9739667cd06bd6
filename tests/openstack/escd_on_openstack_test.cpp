// escd with an OPENSTACK VIM connector as its default VIM, against the real control plane
// (tests/openstack/up.sh): every resource route makes and removes the real Keystone, Neutron,
// Glance, Nova and Cinder objects, and a deployment runs its VMs as Nova servers (the fake
// driver: servers answer no ping, so the groups have no ICMPPing KPI and are alive when Nova
// says ACTIVE). Each check reads OpenStack's own API, as the escd user.

#include <map>
#include <set>

#include "tests/openstack/on_openstack.hpp"
#include "tests/support/file_server.hpp"
#include "tests/support/reference_example.hpp"

namespace escd::test {
namespace {
using vim::openstack::ApiResponse;

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
    EXPECT_EQ(Field(os_net, "network", "project_id"), project) << "in the tenant's project";

    auto sub =
        Mutate("POST", "/v0/" + t + "/subnets/s" + id_, SubnetBody("n" + id_, "192.0.2.0/24"));
    ExpectSuccess(sub.callback, "CREATE_SUBNET", "Subnet successfully created");
    const auto subnet = XmlText(sub.callback.body, "external_subnet_id");
    auto os_sub = Os("network", "/v2.0/subnets/" + subnet);
    ASSERT_EQ(os_sub.status, 200) << sub.callback.body;
    EXPECT_EQ(Field(os_sub, "subnet", "cidr"), "192.0.2.0/24");
    EXPECT_EQ(Field(os_sub, "subnet", "network_id"), network);
    EXPECT_EQ(Field(os_sub, "subnet", "project_id"), project);

    auto router = Mutate("POST", "/v0/" + t + "/routers/r" + id_,
                         "<router><name>r</name><admin_state>true</admin_state><interface>"
                         "<subnet>s" +
                             id_ + "</subnet></interface></router>");
    ExpectSuccess(router.callback, "CREATE_ROUTER", "Router successfully created");
    const auto router_id = XmlText(router.callback.body, "external_router_id");
    const auto os_router = Os("network", "/v2.0/routers/" + router_id);
    ASSERT_EQ(os_router.status, 200) << router.callback.body;
    EXPECT_EQ(Field(os_router, "router", "project_id"), project);
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

TEST_F(OnOpenStackDeployment, TheDeploymentRunsAsNovaServersThroughItsWholeLife) {
    const auto dep = "d" + id_;
    auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 2), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    auto deployed = Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE");
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
        EXPECT_EQ(server.at("tenant_id").as_string(), project_) << "in the tenant's project";
        const auto ports =
            Os("network", "/v2.0/ports?device_id=" + std::string(server.at("id").as_string()));
        EXPECT_EQ(json::parse(ports.body).at("ports").at(0).at("project_id").as_string(), project_);
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
    EXPECT_EQ(Stages(Through(stop.Header("ESC-Transaction-Id"), "SERVICE_STOPPED")),
              (std::vector<std::string>{"VM_STOPPED", "VM_STOPPED", "SERVICE_STOPPED"}));
    EXPECT_EQ(Status(Server(vm0)), "SHUTOFF");
    EXPECT_EQ(Status(Server(vm1)), "SHUTOFF");
    auto start = service_op("start");
    ASSERT_EQ(start.status, 200) << start.body;
    EXPECT_EQ(Stages(Through(start.Header("ESC-Transaction-Id"), "SERVICE_STARTED")),
              (std::vector<std::string>{"VM_STARTED", "VM_STARTED", "VM_ALIVE", "VM_ALIVE",
                                        "SERVICE_STARTED"}));
    EXPECT_EQ(Status(Server(vm0)), "ACTIVE");

    auto reboot =
        client_->Post("/v0/" + tenant_ + "/deployments/vm/" + vm0,
                      "<vm_operation><operation>reboot</operation></vm_operation>", WithCallback());
    ASSERT_EQ(reboot.status, 200) << reboot.body;
    auto rebooted = Through(reboot.Header("ESC-Transaction-Id"), "VM_ALIVE");
    ASSERT_EQ(rebooted.size(), 2u);
    EXPECT_EQ(XmlText(rebooted[0].body, "event_type"), "VM_REBOOT_COMPLETE");
    EXPECT_EQ(rebooted[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(Status(Server(vm0)), "ACTIVE");

    // Undeploy: no server and no port of escd's is left.
    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    auto removed = Through(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED");
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
    auto deployed = Through(tx, "SERVICE_ALIVE");
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
        auto all = receiver_.WaitForDelivered(expected_callbacks_ + more, callback_wait_);
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
    ASSERT_TRUE(escd_->WaitForLog("is on the VIM but escd has no record of it", 1, callback_wait_));

    // Exactly one server per VM, each with exactly its one port; the stray is gone.
    const auto got = client_->Get("/v0/deployments/" + dep).body;
    EXPECT_EQ(XmlText(got, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
    auto all =
        json::parse(Os("compute", "/servers/detail?all_tenants=1").body).at("servers").as_array();
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
    EXPECT_EQ(Os("compute", "/servers/detail?all_tenants=1").body.find(instance), std::string::npos)
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
    auto deployed = Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE");
    ASSERT_EQ(Stages(deployed),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
    const auto vm = XmlText(deployed[0].body, "vm_name");
    const auto servers = ServersNamed(vm);
    ASSERT_EQ(servers.size(), 1u) << "the VM is a Nova server";
    const auto& server = servers[0];
    EXPECT_EQ(server.at("image").at("id").as_string(), os_image);
    EXPECT_EQ(std::string(server.at("id").as_string()), XmlText(deployed[0].body, "vm_uuid"));

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    EXPECT_EQ(Stages(Through(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED")),
              (std::vector<std::string>{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_EQ(ServersNamed(vm).size(), 0u);
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
    auto deployed = Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE");
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
    auto deployed = Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE");
    ASSERT_FALSE(deployed.empty());
    ASSERT_EQ(Stages(deployed).back(), "SERVICE_ALIVE");
    const auto groups = json::parse(Os("compute", "/os-server-groups?all_projects=True").body);
    json::value mine = nullptr;
    for (const auto& group : groups.at("server_groups").as_array())
        if (group.at("name").as_string() == "escd-" + dep + "-g1") mine = group;
    ASSERT_FALSE(mine.is_null()) << json::serialize(groups);
    EXPECT_EQ(mine.at("policy").as_string(), "affinity");
    EXPECT_EQ(mine.at("project_id").as_string(), project_) << "in the tenant's project";
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

// Nova's server diagnostics are the CPU and MEMORY metrics on OpenStack. The fake driver reports
// each vCPU 15% busy: "CPU GT 10" overloads the elastic group, which scales out to max_active.
TEST_F(OnOpenStackDeployment, NovasCpuFigureScalesAnElasticGroupOut) {
    const auto dep = "e" + id_;
    const auto group =
        "<vm_group><name>g1</name><image>img" + id_ + "</image><flavor>fl" + id_ +
        "</flavor><bootup_time>120</bootup_time><interfaces><interface><nicid>0</nicid>"
        "<network>net" +
        id_ +
        "</network></interface></interfaces><scaling><min_active>1</min_active>"
        "<max_active>2</max_active><elastic>true</elastic></scaling><kpi_data><kpi>"
        "<event_name>VM_OVERLOADED</event_name><metric_value>10</metric_value>"
        "<metric_cond>GT</metric_cond><metric_type>UINT32</metric_type><metric_collector>"
        "<type>CPU</type><nicid>0</nicid><poll_frequency>1</poll_frequency>"
        "<polling_unit>seconds</polling_unit><continuous_alarm>false</continuous_alarm>"
        "</metric_collector></kpi></kpi_data><rules><admin_rules><rule><event_name>"
        "VM_OVERLOADED</event_name><action>ALWAYS log</action><action>TRUE "
        "servicescaleup.sh</action></rule></admin_rules></rules></vm_group>";
    auto post =
        client_->Post("/v0/deployments/" + dep, DatamodelOf(tenant_, dep, group), WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    ASSERT_EQ(Stages(Through(post.Header("ESC-Transaction-Id"), "SERVICE_ALIVE")),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));

    // The scale out is an operation of its own: its transaction is the one of its first event.
    auto delivered = receiver_.WaitForDelivered(expected_callbacks_ + 1, callback_wait_);
    ASSERT_GT(delivered.size(), expected_callbacks_) << escd_->Log();
    const auto& first = delivered[expected_callbacks_];
    ASSERT_EQ(XmlText(first.body, "deployment_stage"), "VM_SCALE_OUT_INIT") << first.body;
    const auto out = Through(first.Header("ESC-Transaction-Id"), "VM_SCALE_OUT_COMPLETE");
    ASSERT_EQ(Stages(out), (std::vector<std::string>{"VM_SCALE_OUT_INIT", "VM_SCALE_OUT_DEPLOYED",
                                                     "VM_SCALE_OUT_COMPLETE"}))
        << escd_->Log();
    EXPECT_EQ(out.back().Header("ESC-Status-Code"), "200");
    ASSERT_TRUE(escd_->WaitForLog("has 2 VM(s), at its max_active", 1, callback_wait_))
        << escd_->Log();

    // Two servers of the deployment on Nova, both running.
    const auto listed = json::parse(Os("compute", "/servers/detail?all_tenants=1").body);
    int running = 0;
    for (const auto& server : listed.at("servers").as_array()) {
        const auto* owner = server.at("metadata").as_object().if_contains("escd_deployment");
        if (owner && owner->as_string() == dep && server.at("status").as_string() == "ACTIVE")
            ++running;
    }
    EXPECT_EQ(running, 2);

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
}

// The reference's POST /v0/deployments example on OpenStack, as written except: its addresses are
// on the test network (18.0.0.16 -> 192.0.2.16), its tenant and network carry this run's suffix
// (the plane has a project named admin of its own), MY_FILE_SERVER_IP is a file server on
// loopback, and it has no trunk or volume (ReferenceDeploymentBody). Its ICMPPing KPI's target is
// outside monitor.allowed_cidrs: alive when Nova runs it. The day-0 files reach the server's config
// drive.
TEST_F(OnOpenStack, TheReferenceExampleDeploysWithTheReferenceEvents) {
    FileServer files;
    files.Add("/share/images/day0-configASA", "hostname ASA\nip $NICID_1_IP_ADDRESS\n");
    files.Add("/share/images/asa-smart.config", "token\n");
    const auto tenant = "admin" + id_, net = "MgtNetwork" + id_;
    // Named as its id: a Keystone project is named as the tenant, and names are unique.
    ExpectSuccess(Mutate("POST", "/v0/tenants/" + tenant, TenantBody(tenant)).callback,
                  "CREATE_TENANT", "Tenant successfully created");
    Mutate("POST", "/v0/" + tenant + "/networks/" + net, NetworkBody(net));
    Mutate("POST", "/v0/" + tenant + "/subnets/MgtSubnet" + id_, SubnetBody(net, "192.0.2.0/24"));
    Mutate("POST", "/v0/images/ASA" + id_,
           "<image><name>ASA</name><src>" + LocalFile("asa.raw", 8192) + "</src></image>");
    // Without its trunk and volume: their network child-net and datastore MY_DATASTORE1 are
    // not objects of the test plane.
    ReferenceExample example;
    example.tenant = tenant;
    example.network = net;
    example.image = "ASA" + id_;
    example.address = "192.0.2.16";
    example.file_server = files.BaseUrl();
    example.trunk_and_volume = false;
    const auto body = ReferenceDeploymentBody(example);
    const auto dep = "my_dep_id" + id_;
    auto post =
        client_->Post("/v0/deployments/" + dep, body,
                      {{"Callback", receiver_.Url()}, {"Callback-ESC-Events", receiver_.Url()}});
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    auto events = Through(tx, "SERVICE_ALIVE");
    std::vector<std::string> stages;
    for (const auto& cb : events) stages.push_back(XmlText(cb.body, "deployment_stage"));
    // Each event goes to both URLs (the same receiver here): every stage twice, in order.
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(stages.front(), "VM_DEPLOYED");
    EXPECT_EQ(stages.back(), "SERVICE_ALIVE");
    EXPECT_EQ(XmlText(events[0].body, "ip_address"), "192.0.2.16");
    EXPECT_EQ(XmlText(events[0].body, "vm_group_name"), "ASA-1");
    EXPECT_EQ(events.back().Header("ESC-Status-Code"), "200");
    const auto vm = XmlText(events[0].body, "vm_name");

    // The server: escd's address on its port, the day-0 files on its config drive (Nova keeps
    // the personality files it was given only on the drive; the server says config_drive).
    const auto servers = ServersNamed(vm);
    ASSERT_EQ(servers.size(), 1u);
    const auto& server = servers[0];
    EXPECT_EQ(server.at("status").as_string(), "ACTIVE");
    EXPECT_EQ(server.at("config_drive").as_string(), "True");
    const auto ports =
        Os("network", "/v2.0/ports?device_id=" + std::string(server.at("id").as_string()));
    EXPECT_NE(ports.body.find("192.0.2.16"), std::string::npos) << ports.body;

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    const auto undeployed = Through(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED");
    ASSERT_FALSE(undeployed.empty());
    EXPECT_EQ(XmlText(undeployed.back().body, "deployment_stage"), "SERVICE_UNDEPLOYED");
}

}  // namespace
}  // namespace escd::test
