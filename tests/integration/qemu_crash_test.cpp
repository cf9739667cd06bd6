// The crash test whose VMs outlive escd: 10 VMs deployed on qemu:///system (a libvirtd that
// tests/qemu/up.sh runs inside a network namespace of its own; TCG guests of 64 MiB that sit in
// the BIOS with a non-bootable disk), escd SIGKILLed in the middle and restarted. The deployment
// must complete with each VM existing exactly once on libvirt, the VMs made before the crash
// untouched, and every event delivered (duplicates allowed, gaps not). The libvirt test driver
// cannot show this: its domains live inside escd and die with it.
//
// Built as its own binary (escd_qemu_tests, CTest label `qemu`, run alone): it needs minutes, not
// the integration tests' two. Skipped, with the reason, when ESCD_TEST_QEMU_URI is unset:
// tests/run.sh sets it when it could start the qemu VIM, and ESCD_TEST_QEMU_SKIP otherwise.

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "tests/integration/resource_fixture.hpp"

namespace escd::test {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kVms = 10;
// TCG guests start in about half a second here once libvirtd's capabilities are cached, several
// seconds when two engineers share the 2 cores; escd under ASan adds its own share.
constexpr auto kDeployWait = std::chrono::seconds(300);

struct ConnectClose {
    void operator()(virConnectPtr p) const { virConnectClose(p); }
};
struct DomainFree {
    void operator()(virDomainPtr p) const { virDomainFree(p); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;

// What libvirt holds of one escd VM.
struct DomainFacts {
    std::string uuid;
    int state = VIR_DOMAIN_NOSTATE;
    unsigned int id = 0;  // the running instance: a restarted guest gets a new one
    std::string xml;
};

void QuietLibvirt(void*, virErrorPtr) {}

double Seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

class QemuCrash : public ResourceTest {
  protected:
    void SetUp() override {
        const char* uri = std::getenv("ESCD_TEST_QEMU_URI");
        if (!uri || !*uri) {
            const char* why = std::getenv("ESCD_TEST_QEMU_SKIP");
            GTEST_SKIP() << "no qemu VIM: "
                         << (why && *why ? why
                                         : "ESCD_TEST_QEMU_URI is not set (tests/run.sh sets it; "
                                           "by hand: eval \"$(tests/qemu/up.sh)\")");
        }
        uri_ = uri;
        ESCD_REQUIRE_PG(db_);
        virSetErrorFunc(nullptr, QuietLibvirt);
        conn_.reset(virConnectOpen(uri_.c_str()));
        // The URI was announced: a VIM that is not there is a failure, not a skip.
        ASSERT_TRUE(conn_) << "ESCD_TEST_QEMU_URI=" << uri_
                           << " cannot be opened: " << virGetLastErrorMessage();

        // libvirtd outlives the test and may hold objects of an earlier run: every name is this
        // run's own. Domains are named after the deployment (down.sh removes escd-* ones).
        const auto suffix = std::to_string(::getpid());
        deployment_ = "escd-qc" + suffix;
        network_ = "qc-net" + suffix;
        pool_ = "escd-qc" + suffix;
        // qemu runs as libvirt-qemu: the pool directory and every one above it must be
        // searchable by it (up.sh makes ESCD_TEST_QEMU_DIR so).
        const char* base = std::getenv("ESCD_TEST_QEMU_DIR");
        std::string storage = std::string(base && *base ? base : "/tmp") + "/pool.XXXXXX";
        ASSERT_NE(::mkdtemp(storage.data()), nullptr) << "cannot make " << storage;
        ::chmod(storage.c_str(), 0755);
        storage_dir_ = storage;
        StartOnQemu();
    }

    void TearDown() override {
        if (!conn_) return;
        // Nothing may create a domain while the leftovers are removed.
        if (escd_) escd_->Kill();
        for (auto& [name, domain] : Domains()) {
            if (virDomainIsActive(domain.get()) == 1) virDomainDestroy(domain.get());
            virDomainUndefine(domain.get());
        }
        if (virNetworkPtr net = virNetworkLookupByName(conn_.get(), ("escd-" + network_).c_str())) {
            if (virNetworkIsActive(net) == 1) virNetworkDestroy(net);
            virNetworkUndefine(net);
            virNetworkFree(net);
        }
        if (virStoragePoolPtr pool = virStoragePoolLookupByName(conn_.get(), pool_.c_str())) {
            virStorageVolPtr* volumes = nullptr;
            int n = virStoragePoolListAllVolumes(pool, &volumes, 0);
            for (int i = 0; i < n; ++i) {
                virStorageVolDelete(volumes[i], 0);
                virStorageVolFree(volumes[i]);
            }
            free(volumes);
            if (virStoragePoolIsActive(pool) == 1) virStoragePoolDestroy(pool);
            virStoragePoolUndefine(pool);
            virStoragePoolFree(pool);
        }
        std::error_code ec;
        if (!storage_dir_.empty()) fs::remove_all(storage_dir_, ec);
    }

    void StartOnQemu() {
        StartEscd({"--vim.uri=" + uri_, "--vim.storage_pool=" + pool_,
                   "--vim.storage_dir=" + storage_dir_});
    }

    // This deployment's domains on libvirt, by name (<deployment>_<group>_<index>_<uuid>).
    std::map<std::string, Domain> Domains() {
        std::map<std::string, Domain> out;
        virDomainPtr* list = nullptr;
        const int n = virConnectListAllDomains(conn_.get(), &list, 0);
        for (int i = 0; i < n; ++i) {
            Domain domain(list[i]);
            std::string name = virDomainGetName(domain.get());
            if (name.rfind(deployment_ + "_", 0) == 0) out.emplace(name, std::move(domain));
        }
        free(list);
        return out;
    }

    std::map<std::string, DomainFacts> Facts() {
        std::map<std::string, DomainFacts> out;
        for (auto& [name, domain] : Domains()) {
            DomainFacts facts;
            char uuid[VIR_UUID_STRING_BUFLEN];
            if (virDomainGetUUIDString(domain.get(), uuid) == 0) facts.uuid = uuid;
            int reason = 0;
            virDomainGetState(domain.get(), &facts.state, &reason, 0);
            facts.id = virDomainGetID(domain.get());
            if (char* xml = virDomainGetXMLDesc(domain.get(), 0)) {
                facts.xml = xml;
                free(xml);
            }
            out.emplace(name, std::move(facts));
        }
        return out;
    }

    std::set<std::string> Volumes() {
        std::set<std::string> out;
        virStoragePoolPtr pool = virStoragePoolLookupByName(conn_.get(), pool_.c_str());
        if (!pool) return out;
        virStorageVolPtr* volumes = nullptr;
        const int n = virStoragePoolListAllVolumes(pool, &volumes, 0);
        for (int i = 0; i < n; ++i) {
            out.insert(virStorageVolGetName(volumes[i]));
            virStorageVolFree(volumes[i]);
        }
        free(volumes);
        virStoragePoolFree(pool);
        return out;
    }

    // Blocks, woken by each delivered callback, until `done` holds for what was delivered so
    // far or `timeout` passes; returns what was delivered.
    std::vector<ReceivedRequest> DeliveredUntil(
        const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
        std::chrono::seconds timeout) {
        const auto deadline = Clock::now() + timeout;
        auto delivered = receiver_.WaitForDelivered(0, std::chrono::milliseconds(0));
        while (!done(delivered) && Clock::now() < deadline) {
            delivered = receiver_.WaitForDelivered(
                delivered.size() + 1,
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
        }
        return delivered;
    }

    static std::vector<ReceivedRequest> Stage(const std::vector<ReceivedRequest>& all,
                                              const std::string& tx,
                                              const std::string& stage) {
        std::vector<ReceivedRequest> out;
        for (const auto& cb : all) {
            if (cb.Header("ESC-Transaction-Id") == tx &&
                XmlText(cb.body, "deployment_stage") == stage)
                out.push_back(cb);
        }
        return out;
    }

    // The VMs of each stage's callbacks that reported success: duplicates collapse.
    static std::set<std::string> VmsWith(const std::vector<ReceivedRequest>& callbacks) {
        std::set<std::string> out;
        for (const auto& cb : callbacks)
            if (cb.Header("ESC-Status-Code") == "200") out.insert(XmlText(cb.body, "vm_name"));
        return out;
    }

    std::string Datamodel(const std::string& image,
                          const std::string& flavor,
                          int count = kVms) const {
        // No ICMPPing KPI: a VM is alive when libvirt reports it running. The day-0 data gives
        // each VM a config drive, a volume of its own that the undeploy must remove.
        return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant>
            <name>qten</name><deployments><deployment><name>crash</name>
            <vm_group><name>g</name><image>)" +
               image + "</image><flavor>" + flavor + R"(</flavor>
              <bootup_time>120</bootup_time>
              <interfaces><interface><nicid>0</nicid><network>)" +
               network_ + R"(</network></interface></interfaces>
              <scaling><min_active>)" +
               std::to_string(count) + "</min_active><max_active>" + std::to_string(count) +
               R"(</max_active><elastic>false</elastic></scaling>
              <config_data><configuration><dst>hostname</dst><data>$VM_NAME</data>
              </configuration></config_data>
            </vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
    }

    // Tenant qten, network network_ with a 127.77.0.0/24 subnet, image qc-img, flavor qc-tiny.
    void Seed() {
        CreateTenantAndWait("qten");
        auto network = Mutate("POST", "/v0/qten/networks/" + network_, NetworkBody("qc"));
        ASSERT_EQ(network.callback.Header("ESC-Status-Code"), "200") << network.callback.body;
        // Loopback addresses on a bridge in libvirtd's namespace: nothing is ever sent to them.
        auto subnet =
            Mutate("POST", "/v0/qten/subnets/qc-sub", SubnetBody(network_, "127.77.0.0/24"));
        ASSERT_EQ(subnet.callback.Header("ESC-Status-Code"), "200") << subnet.callback.body;
        // A disk of zeros: SeaBIOS finds nothing to boot and waits, a running qemu all the same.
        const auto files = fs::path(escd_->data_dir()) / "files";
        fs::create_directories(files);
        std::ofstream(files / "blank.img", std::ios::binary) << std::string(64 * 1024, '\0');
        auto image =
            Mutate("POST", "/v0/images/qc-img",
                   "<image><name>blank</name><src>file://" + (files / "blank.img").string() +
                       "</src><disk_format>raw</disk_format></image>");
        ASSERT_EQ(image.callback.Header("ESC-Status-Code"), "200") << image.callback.body;
        auto flavor =
            Mutate("POST", "/v0/flavors/qc-tiny",
                   "<flavor><name>tiny</name><vcpus>1</vcpus><memory_mb>64</memory_mb></flavor>");
        ASSERT_EQ(flavor.callback.Header("ESC-Status-Code"), "200") << flavor.callback.body;
        ASSERT_TRUE(Volumes().contains("escd-image-qc-img"))
            << "the image is not in pool " << pool_;
    }

    std::string VmState(const std::string& vm_name) {
        auto rows = db_.Query("SELECT state FROM vms WHERE vm_name = '" + vm_name + "'");
        return rows.empty() ? "" : rows[0][0].as<std::string>();
    }

    std::string uri_;
    std::string deployment_, network_, pool_, storage_dir_;
    std::unique_ptr<virConnect, ConnectClose> conn_;
};

TEST_F(QemuCrash, KilledWhileDeployingTenVmsTheDeploymentCompletesWithEachVmOnce) {
    const auto setup = Clock::now();
    Seed();
    if (HasFatalFailure()) return;
    const auto started = Clock::now();
    std::cout << "[ qemu ] tenant, network, subnet, image, flavor: " << Seconds(started - setup)
              << " s\n";
    auto post = client_->Post("/v0/deployments/" + deployment_, Datamodel("qc-img", "qc-tiny"),
                              WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");

    // Kill escd once a few VMs are deployed, while the others are still to come; aimed at a VM
    // whose domain libvirt already has but whose VM_DEPLOYED is not out yet (escd inside its
    // create). Aiming is best effort: where the kill lands is reported, not required.
    auto before = DeliveredUntil(
        [&](const auto& all) { return Stage(all, tx, "VM_DEPLOYED").size() >= 3; }, kDeployWait);
    ASSERT_GE(Stage(before, tx, "VM_DEPLOYED").size(), 3u) << escd_->Log();
    // escd logs "created VM" once libvirt has the domain, before its VM_DEPLOYED commits: one
    // line more than the VMs reported is a VM in flight.
    const auto reported = VmsWith(Stage(receiver_.Requests(), tx, "VM_DEPLOYED"));
    escd_->WaitForLog("created VM ", reported.size() + 1, std::chrono::seconds(30));
    escd_->Kill();
    const auto killed = Clock::now();
    const auto past_deploying =
        db_.Query("SELECT count(*) FROM vms WHERE deployment_id = '" + deployment_ +
                  "' AND state IN ('VM_INERT_STATE', 'VM_ALIVE_STATE')")[0][0]
            .as<int>();
    ASSERT_LT(past_deploying, kVms) << "escd finished deploying before it was killed: this run "
                                       "shows nothing about a resume";
    const auto at_kill = Facts();
    std::size_t running_at_kill = 0;
    for (const auto& [name, f] : at_kill) running_at_kill += f.state == VIR_DOMAIN_RUNNING;
    const auto deploying = db_.Query("SELECT vm_name FROM vms WHERE deployment_id = '" +
                                     deployment_ + "' AND state = 'VM_DEPLOYING_STATE'");
    std::cout << "[ qemu ] killed escd " << Seconds(killed - started)
              << " s into the deploy: " << past_deploying << " VMs deployed, " << at_kill.size()
              << " domains on libvirt (" << running_at_kill << " running)";
    for (const auto& row : deploying) {
        const auto name = row[0].as<std::string>();
        std::cout << "; " << name
                  << (at_kill.contains(name) ? " was being created (its domain exists)"
                                             : " was about to be created");
    }
    std::cout << "\n";
    EXPECT_GE(running_at_kill, 3u) << "the deployed VMs did not outlive escd";

    StartOnQemu();
    auto after = DeliveredUntil(
        [&](const auto& all) { return !Stage(all, tx, "SERVICE_ALIVE").empty(); }, kDeployWait);
    const auto done = Clock::now();
    auto service = Stage(after, tx, "SERVICE_ALIVE");
    ASSERT_FALSE(service.empty()) << "no SERVICE_ALIVE " << kDeployWait.count()
                                  << " s after the restart\n"
                                  << escd_->Log();
    std::cout << "[ qemu ] restart to SERVICE_ALIVE " << Seconds(done - killed)
              << " s; whole deploy " << Seconds(done - started) << " s\n";
    EXPECT_EQ(service.back().Header("ESC-Status-Code"), "200") << service.back().body;
    EXPECT_EQ(service.back().Header("ESC-Status-Message"),
              "Service group deployment completed successfully!");

    // escd's view: ten VMs, alive.
    auto got = client_->Get("/v0/deployments/" + deployment_);
    ASSERT_EQ(got.status, 200) << got.body;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(got.body.c_str())) << got.body;
    std::map<std::string, std::string> vms;  // name -> the VIM's uuid as escd recorded it
    for (const auto& node : doc.select_nodes("//vm_instance")) {
        const auto vm = node.node();
        vms.emplace(vm.child_value("vm_name"), vm.child_value("vm_uuid"));
        EXPECT_EQ(std::string(vm.child_value("vm_state_machine_state")), "VM_ALIVE_STATE")
            << vm.child_value("vm_name");
    }
    ASSERT_EQ(vms.size(), static_cast<std::size_t>(kVms)) << got.body;

    // libvirt's: exactly those ten, once each, running, qemu guests with their config drives.
    const auto facts = Facts();
    std::set<std::string> on_libvirt, in_escd;
    for (const auto& [name, f] : facts) on_libvirt.insert(name);
    for (const auto& [name, uuid] : vms) in_escd.insert(name);
    EXPECT_EQ(on_libvirt, in_escd);
    const auto volumes = Volumes();
    for (const auto& [name, uuid] : vms) {
        auto it = facts.find(name);
        if (it == facts.end()) continue;  // reported by the set comparison above
        EXPECT_EQ(it->second.uuid, uuid) << name;
        EXPECT_EQ(it->second.state, VIR_DOMAIN_RUNNING) << name;
        EXPECT_NE(it->second.xml.find("type='qemu'"), std::string::npos) << it->second.xml;
        EXPECT_NE(it->second.xml.find("<memory unit='KiB'>65536</memory>"), std::string::npos)
            << it->second.xml;
        EXPECT_TRUE(volumes.contains("escd-day0-" + name)) << name << " has no config drive";
    }
    // The domains that existed at the crash were kept, not made again; those that were running
    // are the same guests, never restarted. (One caught between its definition and its start
    // is started after the restart.)
    for (const auto& [name, before_kill] : at_kill) {
        auto it = facts.find(name);
        ASSERT_NE(it, facts.end()) << name << " vanished after the restart";
        EXPECT_EQ(it->second.uuid, before_kill.uuid) << name << " was redefined";
        if (before_kill.state == VIR_DOMAIN_RUNNING) {
            EXPECT_EQ(it->second.id, before_kill.id) << name << " was restarted";
        }
    }

    // The events: at least once each, none missing, none of a VM that is not there.
    const auto deployed = VmsWith(Stage(after, tx, "VM_DEPLOYED"));
    const auto alive = VmsWith(Stage(after, tx, "VM_ALIVE"));
    EXPECT_EQ(deployed, in_escd) << "VM_DEPLOYED missing or extra";
    EXPECT_EQ(alive, in_escd) << "VM_ALIVE missing or extra";
    for (const auto& cb : after) {
        if (cb.Header("ESC-Transaction-Id") == tx) {
            EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
        }
    }

    // Undeploy: every domain and every volume of a VM leaves libvirt.
    const auto del_at = Clock::now();
    auto del = client_->Delete("/v0/deployments/" + deployment_, WithCallback());
    ASSERT_EQ(del.status, 200) << del.body;
    const auto del_tx = del.Header("ESC-Transaction-Id");
    auto gone = DeliveredUntil(
        [&](const auto& all) { return !Stage(all, del_tx, "SERVICE_UNDEPLOYED").empty(); },
        kDeployWait);
    auto undeployed = Stage(gone, del_tx, "SERVICE_UNDEPLOYED");
    std::cout << "[ qemu ] undeploy " << Seconds(Clock::now() - del_at) << " s\n";
    ASSERT_FALSE(undeployed.empty()) << escd_->Log();
    EXPECT_EQ(undeployed.back().Header("ESC-Status-Code"), "200") << undeployed.back().body;
    EXPECT_EQ(VmsWith(Stage(gone, del_tx, "VM_UNDEPLOYED")), in_escd);
    EXPECT_TRUE(Domains().empty()) << Domains().size() << " domains left";
    for (const auto& volume : Volumes()) {
        EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos) << volume << " left";
    }
    EXPECT_EQ(client_->Get("/v0/deployments/" + deployment_).status, 404);
}

TEST_F(QemuCrash, ADomainDestroyedBehindEscdsBackIsRecoveredAndAnOrphanGoesAtRestart) {
    Seed();
    if (HasFatalFailure()) return;
    auto post = client_->Post("/v0/deployments/" + deployment_, Datamodel("qc-img", "qc-tiny", 2),
                              WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    auto done = DeliveredUntil(
        [&](const auto& all) { return !Stage(all, tx, "SERVICE_ALIVE").empty(); }, kDeployWait);
    ASSERT_EQ(Stage(done, tx, "SERVICE_ALIVE").size(), 1u);
    auto domains = Domains();
    ASSERT_EQ(domains.size(), 2u);
    const auto victim = domains.begin()->first;
    const auto orphan = std::next(domains.begin())->first;
    const auto old_uuid =
        db_.Query("SELECT uuid FROM vms WHERE vm_name = '" + victim + "'")[0][0].as<std::string>();

    // libvirt's lifecycle events, not a missed ping (this group has no ICMPPing KPI), mark it
    // down at once; the default rules recover it. Gone from the VIM, it cannot be rebooted, so
    // the default REBOOT_THEN_REDEPLOY redeploys it.
    ASSERT_EQ(virDomainDestroy(domains.begin()->second.get()), 0);
    ASSERT_EQ(virDomainUndefine(domains.begin()->second.get()), 0);
    ASSERT_TRUE(escd_->WaitForLog("VM " + victim + " of " + deployment_ + " is down", 1,
                                  std::chrono::seconds(15)))
        << escd_->Log();
    auto healed = DeliveredUntil(
        [&](const auto& all) {
            return std::any_of(all.begin(), all.end(), [](const ReceivedRequest& cb) {
                return XmlText(cb.body, "deployment_stage") == "VM_RECOVERY_COMPLETE";
            });
        },
        kDeployWait);
    std::vector<std::string> stages;
    std::string recovery_tx;
    for (const auto& cb : healed) {
        const auto stage = XmlText(cb.body, "deployment_stage");
        if (stage.rfind("VM_RECOVERY_", 0) != 0) continue;
        stages.push_back(stage);
        recovery_tx = cb.Header("ESC-Transaction-Id");
        EXPECT_EQ(XmlText(cb.body, "vm_name"), victim);
        EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << stage;
    }
    ASSERT_EQ(stages, (std::vector<std::string>{"VM_RECOVERY_INIT", "VM_RECOVERY_UNDEPLOYED",
                                                "VM_RECOVERY_DEPLOYED", "VM_RECOVERY_COMPLETE"}))
        << escd_->Log();
    EXPECT_NE(recovery_tx, tx);
    EXPECT_EQ(VmState(victim), "VM_ALIVE_STATE");
    EXPECT_NE(
        db_.Query("SELECT uuid FROM vms WHERE vm_name = '" + victim + "'")[0][0].as<std::string>(),
        old_uuid);
    EXPECT_EQ(db_.Query("SELECT state FROM services")[0][0].as<std::string>(),
              "SERVICE_ACTIVE_STATE");
    EXPECT_NE(escd_->Log().find("VIM lifecycle events subscribed"), std::string::npos);
    {
        auto again = Domains();
        ASSERT_TRUE(again.contains(victim)) << "recreated under its name";
        int state = 0, reason = 0;
        ASSERT_EQ(virDomainGetState(again.at(victim).get(), &state, &reason, 0), 0);
        EXPECT_EQ(state, VIR_DOMAIN_RUNNING);
    }

    // A domain escd has no record of (its record lost while escd was down) goes at restart; the
    // recovered one stays, once.
    escd_->Kill();
    db_.Query("DELETE FROM vms WHERE vm_name = '" + orphan + "'");
    StartOnQemu();
    ASSERT_TRUE(escd_->WaitForLog("reconciled with the VIM", 1, std::chrono::seconds(60)))
        << escd_->Log();
    auto after = Domains();
    EXPECT_FALSE(after.contains(orphan));
    EXPECT_TRUE(after.contains(victim));
    EXPECT_EQ(after.size(), 1u);
    EXPECT_NE(escd_->Log().find("VM " + orphan + " is on the VIM but escd has no record of it"),
              std::string::npos);
}

}  // namespace
}  // namespace escd::test
