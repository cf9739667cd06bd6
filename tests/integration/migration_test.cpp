// migrate-vm end to end: escd on a libvirt VIM of two hosts, each a test driver of its own from
// an XML file the test writes. Cold migration moves a VM (GET shows its new host, libvirt's side
// is in escd's log, the VM keeps working and being monitored there); live migration, which the
// test driver cannot do, is reported unsupported and the VM stays; disabled hosts are refused as
// targets, and disabling a host moves none of its VMs; bad requests store nothing.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {
namespace fs = std::filesystem;

class Migration : public DeploymentTest {
  protected:
    Migration()
        : dir_(fs::temp_directory_path() /
               ("escd-migration-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        fs::create_directories(dir_);
        std::string hosts;
        for (const char* host : {"host-a", "host-b"}) {
            const auto file = dir_ / (std::string(host) + ".xml");
            std::ofstream(file) << "<node/>\n";
            hosts += std::string(hosts.empty() ? "" : ",") + host + "=test://" + file.string();
        }
        escd_args_ = {"--vim.hosts=" + hosts};
    }
    ~Migration() override { fs::remove_all(dir_); }

    // Deploys `dep` (one VM of group g on `network`, `extra` inside the group) and returns the
    // VM's name.
    std::string DeployOne(const std::string& dep,
                          const std::string& extra = {},
                          const std::string& network = "mgmt") {
        auto post =
            client_->Post("/v0/deployments/" + dep,
                          DatamodelOf("ten", dep, Group("g", 1, 1, {{0, network}}, extra)), Both());
        EXPECT_EQ(post.status, 200) << post.body;
        auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
        EXPECT_EQ(Stages(deployed),
                  (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return deployed.empty() ? std::string() : XmlText(deployed[0].body, "vm_name");
    }

    static std::string MigrateBody(const std::string& type,
                                   const std::string& host,
                                   const std::string& block = "auto") {
        return "<vm_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
               "<operation>migrate</operation><migrationType>" +
               type + "</migrationType>" + (host.empty() ? "" : "<host>" + host + "</host>") +
               "<blockMigration>" + block + "</blockMigration></vm_operation>";
    }

    HttpResponse Migrate(const std::string& vm,
                         const std::string& type,
                         const std::string& host = {},
                         const std::string& tenant = "ten") {
        return client_->Post("/v0/" + tenant + "/deployments/migrate-vm/" + vm,
                             MigrateBody(type, host), Both());
    }

    // The one callback of the operation `response` accepted.
    ReceivedRequest Done(const HttpResponse& response) {
        EXPECT_EQ(response.status, 200) << response.body;
        auto callbacks = CallbacksOf(response.Header("ESC-Transaction-Id"), 1);
        EXPECT_EQ(callbacks.size(), 1u) << response.body;
        return callbacks.empty() ? ReceivedRequest{} : callbacks.front();
    }

    std::string HostOf(const std::string& dep) {
        return XmlText(client_->Get("/v0/deployments/" + dep).body, "host_name");
    }

    // Disables or enables `host`, and awaits its event.
    void SwitchHost(const std::string& host, const std::string& action) {
        auto response = client_->Post("/v0/hosts/" + host + "/" + action, "",
                                      {{"Callback-ESC-Events", receiver_.Url("/hosts")}});
        ASSERT_EQ(response.status, 200) << response.body;
        ASSERT_EQ(CallbacksOf(response.Header("ESC-Transaction-Id"), 1).size(), 1u);
    }

    fs::path dir_;
};

TEST_F(Migration, ColdMigrationMovesTheVmToTheOtherHost) {
    const auto vm = DeployOne("dep-m");
    ASSERT_EQ(HostOf("dep-m"), "host-a");  // the first enabled host
    EXPECT_EQ(XmlText(client_->Get("/v0/hosts/host-b/status").body, "status"), "ENABLED");

    auto moved = Migrate(vm, "cold", "host-b");
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_TRUE(IsUuid(moved.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(moved.body, "host"), "host-b");
    auto done = Done(moved);
    EXPECT_EQ(done.Header("ESC-Status-Code"), "200") << done.body;
    EXPECT_EQ(XmlText(done.body, "event_type"), "VM_MIGRATE_COMPLETE");
    EXPECT_EQ(XmlText(done.body, "host_name"), "host-b");
    EXPECT_EQ(XmlText(done.body, "source_host"), "host-a");
    EXPECT_EQ(XmlText(done.body, "target_host"), "host-b");
    EXPECT_EQ(XmlText(done.body, "migration_type"), "cold");
    EXPECT_EQ(XmlText(done.body, "vm_name"), vm);

    auto deployment = client_->Get("/v0/deployments/dep-m").body;
    EXPECT_EQ(XmlText(deployment, "host_name"), "host-b");
    EXPECT_EQ(XmlText(deployment, "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(XmlText(deployment, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
    // libvirt's side: defined and started on host-b, gone from host-a.
    EXPECT_NE(escd_->Log().find("moved VM " + vm + " (cold) from host host-a to host-b"),
              std::string::npos)
        << escd_->Log();

    // The VM works where it is now.
    auto stop = client_->Post("/v0/ten/deployments/vm/" + vm,
                              "<vm_operation><operation>stop</operation><force>true</force>"
                              "</vm_operation>",
                              WithCallback());
    auto stopped = Done(stop);
    EXPECT_EQ(stopped.Header("ESC-Status-Code"), "200") << stopped.body;
    EXPECT_EQ(XmlText(stopped.body, "host_name"), "host-b");
    // A stopped VM moves too, and stays stopped; without a host it goes to the other one.
    auto back = Done(Migrate(vm, "cold"));
    EXPECT_EQ(back.Header("ESC-Status-Code"), "200") << back.body;
    EXPECT_EQ(XmlText(back.body, "host_name"), "host-a");
    EXPECT_EQ(XmlText(back.body, "vm_state_machine_state"), "VM_SHUTOFF_STATE");
    EXPECT_EQ(HostOf("dep-m"), "host-a");
}

TEST_F(Migration, LiveMigrationIsReportedUnsupportedAndTheVmStays) {
    const auto vm = DeployOne("dep-l");
    auto done = Done(Migrate(vm, "live", "host-b"));
    EXPECT_EQ(done.Header("ESC-Status-Code"), "501") << done.body;
    EXPECT_NE(done.Header("ESC-Status-Message").find("live migration is not supported"),
              std::string::npos)
        << done.Header("ESC-Status-Message");
    EXPECT_EQ(XmlText(done.body, "event_type"), "VM_MIGRATE_COMPLETE");
    EXPECT_EQ(XmlText(done.body, "host_name"), "host-a");
    EXPECT_EQ(HostOf("dep-l"), "host-a");
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/dep-l").body, "vm_state_machine_state"),
              "VM_ALIVE_STATE");
    // The deployment is free again: a cold one goes through.
    EXPECT_EQ(Done(Migrate(vm, "cold", "host-b")).Header("ESC-Status-Code"), "200");
    EXPECT_EQ(HostOf("dep-l"), "host-b");
}

TEST_F(Migration, DisabledHostsAreNoTargetAndDisablingAHostMovesNothing) {
    const auto vm = DeployOne("dep-d");
    SwitchHost("host-b", "disable");
    const auto operations = Count("operations");
    ExpectError(Migrate(vm, "cold", "host-b"), 400, "host-b is disabled");
    ExpectError(Migrate(vm, "cold"), 400, "no enabled host other than host-a");
    EXPECT_EQ(Count("operations"), operations);
    EXPECT_EQ(HostOf("dep-d"), "host-a");

    // The VM's own host disabled: it stays there, alive, and no operation touches it.
    SwitchHost("host-b", "enable");
    SwitchHost("host-a", "disable");
    EXPECT_EQ(XmlText(client_->Get("/v0/hosts/host-a/status").body, "status"), "DISABLED");
    auto deployment = client_->Get("/v0/deployments/dep-d").body;
    EXPECT_EQ(XmlText(deployment, "host_name"), "host-a");
    EXPECT_EQ(XmlText(deployment, "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(Count("operations WHERE target_id = 'dep-d'"), 1);  // its deployment only
    // Moving it off is the client's choice.
    EXPECT_EQ(Done(Migrate(vm, "cold")).Header("ESC-Status-Code"), "200");
    EXPECT_EQ(HostOf("dep-d"), "host-b");
}

TEST_F(Migration, BadRequestsAnswerAtOnceAndStoreNothing) {
    const auto vm = DeployOne("dep-r");
    const auto operations = Count("operations");
    const auto path = "/v0/ten/deployments/migrate-vm/" + vm;
    ExpectError(Migrate("dep-r_g_0_no-such-vm", "cold"), 404, "not found");
    ExpectError(Migrate(vm, "cold", {}, "other-tenant"), 404, "not found in tenant other-tenant");
    ExpectError(Migrate(vm, "cold", "host-z"), 404, "host host-z is not known to the VIM");
    ExpectError(Migrate(vm, "cold", "host-a"), 400, "is on host host-a already");
    ExpectError(Migrate(vm, "warm", "host-b"), 400, "migrationType 'warm'");
    ExpectError(client_->Post(path, MigrateBody("live", "host-b", "sometimes"), Both()), 400,
                "blockMigration 'sometimes'");
    ExpectError(client_->Post(path, MigrateBody("cold", "host-b")), 400, "missing Callback");
    ExpectError(
        client_->Post(path, "<vm_operation><operation>stop</operation></vm_operation>", Both()),
        400, "is not migrate");
    ExpectError(client_->Post(path, "<vm_operation>", Both()), 400, "malformed XML");
    EXPECT_EQ(Count("operations"), operations);
    EXPECT_EQ(HostOf("dep-r"), "host-a");
}

TEST_F(Migration, AMigrationAcceptedBeforeASigkillIsDoneAfterTheRestart) {
    const auto vm = DeployOne("dep-k");
    escd_->Kill();
    // The paused engine guarantees the kill lands between the commit and the work.
    StartEscd({"--engine.paused_for_test=true"});
    auto moved = Migrate(vm, "cold", "host-b");
    ASSERT_EQ(moved.status, 200) << moved.body;
    ExpectError(Migrate(vm, "cold", "host-b"), 409, "busy");
    escd_->Kill();

    // The test driver's hosts lived in the killed process: the restart puts the VM back on
    // the first host (reconciliation), then the accepted migration moves it.
    StartEscd();
    auto done = AwaitTransaction(moved.Header("ESC-Transaction-Id"));
    ASSERT_TRUE(done) << escd_->Log();
    EXPECT_EQ(done->Header("ESC-Status-Code"), "200") << done->body;
    EXPECT_EQ(XmlText(done->body, "event_type"), "VM_MIGRATE_COMPLETE");
    EXPECT_EQ(XmlText(done->body, "host_name"), "host-b");
    EXPECT_EQ(HostOf("dep-k"), "host-b");
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 0);
}

TEST_F(Migration, AMigratedVmIsStillMonitored) {
    if (const auto why = WhyNoPingBlocks(); !why.empty()) GTEST_SKIP() << why;
    // A network of its own: blocking its address disturbs no other test's pings.
    AddNetwork("moved", "127.12.0.0/24");
    const std::string kpi = IcmpAliveKpi() + AliveRulesWithoutHealing();
    const auto vm = DeployOne("dep-w", kpi, "moved");
    ASSERT_EQ(Done(Migrate(vm, "cold", "host-b")).Header("ESC-Status-Code"), "200");
    ASSERT_EQ(HostOf("dep-w"), "host-b");

    PingBlock block("127.12.0.2");
    ASSERT_TRUE(block.ok());
    ASSERT_TRUE(escd_->WaitForLog("of dep-w is down", 1, kCallbackWait)) << escd_->Log();
    auto deployment = client_->Get("/v0/deployments/dep-w").body;
    EXPECT_EQ(XmlText(deployment, "vm_state_machine_state"), "VM_INERT_STATE");
    EXPECT_EQ(XmlText(deployment, "host_name"), "host-b");
}

}  // namespace
}  // namespace escd::test
