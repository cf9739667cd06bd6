// escd's VNFs upgraded in place by its CSM face (docs/csm.md, "Install jobs on escd's VNFs"):
// VNFs deployed through the ESC face, registered and discovered as CSM hosts, upgraded by one
// CSM request (Pre-Upgrade, Add from a TFTP repository in the test's namespace, Activate whose
// reload reboots the guest, Post-Upgrade, Commit). While a job may reload a VNF, escd holds the
// VM's monitoring (VM_DISABLE_MONITORING_COMPLETE ... VM_ENABLE_MONITORING_COMPLETE, VM_ALIVE):
// the reboot is not taken for a failure. A device that never comes back fails its job at the
// reload deadline, and the VM, watched again, is recovered. See vnf_device_fixture.hpp.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "tests/vnf/vnf_device_fixture.hpp"

extern char** environ;

namespace escd::test {
namespace {

using namespace std::chrono_literals;
constexpr const char* kIso = "xrv9k-mini-x-6.2.1.iso";
constexpr const char* kRpm = "xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm";
/// The bridge of the test's network (its gateway), where the repository's TFTP server listens.
constexpr const char* kBridge = "192.0.2.1";

/// tftpd-hpa serving `root` on kBridge's port 69, for as long as it lives.
class TftpServer {
  public:
    explicit TftpServer(const std::string& root) {
        const std::string listen = std::string(kBridge) + ":69";
        std::vector<std::string> args{"in.tftpd", "-L", "-a", listen, "-s", root};
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        // Where tftpd-hpa installs it: sbin may not be on the test's PATH.
        if (::posix_spawn(&pid_, "/usr/sbin/in.tftpd", nullptr, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
    }
    ~TftpServer() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    TftpServer(const TftpServer&) = delete;
    TftpServer& operator=(const TftpServer&) = delete;

    /// Whether it listens, once it does (/proc/net/udp names kBridge:69 bound; at most 5 s).
    bool Listening() const {
        if (pid_ <= 0) return false;
        // 192.0.2.1:69 as the kernel prints it: the address's 32 bits as a little-endian number.
        constexpr const char* kBound = "010200C0:0045";
        for (auto deadline = Clock::now() + 5s; Clock::now() < deadline;) {
            std::ifstream udp("/proc/net/udp");
            const std::string table((std::istreambuf_iterator<char>(udp)), {});
            if (table.find(kBound) != std::string::npos) return true;
            // Nothing to await: the kernel tells no one when a socket binds.
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

  private:
    pid_t pid_ = -1;
};

class VnfCsmUpgrade : public VnfDeviceTest {
  protected:
    /// Looks at a running operation every second; a reload of a TCG guest may take minutes on a
    /// busy machine; a command has 60 s (a device that vanished answers none).
    virtual int ReloadTimeoutSeconds() const { return 240; }
    virtual int CommandTimeoutSeconds() const { return 60; }
    Strings CsmArgs() const override {
        return {"--csm.poll_s=1", "--csm.connect_timeout_s=10",
                "--csm.command_timeout_s=" + std::to_string(CommandTimeoutSeconds()),
                "--csm.reload_timeout_s=" + std::to_string(ReloadTimeoutSeconds())};
    }

    static std::map<std::string, std::string> Json() {
        return {{"Content-Type", "application/json"}};
    }

    void Post(const std::string& kind, const boost::json::object& item) {
        const auto answer =
            CsmClient()->Post("/api/v1/" + kind, boost::json::serialize(item), Json());
        ASSERT_EQ(answer.status, 200) << kind << ": " << answer.body;
    }

    /// The packages of release 6.2.1 in a TFTP repository "tftp-vnf" served from the bridge.
    void ServeRepository() {
        // tftpd serves as its own unprivileged user: a directory of its own, world-readable.
        char dir[] = "/tmp/escd-tftp-XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        tftp_root_ = dir;
        const auto root = tftp_root_.string();
        fs::create_directories(root + "/repo");
        std::ofstream(root + "/repo/" + kIso) << "version=6.2.1\n";
        std::ofstream(root + "/repo/" + kRpm) << "test rpm\n";
        const auto readable = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec;
        for (const auto& path : {tftp_root_, tftp_root_ / "repo"}) fs::permissions(path, readable);
        tftp_ = std::make_unique<TftpServer>(root);
        ASSERT_TRUE(tftp_->Listening()) << "in.tftpd (tftpd-hpa) does not listen on " << kBridge;
        Post("server_repositories", {{"hostname", "tftp-vnf"},
                                     {"server_type", "TFTP"},
                                     {"tftp_server_path", std::string(kBridge) + "/repo"},
                                     {"file_directory", root}});
    }

    static boost::json::object Item(const std::string& host, const char* action) {
        boost::json::object item{{"hostname", host}, {"install_action", action}};
        const std::string name = action;
        if (name == "Add") item["server_repository"] = "tftp-vnf";
        if (name == "Add" || name == "Activate") item["software_packages"] = {kIso, kRpm};
        return item;
    }

    /// Schedules `items` in one request: the jobs' ids, in the answer's order.
    std::vector<std::int64_t> Schedule(const boost::json::array& items) {
        const auto answer =
            CsmClient()->Post("/api/v1/install", boost::json::serialize(items), Json());
        EXPECT_EQ(answer.status, 200) << answer.body;
        std::vector<std::int64_t> ids;
        if (answer.status != 200) return ids;
        const auto parsed = boost::json::parse(answer.body);
        for (const auto& row :
             parsed.at("api_response").as_object().at("install_job_list").as_array())
            ids.push_back(row.at("id").as_int64());
        return ids;
    }

    /// The job's row.
    boost::json::object Job(std::int64_t id) {
        const auto answer = CsmClient()->Get("/api/v1/install?id=" + std::to_string(id));
        if (answer.status != 200) return {};
        const auto parsed = boost::json::parse(answer.body);
        return parsed.at("api_response")
            .as_object()
            .at("install_job_list")
            .as_array()
            .at(0)
            .as_object();
    }
    static std::string StatusOf(const boost::json::object& job) {
        const auto* status = job.if_contains("status");
        return status && status->is_string() ? std::string(status->as_string()) : "";
    }

    /// The jobs' rows once each completed or failed, at most `limit`. The CSM API has no event
    /// for a job's end: they are read back every 500 ms.
    std::vector<boost::json::object> AwaitEnd(const std::vector<std::int64_t>& ids,
                                              std::chrono::seconds limit) {
        const auto deadline = Clock::now() + limit;
        for (;;) {
            std::vector<boost::json::object> rows;
            bool ended = true;
            for (const auto id : ids) {
                rows.push_back(Job(id));
                const auto status = StatusOf(rows.back());
                ended = ended && (status == "completed" || status == "failed");
            }
            if (ended || Clock::now() > deadline) return rows;
            std::this_thread::sleep_for(500ms);
        }
    }

    /// The callbacks delivered after the first `seen` ones whose stage is `stage`.
    static std::size_t Count(const std::vector<ReceivedRequest>& all,
                             std::size_t seen,
                             const std::string& stage) {
        std::size_t n = 0;
        for (std::size_t i = seen; i < all.size(); ++i) n += StageOf(all[i]) == stage;
        return n;
    }
    static Strings RecoveryStages(const std::vector<ReceivedRequest>& all, std::size_t seen) {
        Strings out;
        for (std::size_t i = seen; i < all.size(); ++i)
            if (StageOf(all[i]).rfind("VM_RECOVERY_", 0) == 0) out.push_back(StageOf(all[i]));
        return out;
    }

    void TearDown() override {
        tftp_.reset();
        if (!tftp_root_.empty()) fs::remove_all(tftp_root_);
        VnfDeviceTest::TearDown();
    }

    std::unique_ptr<TftpServer> tftp_;
    fs::path tftp_root_;
};

TEST_F(VnfCsmUpgrade, TwoVnfsUpgradedByOneRequestRebootWithoutARecoveryAndKeepTheirRelease) {
    const auto vms = DeployAlive(2);
    if (HasFatalFailure()) return;
    for (const auto& [vm, address] : vms) {
        const auto host = DiscoveredHost(vm, 1);
        ASSERT_FALSE(host.empty()) << vm << " was not discovered\n" << escd_->Log();
        EXPECT_EQ(host.at("software_version").as_string(), "6.1.3");
    }
    ServeRepository();
    if (HasFatalFailure()) return;

    const auto seen = receiver_.Requests().size();
    boost::json::array items;
    for (const auto& [vm, address] : vms)
        for (const char* action : {"Pre-Upgrade", "Add", "Activate", "Post-Upgrade", "Commit"})
            items.push_back(Item(vm, action));
    const auto scheduled = Clock::now();
    const auto ids = Schedule(items);
    ASSERT_EQ(ids.size(), 10u);
    for (const auto& job : AwaitEnd(ids, 600s)) {
        EXPECT_EQ(StatusOf(job), "completed") << boost::json::serialize(job) << "\n"
                                              << escd_->Log();
    }
    std::cout << "[ vnf ] CSM upgrade of 2 VNFs (5 jobs each): scheduled to all completed "
              << Seconds(Clock::now() - scheduled) << " s\n";

    // Each activation held its VM's monitoring, released it and saw the VM alive again.
    const auto all = DeliveredUntil([&](const auto& delivered) {
        return Count(delivered, seen, "VM_ENABLE_MONITORING_COMPLETE") >= 2 &&
               Count(delivered, seen, "VM_ALIVE") >= 2;
    });
    EXPECT_EQ(Count(all, seen, "VM_DISABLE_MONITORING_COMPLETE"), 2u);
    EXPECT_EQ(Count(all, seen, "VM_ENABLE_MONITORING_COMPLETE"), 2u);
    EXPECT_EQ(Count(all, seen, "VM_ALIVE"), 2u);
    EXPECT_TRUE(RecoveryStages(all, seen).empty()) << "the reload was taken for a failure\n"
                                                   << escd_->Log();
    for (std::size_t i = seen; i < all.size(); ++i)
        EXPECT_EQ(all[i].Header("ESC-Status-Code"), "200") << all[i].body;

    for (const auto& [vm, address] : vms) {
        EXPECT_EQ(ReadyOnConsole(vm, 2), 2) << vm << ": the activation's reload is one reboot";
        const auto version = OverSsh(address, "show version");
        EXPECT_NE(version.find("Version 6.2.1"), std::string::npos) << version;
        EXPECT_EQ(DiscoveredHost(vm, 1).at("software_version").as_string(), "6.2.1")
            << "the job read the facts again";
    }

    // Committed: the release survives a reboot of the VM.
    const auto& [vm, address] = *vms.begin();
    RebootToAlive(vm);
    ASSERT_EQ(ReadyOnConsole(vm, 3), 3);
    const auto after = OverSsh(address, "show version");
    EXPECT_NE(after.find("Version 6.2.1"), std::string::npos) << after;

    std::set<std::string> names;
    for (const auto& [name, ignored] : vms) names.insert(name);
    UndeployLeavesNothing(names);
}

class VnfCsmLostDevice : public VnfCsmUpgrade {
  protected:
    int ReloadTimeoutSeconds() const override { return 20; }
    int CommandTimeoutSeconds() const override { return 10; }
    void SetUp() override {
        VnfCsmUpgrade::SetUp();
        bootup_time_ = 40;
    }
};

// The VNF dies in its activation and never comes back: the job fails at its reload deadline,
// the monitoring comes back on, the VM does not prove alive within its bootup_time and is
// recovered (a reboot).
TEST_F(VnfCsmLostDevice, AJobWhoseVnfNeverComesBackFailsAtTheReloadDeadlineAndTheVmIsRecovered) {
    const auto vms = DeployAlive(1);
    if (HasFatalFailure()) return;
    const auto& [vm, address] = *vms.begin();
    ASSERT_FALSE(DiscoveredHost(vm, 1).empty()) << escd_->Log();
    ServeRepository();
    if (HasFatalFailure()) return;

    const auto seen = receiver_.Requests().size();
    const auto ids = Schedule({Item(vm, "Add"), Item(vm, "Activate")});
    ASSERT_EQ(ids.size(), 2u);
    const auto started = "install job " + std::to_string(ids[1]) + ": install operation";
    ASSERT_TRUE(escd_->WaitForLog(started, 1, kVnfWait)) << escd_->Log();
    const auto held = DeliveredUntil([&](const auto& delivered) {
        return Count(delivered, seen, "VM_DISABLE_MONITORING_COMPLETE") >= 1;
    });
    ASSERT_EQ(Count(held, seen, "VM_DISABLE_MONITORING_COMPLETE"), 1u) << "not held";
    const auto lost = Clock::now();
    ASSERT_EQ(Run("virsh -q -c " + uri_ + " destroy " + vm + " >/dev/null 2>&1; echo $?"), "0\n");

    const auto rows = AwaitEnd(ids, 300s);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(StatusOf(rows[0]), "completed") << boost::json::serialize(rows[0]);
    EXPECT_EQ(StatusOf(rows[1]), "failed") << boost::json::serialize(rows[1]);
    const auto* message = rows[1].if_contains("status_message");
    ASSERT_NE(message, nullptr) << boost::json::serialize(rows[1]);
    EXPECT_NE(std::string(message->as_string()).find("did not come back within 20 s"),
              std::string::npos)
        << boost::json::serialize(rows[1]);
    const auto failed = Clock::now();
    EXPECT_TRUE(RecoveryStages(receiver_.Requests(), seen).empty())
        << "recovered while its job held it";

    const auto all = DeliveredUntil(
        [&](const auto& delivered) { return Count(delivered, seen, "VM_RECOVERY_COMPLETE") >= 1; });
    std::cout << "[ vnf ] device lost to job failed " << Seconds(failed - lost)
              << " s; to VM_RECOVERY_COMPLETE " << Seconds(Clock::now() - lost) << " s\n";
    Strings stages;
    for (std::size_t i = seen; i < all.size(); ++i) stages.push_back(StageOf(all[i]));
    const auto position = [&](const std::string& stage) {
        return std::find(stages.begin(), stages.end(), stage) - stages.begin();
    };
    ASSERT_LT(position("VM_RECOVERY_COMPLETE"), static_cast<long>(stages.size()))
        << "not recovered\n"
        << escd_->Log();
    EXPECT_LT(position("VM_ENABLE_MONITORING_COMPLETE"), position("VM_RECOVERY_INIT"));
    EXPECT_EQ(all.at(seen + position("VM_RECOVERY_COMPLETE")).Header("ESC-Status-Code"), "200");
    EXPECT_EQ(VmsByGet().at(vm).first, "VM_ALIVE_STATE");
    EXPECT_TRUE(AnswersPing(address, 10s)) << "the recovered VNF does not answer";

    UndeployLeavesNothing({vm});
}

}  // namespace
}  // namespace escd::test
