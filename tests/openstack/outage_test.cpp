// An OpenStack service stopped mid-operation (tests/openstack/service.sh, on the shared plane):
// a resource operation that meets it fails with a 503 callback naming the service and leaves no
// half-made resource, and the same request succeeds once the service is back; a deployment that
// meets it is told so (VIM_UNAVAILABLE, 503, "will retry"), is run again by the engine with
// backoff and completes, with exactly one server and one port per VM.
//
// Each test keeps its service stopped for a few seconds only (the plane is shared with the
// tests that run meanwhile), and StoppedService starts it again however the test ends.

#include <chrono>
#include <map>

#include "tests/openstack/on_openstack.hpp"
#include "tests/openstack/os_service.hpp"

namespace escd::test {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class OpenStackOutage : public OnOpenStack {};

TEST_F(OpenStackOutage, ANetworkPostedWhileNeutronIsStoppedFailsWith503AndARetrySucceeds) {
    const auto t = "t" + id_;
    const auto net = "n" + id_;
    auto tenant = Mutate("POST", "/v0/tenants/" + t, TenantBody(t));
    ASSERT_EQ(tenant.callback.Header("ESC-Status-Code"), "200") << tenant.callback.body;
    const auto path = "/v0/" + t + "/networks/" + net;

    Completed refused;
    {
        const auto stopped_at = Clock::now();
        StoppedService neutron("neutron");
        ASSERT_TRUE(neutron.stopped());
        refused = Mutate("POST", path, NetworkBody(net));
        ASSERT_TRUE(neutron.Start());
        std::printf("[   info   ] Neutron was stopped for %.1f s\n", SecondsSince(stopped_at));
    }
    const auto& cb = refused.callback;
    EXPECT_EQ(cb.Header("ESC-Status-Code"), "503") << cb.Header("ESC-Status-Message");
    const auto message = cb.Header("ESC-Status-Message");
    std::printf("[   info   ] callback: %s %s\n", cb.Header("ESC-Status-Code").c_str(),
                message.c_str());
    EXPECT_TRUE(Contains(message, "Network creation failed")) << message;
    EXPECT_TRUE(Contains(message, "the VIM's network service (Neutron) is unavailable")) << message;
    EXPECT_EQ(XmlText(cb.body, "event_type"), "CREATE_NETWORK") << cb.body;
    // Nothing half-made: escd has no such network, and Neutron none of its name.
    EXPECT_EQ(client_->Get(path).status, 404);
    auto listed = json::parse(Os("network", "/v2.0/networks?name=escd-" + net).body);
    EXPECT_TRUE(listed.at("networks").as_array().empty()) << json::serialize(listed);

    // The same request, Neutron back: the network is made, once.
    auto retried = Mutate("POST", path, NetworkBody(net));
    ExpectSuccess(retried.callback, "CREATE_NETWORK", "Network successfully created");
    const auto network = XmlText(retried.callback.body, "external_network_id");
    EXPECT_EQ(Os("network", "/v2.0/networks/" + network).status, 200) << retried.callback.body;
    listed = json::parse(Os("network", "/v2.0/networks?name=escd-" + net).body);
    EXPECT_EQ(listed.at("networks").as_array().size(), 1u) << json::serialize(listed);

    ExpectSuccess(Mutate("DELETE", path).callback, "DELETE_NETWORK",
                  "Network successfully deleted");
    EXPECT_EQ(Os("network", "/v2.0/networks/" + network).status, 404);
    ExpectSuccess(Mutate("DELETE", "/v0/tenants/" + t).callback, "DELETE_TENANT",
                  "Tenant successfully deleted");
}

class OpenStackOutageDeployment : public OnOpenStackDeployment {
  protected:
    /// The callbacks of transaction `tx` that come after those an earlier call returned, up to
    /// and including the one of stage `last`; what came when `last` does not come in time
    /// (`wait` for each callback; the fixture's callback_wait_ when zero).
    std::vector<ReceivedRequest> CallbacksUntil(const std::string& tx,
                                                const std::string& last,
                                                std::chrono::seconds wait = {}) {
        if (wait == std::chrono::seconds::zero()) wait = callback_wait_;
        std::vector<ReceivedRequest> mine;
        for (;;) {
            auto delivered = receiver_.WaitForDelivered(read_ + 1, wait);
            if (delivered.size() <= read_) return mine;
            const auto& cb = delivered[read_++];
            if (cb.Header("ESC-Transaction-Id") != tx) continue;
            mine.push_back(cb);
            if (XmlText(cb.body, "deployment_stage") == last) return mine;
        }
    }

    std::size_t read_ = 0;  ///< callbacks CallbacksUntil has looked at
};

TEST_F(OpenStackOutageDeployment, ADeploymentMeetingAStoppedNovaIsRetriedAndCompletes) {
    // escd learns the compute hosts first (it keeps them): with Nova stopped, the deployment
    // then gets as far as its ports and meets the outage at the servers.
    auto hosts = client_->Get("/v0/hosts/escd-test/status");
    ASSERT_EQ(hosts.status, 200) << hosts.body;

    const auto dep = "o" + id_;
    std::string tx;
    std::vector<ReceivedRequest> before;
    {
        const auto stopped_at = Clock::now();
        StoppedService nova("nova-api");
        ASSERT_TRUE(nova.stopped());
        auto post = client_->Post("/v0/deployments/" + dep, Datamodel(dep, 2), WithCallback());
        ASSERT_EQ(post.status, 200) << post.body;
        tx = post.Header("ESC-Transaction-Id");
        before = CallbacksUntil(tx, "VIM_UNAVAILABLE");
        ASSERT_TRUE(nova.Start());
        std::printf("[   info   ] nova-api was stopped for %.1f s\n", SecondsSince(stopped_at));
    }
    ASSERT_FALSE(before.empty());
    const auto& notice = before.back();
    ASSERT_EQ(XmlText(notice.body, "deployment_stage"), "VIM_UNAVAILABLE") << notice.body;
    EXPECT_EQ(notice.Header("ESC-Status-Code"), "503");
    const auto message = notice.Header("ESC-Status-Message");
    std::printf("[   info   ] callback: %s %s %s\n",
                XmlText(notice.body, "deployment_stage").c_str(),
                notice.Header("ESC-Status-Code").c_str(), message.c_str());
    EXPECT_TRUE(Contains(message, "Service group deployment waits for the VIM")) << message;
    EXPECT_TRUE(Contains(message, "the VIM's compute service (Nova) is unavailable")) << message;
    EXPECT_TRUE(Contains(message, "will retry in 1 s")) << message;
    EXPECT_EQ(XmlText(notice.body, "internal_deployment_id"), dep);
    for (const auto& cb : before) {
        EXPECT_NE(XmlText(cb.body, "deployment_stage"), "VM_DEPLOYED")
            << "no VM is reported deployed, nor failed, before Nova is back";
    }

    // Nova back: the engine's next attempt deploys, and the deployment ends as usual. The
    // first servers of a nova-api just started take longer than usual (measured: 10-12 s to
    // accept the create, 13 s more to ACTIVE, the machine loaded), and the attempt comes up to
    // 4 s after Nova is back (the engine's backoff): up to 2 min for the first VM_DEPLOYED.
    const auto back = Clock::now();
    auto after = CallbacksUntil(tx, "SERVICE_ALIVE", std::chrono::seconds(120));
    std::printf("[   info   ] SERVICE_ALIVE %.1f s after nova-api answered again\n",
                SecondsSince(back));
    std::vector<std::string> stages = Stages(after);
    EXPECT_EQ(stages, (std::vector<std::string>{"VM_DEPLOYED", "VM_DEPLOYED", "VM_ALIVE",
                                                "VM_ALIVE", "SERVICE_ALIVE"}));
    for (const auto& cb : after) EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
    EXPECT_TRUE(escd_->WaitForLog("retrying in 1s", 1, std::chrono::seconds(1)))
        << "the engine ran the operation again";
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/" + dep).body, "service_state_machine_state"),
              "SERVICE_ACTIVE_STATE");

    // Exactly one server per VM, ACTIVE, each with exactly one port: the attempts that met the
    // outage left nothing twice.
    auto all =
        json::parse(Os("compute", "/servers/detail?all_tenants=1").body).at("servers").as_array();
    std::map<std::string, int> servers;
    for (const auto& server : all) {
        const auto* of = server.at("metadata").as_object().if_contains("escd_deployment");
        if (!of || of->as_string() != dep) continue;
        const std::string name(server.at("name").as_string());
        ++servers[name];
        EXPECT_EQ(Status(server), "ACTIVE") << name;
        const auto by_device = json::parse(
            Os("network", "/v2.0/ports?device_id=" + std::string(server.at("id").as_string()))
                .body);
        EXPECT_EQ(by_device.at("ports").as_array().size(), 1u) << name;
        const auto by_vm =
            json::parse(Os("network", "/v2.0/ports?description=escd-vm%3A" + name).body);
        EXPECT_EQ(by_vm.at("ports").as_array().size(), 1u) << name;
    }
    EXPECT_EQ(servers.size(), 2u) << json::serialize(all);
    for (const auto& [name, count] : servers) EXPECT_EQ(count, 1) << name;

    auto del = client_->Delete("/v0/deployments/" + dep, WithCallback());
    ASSERT_EQ(del.status, 200);
    ASSERT_TRUE(WaitForStage(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED"));
    for (const auto& [name, count] : servers) EXPECT_TRUE(Server(name).is_null()) << name;
}

}  // namespace
}  // namespace escd::test
