// Live migration on real qemu (docs/behaviour.md, "Migration"): escd on a libvirt VIM of two
// compute hosts (tests/qemu/up.sh with ESCD_TEST_QEMU_HOSTS=2: two libvirtds, one guest segment,
// a migration link) moves a running VNF from host 1 to host 2 with virDomainMigrate, and back.
// The guest keeps running through each move: it answers pings with at most a short gap, it is
// not recovered, the domain on the target runs because it was migrated there (not booted), with
// the guest's memory carried, and the target's console shows no boot. Skipped when
// tests/run-vnf.sh started one host only.

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

constexpr const char* kHost1 = "host-1";
constexpr const char* kHost2 = "host-2";

class TwoHosts : public VnfTest {
  protected:
    void SetUp() override {
        const char* uri2 = std::getenv("ESCD_TEST_QEMU_URI2");
        const char* dir2 = std::getenv("ESCD_TEST_QEMU_DIR2");
        if (std::getenv("ESCD_TEST_QEMU_URI") && (!uri2 || !*uri2 || !dir2 || !*dir2)) {
            GTEST_SKIP() << "one qemu host only: ESCD_TEST_QEMU_URI2 is not set (run with "
                            "ESCD_TEST_QEMU_HOSTS=2 tests/run-vnf.sh)";
        }
        if (uri2) uri2_ = uri2;
        if (dir2) dir2_ = dir2;
        VnfTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        conn2_.reset(virConnectOpen(uri2_.c_str()));
        ASSERT_TRUE(conn2_) << "ESCD_TEST_QEMU_URI2=" << uri2_
                            << " cannot be opened: " << virGetLastErrorMessage();
    }

    void TearDown() override {
        VnfTest::TearDown();
        if (conn2_) RemoveLeftovers(conn2_.get());
    }

    Strings VimArgs() const override {
        return {"--vim.hosts=" + std::string(kHost1) + "=" + uri_ + "," + kHost2 + "=" + uri2_};
    }

    /// The pid of the qemu process of domain `name` running on host 2; 0 if none.
    pid_t QemuPid2(const std::string& name) const {
        std::ifstream in(dir2_ + "/run/qemu/" + name + ".pid");
        pid_t pid = 0;
        in >> pid;
        return pid;
    }

    /// Host 2's console directory, as this namespace sees it (tests/qemu/up.sh).
    std::string ConsoleDir2() const { return dir2_ + "/log/qemu"; }

    struct Job {
        unsigned long long elapsed_ms = 0, downtime_ms = 0, memory_bytes = 0;
    };
    /// The completed migration job of `vm` as the target of its migration (`conn`) recorded it.
    static Job MigrationJob(virConnectPtr conn, const std::string& vm) {
        Job job;
        Domain domain(virDomainLookupByName(conn, vm.c_str()));
        int type = 0, count = 0;
        virTypedParameterPtr params = nullptr;
        if (!domain || virDomainGetJobStats(domain.get(), &type, &params, &count,
                                            VIR_DOMAIN_JOB_STATS_COMPLETED) != 0)
            return job;
        virTypedParamsGetULLong(params, count, VIR_DOMAIN_JOB_TIME_ELAPSED, &job.elapsed_ms);
        virTypedParamsGetULLong(params, count, VIR_DOMAIN_JOB_DOWNTIME, &job.downtime_ms);
        virTypedParamsGetULLong(params, count, VIR_DOMAIN_JOB_MEMORY_PROCESSED, &job.memory_bytes);
        virTypedParamsFree(params, count);
        return job;
    }

    std::string uri2_, dir2_;
    std::unique_ptr<virConnect, ConnectClose> conn2_;
};

/// Pings `address` every 50 ms on a thread of its own until destroyed; the longest time between
/// two answers (or from the start to the first one) is the gap a client of the VNF saw.
class PingWatch {
  public:
    explicit PingWatch(std::string address)
        : address_(std::move(address)), thread_([this] { Run(); }) {}
    ~PingWatch() { Stop(); }

    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    Clock::duration LongestGap() const { return longest_; }
    int Answered() const { return answered_; }
    int Unanswered() const { return unanswered_; }

  private:
    void Run() {
        auto last = Clock::now();
        while (!stop_) {
            const auto sent = Clock::now();
            if (AnswersPing(address_, std::chrono::milliseconds(200))) {
                const auto now = Clock::now();
                longest_ = std::max(longest_, now - last);
                last = now;
                ++answered_;
            } else {
                ++unanswered_;
            }
            std::this_thread::sleep_until(sent + std::chrono::milliseconds(50));
        }
        longest_ = std::max(longest_, Clock::now() - last);
    }

    std::string address_;
    std::atomic<bool> stop_{false};
    Clock::duration longest_{};
    int answered_ = 0, unanswered_ = 0;
    std::thread thread_;
};

/// One host as the test sees it: escd's name for it, a connection to its libvirtd, its qemu pid
/// files and its console directory.
struct HostView {
    std::string name;
    virConnectPtr conn;
    std::function<pid_t(const std::string&)> qemu_pid;
    std::string console_dir;
};

class VnfMigration : public TwoHosts {
  protected:
    HostView Host1() {
        return {kHost1, conn_.get(), [](const std::string& vm) { return QemuPid(vm); },
                kConsoleDir};
    }
    HostView Host2() {
        return {kHost2, conn2_.get(), [this](const std::string& vm) { return QemuPid2(vm); },
                ConsoleDir2()};
    }

    /// Migrates the running `vm` live from `from` to `to` (named in the request, or left to
    /// escd's choice: the first other enabled host; `block`: the request's blockMigration, none
    /// when empty, which is auto) while pinging `address` every 50 ms, and
    /// checks the move on escd's side and on libvirt's, and that the guest kept running: no
    /// boot on the target's console, a ping gap far below the time it takes to boot (`boot`)
    /// and below escd's down threshold, the domain running on the target because it migrated
    /// there, with the guest's memory carried.
    void ExpectLiveMove(const std::string& vm,
                        const std::string& address,
                        const HostView& from,
                        const HostView& to,
                        bool name_target,
                        const std::string& block,
                        Clock::duration boot) {
        const pid_t old_pid = from.qemu_pid(vm);
        ASSERT_GT(old_pid, 0) << "no qemu pid for " << vm << " on " << from.name;
        const auto before = Facts(from.conn);
        ASSERT_TRUE(before.contains(vm)) << "not on " << from.name;
        EXPECT_TRUE(Domains(to.conn).empty()) << "on " << to.name << " before the move";
        const int boots_on_target = ReadyOnConsole(vm, 0, 0, to.console_dir);

        const auto seen = receiver_.Requests().size();
        PingWatch pings(address);
        const auto asked = Clock::now();
        auto post = client_->Post(
            "/v0/vten/deployments/migrate-vm/" + vm,
            "<vm_operation><operation>migrate</operation>"
            "<migrationType>live</migrationType>" +
                (name_target ? "<host>" + to.name + "</host>" : "") +
                (block.empty() ? "" : "<blockMigration>" + block + "</blockMigration>") +
                "</vm_operation>",
            WithCallback());
        ASSERT_EQ(post.status, 200) << post.body;
        const auto tx = post.Header("ESC-Transaction-Id");
        const auto done = Await(tx, "VM_MIGRATE_COMPLETE");
        const auto took = Clock::now() - asked;
        // Three more seconds of pings: no event tells that a guest lost its network with the
        // move; its silence would. Any report of escd's (a recovery) ends the wait.
        DeliveredUntil([&](const auto& all) { return all.size() > seen + 1; },
                       std::chrono::seconds(3));
        pings.Stop();
        const auto job = MigrationJob(to.conn, vm);
        std::cout << "[ vnf ] live migration " << from.name << " -> " << to.name
                  << " (blockMigration " << (block.empty() ? "auto" : block)
                  << "): POST to VM_MIGRATE_COMPLETE " << Seconds(took) << " s (libvirt "
                  << job.elapsed_ms << " ms, downtime " << job.downtime_ms << " ms, "
                  << job.memory_bytes / (1024 * 1024)
                  << " MiB of guest memory); pings every 50 ms: " << pings.Answered()
                  << " answered, " << pings.Unanswered() << " unanswered, longest gap "
                  << Seconds(pings.LongestGap()) << " s (the deploy took " << Seconds(boot)
                  << " s to SERVICE_ALIVE)\n";

        ASSERT_EQ(done.size(), 1u) << escd_->Log();
        const auto& event = done.front();
        EXPECT_EQ(event.Header("ESC-Status-Code"), "200") << event.body << escd_->Log();
        EXPECT_EQ(XmlText(event.body, "event_type"), "VM_MIGRATE_COMPLETE");
        EXPECT_EQ(XmlText(event.body, "vm_name"), vm);
        EXPECT_EQ(XmlText(event.body, "host_name"), to.name);
        EXPECT_EQ(XmlText(event.body, "source_host"), from.name);
        EXPECT_EQ(XmlText(event.body, "target_host"), to.name);
        EXPECT_EQ(XmlText(event.body, "migration_type"), "live");

        // libvirt's side: the one domain runs on the target because it was migrated there; the
        // source has neither its definition nor its qemu.
        EXPECT_TRUE(Domains(from.conn).empty()) << "still defined on " << from.name;
        EXPECT_NE(::kill(old_pid, 0), 0) << from.name << "'s qemu (pid " << old_pid << ") runs";
        const auto after = Facts(to.conn);
        ASSERT_TRUE(after.contains(vm)) << "not on " << to.name;
        EXPECT_EQ(after.at(vm).uuid, before.at(vm).uuid);
        EXPECT_EQ(after.at(vm).state, VIR_DOMAIN_RUNNING);
        EXPECT_EQ(after.at(vm).reason, VIR_DOMAIN_RUNNING_MIGRATED)
            << "the domain on " << to.name << " was not started by an incoming migration";
        EXPECT_GT(to.qemu_pid(vm), 0) << "no qemu pid for " << vm << " on " << to.name;
        EXPECT_GT(job.memory_bytes, 0u) << to.name << " has no record of the guest's memory";
        // The guest did not boot again: no boot line on the target's console, and it never
        // stopped answering for anything like the time it takes to boot.
        EXPECT_EQ(ReadyOnConsole(vm, 0, 0, to.console_dir), boots_on_target)
            << "the guest booted on " << to.name;
        EXPECT_LT(pings.LongestGap(), std::chrono::seconds(3))
            << "escd's monitor (down after 3 unanswered 1-s polls) would have seen the VNF down";
        EXPECT_LT(pings.LongestGap(), boot);
        EXPECT_GT(pings.Answered(), 0);
        EXPECT_TRUE(Volumes(to.conn).contains("escd-day0-" + vm))
            << "the config drive did not move to " << to.name;
        for (const auto& volume : Volumes(from.conn))
            EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos)
                << volume << " left on " << from.name;

        // escd's side: the VM is on the target, alive, and nothing but the move was reported.
        const auto by_get = VmsByGet();
        EXPECT_EQ(by_get.at(vm).first, "VM_ALIVE_STATE");
        EXPECT_EQ(by_get.at(vm).second, address);
        EXPECT_EQ(XmlText(client_->Get("/v0/deployments/" + deployment_).body, "host_name"),
                  to.name);
        EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
        const auto all = receiver_.Requests();
        Strings since;
        for (std::size_t i = seen; i < all.size(); ++i) since.push_back(StageOf(all[i]));
        EXPECT_EQ(since, (Strings{"VM_MIGRATE_COMPLETE"})) << escd_->Log();
    }
};

TEST_F(VnfMigration, TheRunningGuestMovesToHost2AndBackAnsweringThroughoutAndNeverBooting) {
    const auto deployed = Clock::now();
    const auto vms = DeployAlive(1);
    if (HasFatalFailure()) return;
    const auto boot = Clock::now() - deployed;
    const auto& [vm, address] = *vms.begin();
    ASSERT_EQ(XmlText(client_->Get("/v0/deployments/" + deployment_).body, "host_name"), kHost1);
    EXPECT_EQ(ReadyOnConsole(vm, 1), 1) << "the guest's boot is not on host 1's console";

    // blockMigration auto: VIR_MIGRATE_NON_SHARED_DISK, which has no disk to copy (escd's are
    // read-only, and every host has their volumes).
    ExpectLiveMove(vm, address, Host1(), Host2(), true, "", boot);
    if (HasFatalFailure()) return;
    // Back without naming a host (escd takes the first other enabled one), without the flag.
    ExpectLiveMove(vm, address, Host2(), Host1(), false, "false", boot);
    if (HasFatalFailure()) return;

    UndeployLeavesNothing({vm});
    EXPECT_TRUE(Domains(conn2_.get()).empty()) << "left on host 2";
    for (const auto& volume : Volumes(conn2_.get()))
        EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos) << volume << " left on host 2";
}

// A cold move reboots the guest (shut down on host 1, started on host 2): escd reports
// VM_MIGRATE_COMPLETE once the guest answers on host 2, and its boot is not taken for a failure
// (no recovery). Before that was fixed, the callback came once the domain started and the
// monitor then recovered the booting guest by a reboot.
TEST_F(VnfMigration, AColdMigrationBootsTheGuestOnHost2AndReportsOnceItAnswersWithoutARecovery) {
    const auto vms = DeployAlive(1);
    if (HasFatalFailure()) return;
    const auto& [vm, address] = *vms.begin();
    const auto uuid = Facts().at(vm).uuid;
    const auto seen = receiver_.Requests().size();
    const auto asked = Clock::now();
    auto post = client_->Post("/v0/vten/deployments/migrate-vm/" + vm,
                              "<vm_operation><operation>migrate</operation>"
                              "<migrationType>cold</migrationType><host>" +
                                  std::string(kHost2) + "</host></vm_operation>",
                              WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto done = Await(post.Header("ESC-Transaction-Id"), "VM_MIGRATE_COMPLETE");
    const auto took = Clock::now() - asked;
    ASSERT_EQ(done.size(), 1u) << escd_->Log();
    EXPECT_EQ(done.front().Header("ESC-Status-Code"), "200") << done.front().body;
    EXPECT_EQ(XmlText(done.front().body, "host_name"), kHost2);
    EXPECT_EQ(XmlText(done.front().body, "source_host"), kHost1);
    EXPECT_EQ(XmlText(done.front().body, "migration_type"), "cold");

    // libvirt's side: the same domain (UUID), defined and booted on host 2, gone from host 1.
    const auto on2 = Facts(conn2_.get());
    ASSERT_TRUE(on2.contains(vm)) << "not on host 2";
    EXPECT_EQ(on2.at(vm).uuid, uuid);
    EXPECT_EQ(on2.at(vm).state, VIR_DOMAIN_RUNNING);
    EXPECT_EQ(on2.at(vm).reason, VIR_DOMAIN_RUNNING_BOOTED);
    EXPECT_TRUE(Domains().empty()) << "still on host 1";
    EXPECT_EQ(ReadyOnConsole(vm, 1, 0, ConsoleDir2()), 1) << "the guest did not boot on host 2";
    EXPECT_TRUE(AnswersPing(address, std::chrono::seconds(2)))
        << "the callback came before the guest answered on host 2";
    std::cout << "[ vnf ] cold migration: POST to VM_MIGRATE_COMPLETE " << Seconds(took)
              << " s (the guest booted on host 2 and answered)\n";

    // escd's side: host 2, alive, and no recovery of a guest that only rebooted as asked. Long
    // enough for the monitor to have declared it down (3 polls of 1 s, recovery_wait_time 1 s);
    // any other report ends the wait.
    const auto after = DeliveredUntil([&](const auto& all) { return all.size() > seen + 1; },
                                      std::chrono::seconds(8));
    Strings since;
    for (std::size_t i = seen; i < after.size(); ++i) since.push_back(StageOf(after[i]));
    EXPECT_EQ(since, (Strings{"VM_MIGRATE_COMPLETE"})) << escd_->Log();
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/" + deployment_).body, "host_name"), kHost2);
    EXPECT_EQ(VmsByGet().at(vm).first, "VM_ALIVE_STATE");

    UndeployLeavesNothing({vm});
    EXPECT_TRUE(Domains(conn2_.get()).empty()) << "left on host 2";
}

}  // namespace
}  // namespace escd::test
