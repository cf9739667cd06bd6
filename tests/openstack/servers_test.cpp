// escd's VMs as servers on the real Nova of tests/openstack/up.sh (compute: fake.FakeDriver on
// host escd-test), vim/openstack/servers.hpp: booted once on escd's ports with its metadata,
// config drive and a day-0 file, through stop, start, soft and hard reboot, deleted; listed by
// metadata; found by exact name; server groups. Each checked through the Nova and Neutron APIs.
// The time and API calls of each step go to stdout ("[timing]").

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "tests/openstack/os_test_objects.hpp"
#include "vim/openstack/neutron.hpp"
#include "vim/openstack/nova.hpp"
#include "vim/openstack/ports.hpp"
#include "vim/openstack/servers.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
using namespace std::chrono_literals;
namespace json = boost::json;

constexpr auto kBoot = std::chrono::milliseconds(120s);

class NovaServers : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        neutron_.emplace(*session_);
        nova_.emplace(*session_);
        ports_.emplace(*session_);
        servers_.emplace(*session_);
        suffix_ = UniqueSuffix();
        image_.emplace(client_, *session_, "escd-test-" + suffix_);
        const vim::FlavorRequest flavor{"sv" + suffix_, "tiny", 1, 64, 1024, 0};
        flavor_id_ = RunNow<std::string>([&] { return nova_->EnsureFlavor(flavor); });
        vim::NetworkRequest network{"sv" + suffix_, "", "data", true, false, {}};
        network.subnets.push_back({"sv" + suffix_ + "-s", "192.0.2.0/24", "192.0.2.1", false, {}});
        network_id_ = RunNow<std::string>([&] { return neutron_->EnsureNetwork(network); });
    }

    void TearDown() override {
        if (!servers_) return;
        // Everything a test made, also when it failed half-way: servers before their ports.
        for (const auto& id : server_ids_) CleanUp([&] { return servers_->DeleteServer(id); });
        for (const auto& vm : vms_) CleanUp([&] { return ports_->DeletePorts(vm); });
        for (const auto& id : group_ids_) CleanUp([&] { return servers_->DeleteServerGroup(id); });
        if (!flavor_id_.empty()) CleanUp([&] { return nova_->DeleteFlavor(flavor_id_); });
        CleanUp([&] { return neutron_->DeleteNetwork("sv" + suffix_); });
        image_.reset();
    }

    // A server spec for VM `name` of this test, with escd's metadata.
    ServerSpec Spec(const std::string& name, const std::string& deployment) {
        ServerSpec spec;
        spec.name = name;
        spec.image_ref = image_->id();
        spec.flavor_ref = flavor_id_;
        spec.metadata = {{"escd_deployment", deployment}, {"escd_vm", name}};
        vms_.push_back(name);
        return spec;
    }
    Server Create(const ServerSpec& spec) {
        auto server = RunNow<Server>([&] { return servers_->CreateServer(spec); });
        if (std::find(server_ids_.begin(), server_ids_.end(), server.id) == server_ids_.end())
            server_ids_.push_back(server.id);
        return server;
    }
    Server Wait(const std::string& id,
                const std::set<std::string>& wanted,
                std::chrono::milliseconds timeout = kBoot) {
        return RunNow<Server>([&] { return servers_->WaitForStatus(id, wanted, timeout); });
    }
    void Act(const std::string& id, const std::string& action) {
        RunVoid([&] { return servers_->Action(id, action); });
    }
    json::object Shown(const std::string& id) {
        return Api(*session_, "compute", http::verb::get, "/servers/" + id)
            .at("server")
            .as_object();
    }
    std::set<std::string> Ids(const std::vector<Server>& servers) {
        std::set<std::string> out;
        for (const auto& server : servers) out.insert(server.id);
        return out;
    }

    // Times a step and counts its API calls, for the report on stdout.
    class Step {
      public:
        Step(Session& session, std::string what)
            : session_(session),
              what_(std::move(what)),
              calls_(session.calls()),
              start_(std::chrono::steady_clock::now()) {}
        ~Step() {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start_)
                                .count();
            std::cout << "[timing] " << what_ << ": " << ms << " ms, " << session_.calls() - calls_
                      << " API calls\n";
        }

      private:
        Session& session_;
        std::string what_;
        std::uint64_t calls_;
        std::chrono::steady_clock::time_point start_;
    };

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Neutron> neutron_;
    std::optional<Nova> nova_;
    std::optional<Ports> ports_;
    std::optional<Servers> servers_;
    std::optional<TestImage> image_;
    std::string suffix_, flavor_id_, network_id_;
    std::vector<std::string> server_ids_, vms_, group_ids_;
};

TEST_F(NovaServers, AServerBootsOnceOnEscdsPortsWithItsMetadataConfigDriveAndDayZeroFile) {
    const auto vm = "sv" + suffix_ + "_vm0";
    auto spec = Spec(vm, "dep" + suffix_);
    std::vector<PortRequest> nics{{vm, 0, network_id_, "fa:16:3e:5e:00:01", {{"", "192.0.2.10"}}},
                                  {vm, 1, network_id_, "", {}}};
    std::vector<Port> ports;
    {
        Step step(*session_, "ports (2 NICs) made");
        ports = RunNow<std::vector<Port>>([&] { return ports_->EnsurePorts(nics); });
    }
    ASSERT_EQ(ports.size(), 2u);
    spec.port_ids = {ports[0].id, ports[1].id};
    spec.availability_zone = "nova:escd-test";
    spec.files = {{"/etc/escd/day0.conf", "hostname " + vm + "\n"}};

    // Nova takes day-0 files only at microversion <= 2.56, which CreateServer asks for: at escd's
    // default the same body is refused.
    {
        int status = 0;
        const std::set<int> refused{400};
        auto at_default = spec;
        at_default.name += "-refused";
        Api(*session_, "compute", http::verb::post, "/servers", ServerBody(at_default), refused,
            &status);
        ASSERT_EQ(status, 400) << "a server was made at the default microversion";
    }

    Server server;
    {
        Step step(*session_, "server create (POST accepted)");
        server = Create(spec);
    }
    EXPECT_EQ(server.name, vm);
    {
        Step step(*session_, "server BUILD -> ACTIVE");
        server = Wait(server.id, {"ACTIVE"});
    }
    EXPECT_EQ(server.status, "ACTIVE");
    EXPECT_EQ(server.host, "escd-test");
    EXPECT_EQ(server.metadata, spec.metadata);
    EXPECT_TRUE(server.config_drive);

    const auto shown = Shown(server.id);
    EXPECT_EQ(shown.at("OS-EXT-SRV-ATTR:host").as_string(), "escd-test");
    EXPECT_EQ(shown.at("config_drive").as_string(), "True");
    EXPECT_EQ(shown.at("metadata").at("escd_deployment").as_string(), "dep" + suffix_);
    // Its NICs are escd's ports, with the MAC asked.
    const auto attachments =
        Api(*session_, "compute", http::verb::get, "/servers/" + server.id + "/os-interface");
    std::map<std::string, std::string> macs;
    for (const auto& nic : attachments.at("interfaceAttachments").as_array())
        macs[std::string(nic.at("port_id").as_string())] = nic.at("mac_addr").as_string();
    EXPECT_EQ(macs, (std::map<std::string, std::string>{{ports[0].id, "fa:16:3e:5e:00:01"},
                                                        {ports[1].id, ports[1].mac}}));
    for (const auto& port : ports) {
        const auto bound = RunNow<std::optional<Port>>([&] { return ports_->GetPort(port.id); });
        ASSERT_TRUE(bound);
        EXPECT_EQ(bound->device_id, server.id);
        EXPECT_EQ(bound->status, "ACTIVE");
    }

    // A rerun of the create: the same server, found with one call, no second one.
    {
        const auto before = session_->calls();
        EXPECT_EQ(Create(spec).id, server.id);
        EXPECT_EQ(session_->calls() - before, 1u);
        const auto found = RunNow<std::optional<Server>>([&] { return servers_->FindServer(vm); });
        ASSERT_TRUE(found);
        EXPECT_EQ(found->id, server.id);
        EXPECT_EQ(
            Ids(RunNow<std::vector<Server>>([&] { return servers_->ListServers("escd_vm", vm); })),
            (std::set<std::string>{server.id}));
    }

    // A wait that cannot be met in time says so.
    try {
        Wait(server.id, {"SHUTOFF"}, 200ms);
        ADD_FAILURE() << "no timeout";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
    }

    {
        Step step(*session_, "stop -> SHUTOFF");
        Act(server.id, "stop");
        EXPECT_EQ(Wait(server.id, {"SHUTOFF"}).status, "SHUTOFF");
    }
    Act(server.id, "stop");  // stopped already: Nova's 409 is a success
    {
        Step step(*session_, "start -> ACTIVE");
        Act(server.id, "start");
        EXPECT_EQ(Wait(server.id, {"ACTIVE"}).status, "ACTIVE");
    }
    Act(server.id, "start");  // running already
    {
        Step step(*session_, "soft reboot -> ACTIVE");
        Act(server.id, "soft-reboot");
        EXPECT_EQ(Wait(server.id, {"ACTIVE"}).status, "ACTIVE");
    }
    {
        Step step(*session_, "hard reboot -> ACTIVE");
        Act(server.id, "hard-reboot");
        EXPECT_EQ(Wait(server.id, {"ACTIVE"}).status, "ACTIVE");
    }

    {
        Step step(*session_, "delete -> 404");
        RunVoid([&] { return servers_->DeleteServer(server.id); });
    }
    EXPECT_FALSE(RunNow<std::optional<Server>>([&] { return servers_->GetServer(server.id); }));
    RunVoid([&] { return servers_->DeleteServer(server.id); });  // gone already: done
    try {
        Wait(server.id, {"ACTIVE"});
        ADD_FAILURE() << "a deleted server was waited for";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    try {
        Act(server.id, "start");
        ADD_FAILURE() << "a deleted server was started";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
    // Nova let go of the ports; escd deletes them.
    for (const auto& port : ports)
        EXPECT_EQ(RunNow<std::optional<Port>>([&] { return ports_->GetPort(port.id); })->device_id,
                  "");
    RunVoid([&] { return ports_->DeletePorts(vm); });
    EXPECT_TRUE(RunNow<std::vector<Port>>([&] { return ports_->FindPorts(vm); }).empty());
}

TEST_F(NovaServers, ListServersHasExactlyTheServersOfTheMetadataPairAndNamesMatchExactly) {
    const auto base = "sv" + suffix_;
    const auto group = RunNow<std::string>(
        [&] { return servers_->EnsureServerGroup("escd-" + base, "affinity"); });
    group_ids_.push_back(group);
    EXPECT_EQ(RunNow<std::string>(
                  [&] { return servers_->EnsureServerGroup("escd-" + base, "affinity"); }),
              group)
        << "made once";

    // Names a regex left unescaped or unanchored would mix up; no NICs ("networks": "none").
    auto a = Spec(base + ".a", "dep" + base);
    a.server_group = group;
    auto b = Spec(base + ".a.b", "dep" + base);
    b.server_group = group;
    const auto c = Spec(base + "xa", "other" + base);
    const auto sa = Create(a);
    const auto sb = Create(b);
    const auto sc = Create(c);
    for (const auto& id : {sa.id, sb.id, sc.id}) Wait(id, {"ACTIVE"});

    {
        const auto before = session_->calls();
        EXPECT_EQ(Ids(RunNow<std::vector<Server>>(
                      [&] { return servers_->ListServers("escd_deployment", "dep" + base); })),
                  (std::set<std::string>{sa.id, sb.id}));
        EXPECT_EQ(session_->calls() - before, 1u) << "one listing";
    }
    EXPECT_EQ(Ids(RunNow<std::vector<Server>>(
                  [&] { return servers_->ListServers("escd_deployment", "other" + base); })),
              (std::set<std::string>{sc.id}));
    EXPECT_TRUE(RunNow<std::vector<Server>>([&] {
                    return servers_->ListServers("escd_deployment", "none" + base);
                }).empty());

    const auto find = [&](const std::string& name) {
        return RunNow<std::optional<Server>>([&] { return servers_->FindServer(name); });
    };
    EXPECT_EQ(find(base + ".a")->id, sa.id);
    EXPECT_EQ(find(base + ".a.b")->id, sb.id);
    EXPECT_EQ(find(base + "xa")->id, sc.id);
    EXPECT_FALSE(find(base + "."));
    EXPECT_FALSE(find(base));

    const auto members =
        RunNow<std::optional<ServerGroup>>([&] { return servers_->GetServerGroup(group); });
    ASSERT_TRUE(members);
    EXPECT_EQ(members->policy, "affinity");
    EXPECT_EQ(std::set<std::string>(members->members.begin(), members->members.end()),
              (std::set<std::string>{sa.id, sb.id}));

    // Another policy: a new group of the name, the old one gone.
    const auto anti = RunNow<std::string>(
        [&] { return servers_->EnsureServerGroup("escd-" + base, "anti-affinity"); });
    group_ids_.push_back(anti);
    EXPECT_NE(anti, group);
    EXPECT_FALSE(
        RunNow<std::optional<ServerGroup>>([&] { return servers_->GetServerGroup(group); }));
    RunVoid([&] { return servers_->DeleteServerGroup(anti); });
    RunVoid([&] { return servers_->DeleteServerGroup(anti); });  // gone already: done
    EXPECT_FALSE(
        RunNow<std::optional<ServerGroup>>([&] { return servers_->GetServerGroup(anti); }));
}

}  // namespace
}  // namespace escd::test
