#pragma once
// The fixture of the VNF tests: real VNFs (deploy/vnf-image: the Debian cloud kernel and a
// busybox initramfs that takes its addresses from escd's config drive) booted under qemu (TCG)
// through libvirtd, alive when they really answer escd's pings.
//
// tests/run-vnf.sh runs these tests, as root, inside the network namespace where libvirtd runs
// (tests/qemu/up.sh): PostgreSQL, escd, the callback receiver and this test all live there, so the
// bridge of the test's network and its guests are this namespace's own hosts. The network is
// 192.0.2.0/24 (TEST-NET-1, never routed), and escd may ping exactly that subnet
// (monitor.allowed_cidrs). Skipped, with the reason, when ESCD_TEST_QEMU_URI is unset.

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/resource_fixture.hpp"
#include "tests/vnf/icmp_probe.hpp"

namespace escd::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

/// A TCG guest boots in seconds when it has a core to itself; two engineers and escd under ASan
/// on 2 cores stretch that several times.
inline constexpr auto kVnfWait = std::chrono::seconds(300);
/// The subnet of the test's network, inside the namespace only.
inline constexpr const char* kVnfSubnet = "192.0.2.0/24";

inline double Seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

struct ConnectClose {
    void operator()(virConnectPtr p) const { virConnectClose(p); }
};
struct DomainFree {
    void operator()(virDomainPtr p) const { virDomainFree(p); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;

/// What libvirt holds of one escd VM.
struct DomainFacts {
    std::string uuid;
    int state = VIR_DOMAIN_NOSTATE;
    int reason = 0;       ///< why it is in `state` (VIR_DOMAIN_RUNNING_BOOTED, _MIGRATED...)
    unsigned int id = 0;  ///< the running instance: a restarted guest gets a new one
    std::string xml;
};

inline void QuietLibvirt(void*, virErrorPtr) {}

class VnfTest : public ResourceTest {
  protected:
    void SetUp() override {
        const char* uri = std::getenv("ESCD_TEST_QEMU_URI");
        if (!uri || !*uri) {
            const char* why = std::getenv("ESCD_TEST_QEMU_SKIP");
            GTEST_SKIP() << "no qemu VIM: "
                         << (why && *why ? why
                                         : "ESCD_TEST_QEMU_URI is not set (run these tests "
                                           "through tests/run-vnf.sh)");
        }
        uri_ = uri;
        const char* image = std::getenv("ESCD_TEST_VNF_IMAGE");
        ASSERT_TRUE(image && *image) << "ESCD_TEST_VNF_IMAGE (deploy/vnf-image/build.sh) is unset";
        image_ = image;
        ESCD_REQUIRE_PG(db_);
        virSetErrorFunc(nullptr, QuietLibvirt);
        conn_.reset(virConnectOpen(uri_.c_str()));
        // The URI was announced: a VIM that is not there is a failure, not a skip.
        ASSERT_TRUE(conn_) << "ESCD_TEST_QEMU_URI=" << uri_
                           << " cannot be opened: " << virGetLastErrorMessage();

        // libvirtd outlives the test and may hold objects of an earlier one: every name is this
        // test's own. Domains are named after the deployment (down.sh removes escd-* ones).
        static int tests_run = 0;
        const auto suffix = std::to_string(::getpid()) + "-" + std::to_string(++tests_run);
        deployment_ = "escd-vnf" + suffix;
        network_ = "vnf-net" + suffix;
        pool_ = "escd-vnf" + suffix;
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
        RemoveLeftovers(conn_.get());
        std::error_code ec;
        if (!storage_dir_.empty()) fs::remove_all(storage_dir_, ec);
    }

    /// Removes this test's domains, network and pool (its volumes and directory) from the
    /// libvirtd of `conn`.
    void RemoveLeftovers(virConnectPtr conn) {
        for (auto& [name, domain] : Domains(conn)) {
            if (virDomainIsActive(domain.get()) == 1) virDomainDestroy(domain.get());
            virDomainUndefine(domain.get());
        }
        if (virNetworkPtr net = virNetworkLookupByName(conn, ("escd-" + network_).c_str())) {
            if (virNetworkIsActive(net) == 1) virNetworkDestroy(net);
            virNetworkUndefine(net);
            virNetworkFree(net);
        }
        if (virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_.c_str())) {
            virStorageVolPtr* volumes = nullptr;
            const int n = virStoragePoolListAllVolumes(pool, &volumes, 0);
            for (int i = 0; i < n; ++i) {
                virStorageVolDelete(volumes[i], 0);
                virStorageVolFree(volumes[i]);
            }
            free(volumes);
            if (virStoragePoolIsActive(pool) == 1) virStoragePoolDestroy(pool);
            // Its directory: a host that sees storage_dir_ as a directory of its own (a second
            // host, tests/qemu/up.sh) would keep it.
            virStoragePoolDelete(pool, 0);
            virStoragePoolUndefine(pool);
            virStoragePoolFree(pool);
        }
    }

    /// escd's VIM: the one libvirtd of ESCD_TEST_QEMU_URI; a test of several hosts names them
    /// (--vim.hosts).
    virtual Strings VimArgs() const { return {"--vim.uri=" + uri_}; }

    void StartOnQemu() {
        auto args = VimArgs();
        for (auto& arg : Strings{"--vim.storage_pool=" + pool_, "--vim.storage_dir=" + storage_dir_,
                                 "--files.root=" + fs::path(image_).parent_path().string(),
                                 std::string("--monitor.allowed_cidrs=") + kVnfSubnet})
            args.push_back(std::move(arg));
        StartEscd(args);
    }

    /// Tenant vten; network network_ with subnet 192.0.2.0/24 (gateway .1: the bridge in the
    /// namespace); image vnf-img (the VNF's disk); flavor vnf-small (1 vCPU, 128 MiB).
    void Seed() {
        CreateTenantAndWait("vten");
        auto network = Mutate("POST", "/v0/vten/networks/" + network_, NetworkBody("vnf"));
        ASSERT_EQ(network.callback.Header("ESC-Status-Code"), "200") << network.callback.body;
        auto subnet = Mutate("POST", "/v0/vten/subnets/vnf-sub", SubnetBody(network_, kVnfSubnet));
        ASSERT_EQ(subnet.callback.Header("ESC-Status-Code"), "200") << subnet.callback.body;
        auto image = Mutate("POST", "/v0/images/vnf-img",
                            "<image><name>escd-vnf</name><src>file://" + image_ +
                                "</src><disk_format>raw</disk_format></image>");
        ASSERT_EQ(image.callback.Header("ESC-Status-Code"), "200") << image.callback.body;
        auto flavor = Mutate(
            "POST", "/v0/flavors/vnf-small",
            "<flavor><name>vnf-small</name><vcpus>1</vcpus><memory_mb>128</memory_mb></flavor>");
        ASSERT_EQ(flavor.callback.Header("ESC-Status-Code"), "200") << flavor.callback.body;
    }

    /// Deployment deployment_ of one group g of `count` VNFs on network_, alive by ICMPPing (every
    /// second; alive at the first answered poll, down after 3 unanswered ones; the default rules,
    /// so a down VNF is recovered), their addresses given to them by day-0 configuration.
    std::string Datamodel(int count, const std::string& recovery_policy = {}) const {
        return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant>
            <name>vten</name><deployments><deployment><name>)" +
               deployment_ + R"(</name>
            <vm_group><name>g</name><image>)" +
               group_image_ + R"(</image><flavor>vnf-small</flavor>
              <bootup_time>)" +
               std::to_string(bootup_time_) + R"(</bootup_time>
              <recovery_wait_time>1</recovery_wait_time>
              <interfaces><interface><nicid>0</nicid><network>)" +
               network_ + R"(</network></interface></interfaces>
              <kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
                <metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>
                <metric_occurrences_true>1</metric_occurrences_true>
                <metric_occurrences_false>3</metric_occurrences_false>
                <metric_collector><type>ICMPPing</type><nicid>0</nicid>
                  <poll_frequency>1</poll_frequency><polling_unit>seconds</polling_unit>
                  <continuous_alarm>false</continuous_alarm></metric_collector></kpi></kpi_data>
              <scaling><min_active>)" +
               std::to_string(count) + "</min_active><max_active>" + std::to_string(count) +
               R"(</max_active><elastic>false</elastic></scaling>)" + recovery_policy +
               R"(<config_data><configuration><dst>escd-vnf.conf</dst><data>hostname $VM_NAME
interface $NICID_0_MAC_ADDRESS $NICID_0_IP_ADDRESS $NICID_0_NETMASK $NICID_0_GATEWAY
)" + day0_extra_ +
               R"(</data>)" + config_extra_ + R"(</configuration></config_data>)" + group_extra_ +
               R"(</vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
    }

    // --- libvirt's view -----------------------------------------------------------------------

    /// This deployment's domains on libvirt (the libvirtd of `conn`, by default
    /// ESCD_TEST_QEMU_URI's), by name (<deployment>_<group>_<index>_<uuid>).
    std::map<std::string, Domain> Domains(virConnectPtr conn = nullptr) {
        std::map<std::string, Domain> out;
        virDomainPtr* list = nullptr;
        const int n = virConnectListAllDomains(conn ? conn : conn_.get(), &list, 0);
        for (int i = 0; i < n; ++i) {
            Domain domain(list[i]);
            std::string name = virDomainGetName(domain.get());
            if (name.rfind(deployment_ + "_", 0) == 0) out.emplace(name, std::move(domain));
        }
        free(list);
        return out;
    }

    std::map<std::string, DomainFacts> Facts(virConnectPtr conn = nullptr) {
        std::map<std::string, DomainFacts> out;
        for (auto& [name, domain] : Domains(conn)) {
            DomainFacts facts;
            char uuid[VIR_UUID_STRING_BUFLEN];
            if (virDomainGetUUIDString(domain.get(), uuid) == 0) facts.uuid = uuid;
            virDomainGetState(domain.get(), &facts.state, &facts.reason, 0);
            facts.id = virDomainGetID(domain.get());
            if (char* xml = virDomainGetXMLDesc(domain.get(), 0)) {
                facts.xml = xml;
                free(xml);
            }
            out.emplace(name, std::move(facts));
        }
        return out;
    }

    /// `virsh list --all --name` in this namespace, this deployment's lines: what an operator
    /// sees, each name as often as libvirt lists it.
    std::vector<std::string> VirshListAll() {
        std::vector<std::string> out;
        const auto command = "virsh -q -c " + uri_ + " list --all --name";
        FILE* pipe = ::popen(command.c_str(), "r");
        if (!pipe) return out;
        char line[512];
        while (std::fgets(line, sizeof line, pipe)) {
            std::string name(line);
            while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
            if (name.rfind(deployment_ + "_", 0) == 0) out.push_back(name);
        }
        ::pclose(pipe);
        return out;
    }

    std::set<std::string> Volumes(virConnectPtr conn = nullptr) {
        std::set<std::string> out;
        virStoragePoolPtr pool =
            virStoragePoolLookupByName(conn ? conn : conn_.get(), pool_.c_str());
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

    /// The pid of the qemu process of running domain `name` (libvirt's pid file); 0 if none.
    static pid_t QemuPid(const std::string& name) {
        std::ifstream in("/run/libvirt/qemu/" + name + ".pid");
        pid_t pid = 0;
        in >> pid;
        return pid;
    }

    /// Where a host's virtlogd writes its guests' serial consoles (domain_xml.cpp), in that
    /// host's view; host 1's is this machine's.
    static constexpr const char* kConsoleDir = "/var/log/libvirt/qemu";

    static std::string ConsoleLog(const std::string& vm, const std::string& dir = kConsoleDir) {
        return dir + "/" + vm + ".console.log";
    }

    /// How many times the guest of `vm` reached `escd-vnf: ready` on its console (after byte
    /// `since` of its log), once that is at least `expected` or 10 s passed. The guest answers
    /// pings a moment before its line reaches virtlogd's file: the count may lag escd's
    /// verdict, never exceed it. (A guest killed loses what its serial port had not passed on
    /// yet: count after the kill only.)
    /// `dir`: the console directory of the guest's host (kConsoleDir for host 1).
    static int ReadyOnConsole(const std::string& vm,
                              int expected,
                              std::uintmax_t since = 0,
                              const std::string& dir = kConsoleDir) {
        const auto count = [&] {
            std::ifstream in(ConsoleLog(vm, dir));
            in.seekg(static_cast<std::streamoff>(since));
            std::string line;
            int ready = 0;
            while (std::getline(in, line))
                ready += line.find("escd-vnf: ready") != std::string::npos;
            return ready;
        };
        // Woken by virtlogd's writes to the log directory (inotify), not by polling.
        const int watcher = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (watcher >= 0) ::inotify_add_watch(watcher, dir.c_str(), IN_MODIFY | IN_CREATE);
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        int ready = count();
        while (ready < expected && watcher >= 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd pfd{watcher, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
            char events[4096];
            while (::read(watcher, events, sizeof events) > 0) {
            }
            ready = count();
        }
        if (watcher >= 0) ::close(watcher);
        return ready;
    }

    // --- escd's view --------------------------------------------------------------------------

    /// vm_name -> (vm_state_machine_state, first interface's ip_address) from GET.
    std::map<std::string, std::pair<std::string, std::string>> VmsByGet() {
        std::map<std::string, std::pair<std::string, std::string>> out;
        auto got = client_->Get("/v0/deployments/" + deployment_);
        EXPECT_EQ(got.status, 200) << got.body;
        pugi::xml_document doc;
        if (!doc.load_string(got.body.c_str())) return out;
        for (const auto& node : doc.select_nodes("//vm_instance")) {
            const auto vm = node.node();
            out[vm.child_value("vm_name")] = {
                vm.child_value("vm_state_machine_state"),
                vm.select_node(".//interface/ip_address").node().child_value()};
        }
        return out;
    }

    std::string ServiceStateByGet() {
        auto got = client_->Get("/v0/deployments/" + deployment_);
        return XmlText(got.body, "service_state_machine_state");
    }

    // --- callbacks ----------------------------------------------------------------------------

    /// Blocks, woken by each delivered callback, until `done` holds for what was delivered so
    /// far or `timeout` passes; returns what was delivered.
    std::vector<ReceivedRequest> DeliveredUntil(
        const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
        std::chrono::seconds timeout = kVnfWait) {
        const auto deadline = Clock::now() + timeout;
        auto delivered = receiver_.WaitForDelivered(0, std::chrono::milliseconds(0));
        while (!done(delivered) && Clock::now() < deadline) {
            delivered = receiver_.WaitForDelivered(
                delivered.size() + 1,
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
        }
        return delivered;
    }

    /// The callbacks of transaction `tx`, in delivery order.
    static std::vector<ReceivedRequest> OfTransaction(const std::vector<ReceivedRequest>& all,
                                                      const std::string& tx) {
        std::vector<ReceivedRequest> out;
        for (const auto& cb : all)
            if (cb.Header("ESC-Transaction-Id") == tx) out.push_back(cb);
        return out;
    }

    /// What a callback reports: a deployment's `deployment_stage`, or an `esc_event`'s
    /// `event_type` (VM operations).
    static std::string StageOf(const ReceivedRequest& cb) {
        auto stage = XmlText(cb.body, "deployment_stage");
        return stage.empty() ? XmlText(cb.body, "event_type") : stage;
    }

    static std::vector<ReceivedRequest> Stage(const std::vector<ReceivedRequest>& all,
                                              const std::string& tx,
                                              const std::string& stage) {
        std::vector<ReceivedRequest> out;
        for (const auto& cb : OfTransaction(all, tx))
            if (StageOf(cb) == stage) out.push_back(cb);
        return out;
    }

    static std::vector<std::string> Stages(const std::vector<ReceivedRequest>& callbacks) {
        std::vector<std::string> out;
        for (const auto& cb : callbacks) out.push_back(StageOf(cb));
        return out;
    }

    /// The callbacks of `tx`, once one of stage `last` came (or kVnfWait passed).
    std::vector<ReceivedRequest> Await(const std::string& tx, const std::string& last) {
        return OfTransaction(
            DeliveredUntil([&](const auto& all) { return !Stage(all, tx, last).empty(); }), tx);
    }

    /// Reboots VM `vm` through the ESC face and expects VM_REBOOT_COMPLETE, then VM_ALIVE once
    /// the guest answers again; how long that took.
    Clock::duration RebootToAlive(const std::string& vm) {
        const auto asked = Clock::now();
        auto reboot = client_->Post("/v0/vten/deployments/vm/" + vm,
                                    "<vm_operation><operation>reboot</operation></vm_operation>",
                                    WithCallback());
        EXPECT_EQ(reboot.status, 200) << reboot.body;
        if (reboot.status != 200) return {};
        const auto rebooted = Await(reboot.Header("ESC-Transaction-Id"), "VM_ALIVE");
        EXPECT_EQ(Stages(rebooted), (Strings{"VM_REBOOT_COMPLETE", "VM_ALIVE"})) << escd_->Log();
        return Clock::now() - asked;
    }

    /// The VMs of the callbacks that reported success: duplicates collapse.
    static std::set<std::string> VmsWith(const std::vector<ReceivedRequest>& callbacks) {
        std::set<std::string> out;
        for (const auto& cb : callbacks)
            if (cb.Header("ESC-Status-Code") == "200") out.insert(XmlText(cb.body, "vm_name"));
        return out;
    }

    /// POSTs the deployment of `count` VNFs; its transaction id.
    std::string Deploy(int count, const std::string& recovery_policy = {}) {
        auto post = client_->Post("/v0/deployments/" + deployment_,
                                  Datamodel(count, recovery_policy), WithCallback());
        EXPECT_EQ(post.status, 200) << post.body;
        return post.Header("ESC-Transaction-Id");
    }

    /// Seeds, deploys `count` VNFs (with `recovery_policy`, a <recovery_policy> element, when
    /// given), waits for SERVICE_ALIVE and checks the deploy's events in order; the VMs
    /// (name -> address) as GET shows them, alive.
    std::map<std::string, std::string> DeployAlive(int count,
                                                   const std::string& recovery_policy = {}) {
        std::map<std::string, std::string> out;
        Seed();
        if (HasFatalFailure()) return out;
        const auto posted = Clock::now();
        const auto tx = Deploy(count, recovery_policy);
        const auto callbacks = Await(tx, "SERVICE_ALIVE");
        std::cout << "[ vnf ] " << count << " VNFs: POST to SERVICE_ALIVE "
                  << Seconds(Clock::now() - posted) << " s\n";
        Strings expected(count, "VM_DEPLOYED");
        expected.insert(expected.end(), count, "VM_ALIVE");
        expected.push_back("SERVICE_ALIVE");
        EXPECT_EQ(Stages(callbacks), expected) << escd_->Log();
        for (const auto& cb : callbacks) EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
        for (const auto& [name, vm] : VmsByGet()) {
            EXPECT_EQ(vm.first, "VM_ALIVE_STATE") << name;
            out[name] = vm.second;
        }
        EXPECT_EQ(out.size(), static_cast<std::size_t>(count));
        EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
        return out;
    }

    /// Undeploys and checks that libvirt is left with no domain and no VM volume of it.
    void UndeployLeavesNothing(const std::set<std::string>& vms) {
        const auto started = Clock::now();
        auto del = client_->Delete("/v0/deployments/" + deployment_, WithCallback());
        ASSERT_EQ(del.status, 200) << del.body;
        const auto tx = del.Header("ESC-Transaction-Id");
        auto gone = Await(tx, "SERVICE_UNDEPLOYED");
        std::cout << "[ vnf ] undeploy " << Seconds(Clock::now() - started) << " s\n";
        auto undeployed = Stage(gone, tx, "SERVICE_UNDEPLOYED");
        ASSERT_FALSE(undeployed.empty()) << escd_->Log();
        EXPECT_EQ(undeployed.back().Header("ESC-Status-Code"), "200") << undeployed.back().body;
        EXPECT_EQ(VmsWith(Stage(gone, tx, "VM_UNDEPLOYED")), vms);
        EXPECT_TRUE(Domains().empty()) << Domains().size() << " domains left";
        EXPECT_TRUE(VirshListAll().empty());
        for (const auto& volume : Volumes())
            EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos) << volume << " left";
        EXPECT_EQ(client_->Get("/v0/deployments/" + deployment_).status, 404);
    }

    std::string uri_, image_;
    /// The ESC image of Datamodel's group: vnf-img (Seed) unless a test made another.
    std::string group_image_ = "vnf-img";
    /// More lines of Datamodel's day-0 escd-vnf.conf, more elements of its configuration (its
    /// variables), and of its group.
    std::string day0_extra_, config_extra_, group_extra_;
    /// Datamodel's group's bootup_time, seconds.
    int bootup_time_ = 240;
    std::string deployment_, network_, pool_, storage_dir_;
    std::unique_ptr<virConnect, ConnectClose> conn_;
};

}  // namespace escd::test
