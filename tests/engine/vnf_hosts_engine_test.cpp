// escd's VNFs as hosts of the CSM face (orchestrator/csm/vnf_hosts.hpp) on the fake VIM: the VMs
// of a group with a csm_host extension are hosts once alive (named after the VM, on its
// address, in the tenant's region, with the credentials its day-0 variables give), refreshed
// when a recovery makes the VM again, and retired at undeploy; a deployment without the
// extension makes none.

#include <gtest/gtest.h>

#include <string>

#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;

const std::string kCsmHost =
    "<config_data><configuration><dst>day0.cfg</dst><data>user cisco $DEVICE_PW</data>"
    "<variable><name>DEVICE_PW</name><val>secret-pw</val></variable></configuration>"
    "</config_data><extensions><extension><name>VNF-INFO</name></extension><extension>"
    "<name>csm_host</name><properties><property><name>username</name><value>cisco</value>"
    "</property><property><name>password</name><value>$DEVICE_PW</value></property>"
    "<property><name>interface</name><value>0</value></property></properties></extension>"
    "</extensions>";

class EngineVnfHosts : public EngineTest {
  protected:
    // Deploys `count` VMs of dep1 with `group_extra`: their names and addresses.
    std::map<std::string, std::string> Deploy(int count, const std::string& group_extra) {
        const auto tx =
            harness_->Accept(http::verb::post, "/v0/deployments/dep1",
                             EngineHarness::DeploymentBody("ten", "demo", count, group_extra));
        const auto deployed = harness_->CallbacksOf(tx, 2 * count + 1);
        EXPECT_EQ(deployed.size(), static_cast<std::size_t>(2 * count + 1));
        std::map<std::string, std::string> vms;
        for (int i = 0; i < count && i < static_cast<int>(deployed.size()); ++i)
            vms[XmlTextOf(deployed[i].body, "vm_name")] = XmlTextOf(deployed[i].body, "ip_address");
        EXPECT_TRUE(harness_->vnf_hosts().WaitIdleForTest(10s));
        return vms;
    }

    std::optional<model::csm::Host> Host(const std::string& hostname) {
        return SyncWait(harness_->stores().csm.GetHost(hostname));
    }
};

TEST_F(EngineVnfHosts, TheVmsOfACsmHostGroupAreHostsWhileTheyLiveAndRetiredAtUndeploy) {
    const auto vms = Deploy(2, kCsmHost);
    ASSERT_EQ(vms.size(), 2u);
    for (const auto& [vm, address] : vms) {
        const auto host = Host(vm);
        ASSERT_TRUE(host.has_value()) << vm << " is not a host";
        EXPECT_EQ(host->region, "ten") << "the tenant's";
        EXPECT_EQ(host->ts_or_ip, std::vector<std::string>{address});
        EXPECT_EQ(host->connection_type, model::csm::ConnectionType::kSsh);
        EXPECT_EQ(host->username, "cisco");
        EXPECT_EQ(host->password, "secret-pw") << "the day-0 variable";
        EXPECT_EQ(host->vnf_deployment, "dep1");
        EXPECT_EQ(host->created_by, "escd");
    }
    EXPECT_EQ(SyncWait(harness_->stores().csm.ListRegions(std::string("ten"))).size(), 1u)
        << "the tenant's region was made";

    const auto tx = harness_->Accept(http::verb::delete_, "/v0/deployments/dep1");
    ASSERT_EQ(harness_->CallbacksOf(tx, 3).size(), 3u);
    ASSERT_TRUE(harness_->vnf_hosts().WaitIdleForTest(10s));
    for (const auto& [vm, address] : vms) EXPECT_FALSE(Host(vm).has_value()) << vm << " stays";
    EXPECT_TRUE(SyncWait(harness_->stores().csm.VnfHostnames("dep1")).empty());
}

// What the fast path missed (escd killed between a commit and its sync) is made good at start,
// from the committed VMs: a VM's lost host comes back, and a removed deployment's host goes.
TEST_F(EngineVnfHosts, AtStartTheHostsFollowTheCommittedVmsAgain) {
    const auto vms = Deploy(1, kCsmHost);
    ASSERT_EQ(vms.size(), 1u);
    const auto& vm = vms.begin()->first;
    const auto world = harness_->world();
    harness_.reset();
    {
        model::pg::PgStore store(db_.dsn(), 1, 1);
        ASSERT_TRUE(SyncWait(store.RetireHost(vm, "lost")));
        model::csm::Host orphan;
        orphan.hostname = "gone_g1_0_u9";
        orphan.region = "ten";
        orphan.ts_or_ip = {"192.0.2.99"};
        orphan.vnf_deployment = "gone";
        ASSERT_EQ(SyncWait(store.PutHost(orphan)), std::nullopt);
        store.Stop();
    }
    harness_ = std::make_unique<EngineHarness>(db_.dsn(), world);
    ASSERT_TRUE(harness_->vnf_hosts().WaitIdleForTest(10s));
    EXPECT_TRUE(Host(vm).has_value()) << "not registered again from the committed VM";
    EXPECT_FALSE(Host("gone_g1_0_u9").has_value()) << "the removed deployment's host stays";
}

TEST_F(EngineVnfHosts, ADeploymentWithoutTheExtensionMakesNoHost) {
    const auto vms = Deploy(1, "");
    ASSERT_EQ(vms.size(), 1u);
    EXPECT_FALSE(Host(vms.begin()->first).has_value());
    EXPECT_EQ(SyncWait(harness_->stores().csm.ListHosts({}, 0, 10)).total, 0);
}

}  // namespace
}  // namespace escd::test
