// Live migration on real qemu (docs/behaviour.md, "Migration"): escd on a libvirt VIM of two
// compute hosts (tests/qemu/up.sh with ESCD_TEST_QEMU_HOSTS=2: two libvirtds, one guest segment,
// a migration link) moves a running VNF from host 1 to host 2 with virDomainMigrate. The guest
// keeps running through the move: it answers pings with at most a short gap, it is not
// recovered, the domain on host 2 runs because it was migrated there (not booted), and its
// console on host 2 shows no boot. Skipped when tests/run-vnf.sh started one host only.

#include <signal.h>

#include <atomic>
#include <thread>

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

constexpr const char* kHost1 = "host-1";
constexpr const char* kHost2 = "host-2";

class VnfMigration : public VnfTest {
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
    /// The completed migration job of `vm` as host 2 recorded it.
    Job MigrationJob(const std::string& vm) {
        Job job;
        Domain domain(virDomainLookupByName(conn2_.get(), vm.c_str()));
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

TEST_F(VnfMigration, ALiveMigrationMovesTheRunningGuestToHost2WhereItKeepsAnswering) {
    const auto deployed = Clock::now();
    const auto vms = DeployAlive(1);
    if (HasFatalFailure()) return;
    const auto boot = Clock::now() - deployed;
    const auto& [vm, address] = *vms.begin();
    ASSERT_EQ(XmlText(client_->Get("/v0/deployments/" + deployment_).body, "host_name"), kHost1);
    ASSERT_TRUE(Facts().contains(vm)) << "not on host 1";
    EXPECT_TRUE(Domains(conn2_.get()).empty()) << "on host 2 before the move";
    const pid_t pid1 = QemuPid(vm);
    ASSERT_GT(pid1, 0) << "no qemu pid for " << vm << " on host 1";
    const auto uuid = Facts().at(vm).uuid;
    EXPECT_EQ(ReadyOnConsole(vm, 1), 1) << "the guest's boot is not on host 1's console";

    const auto seen = receiver_.Requests().size();
    auto pings = std::make_unique<PingWatch>(address);
    const auto asked = Clock::now();
    auto post = client_->Post("/v0/vten/deployments/migrate-vm/" + vm,
                              "<vm_operation><operation>migrate</operation>"
                              "<migrationType>live</migrationType><host>" +
                                  std::string(kHost2) + "</host></vm_operation>",
                              WithCallback());
    ASSERT_EQ(post.status, 200) << post.body;
    const auto tx = post.Header("ESC-Transaction-Id");
    const auto done = Await(tx, "VM_MIGRATE_COMPLETE");
    const auto took = Clock::now() - asked;
    // A few more seconds of pings: a guest that lost its network with the move would show it.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    pings->Stop();
    std::cout << "[ vnf ] live migration: POST to VM_MIGRATE_COMPLETE " << Seconds(took)
              << " s; pings every 50 ms: " << pings->Answered() << " answered, "
              << pings->Unanswered() << " unanswered, longest gap " << Seconds(pings->LongestGap())
              << " s (the deploy took " << Seconds(boot) << " s to SERVICE_ALIVE)\n";

    ASSERT_EQ(done.size(), 1u) << escd_->Log();
    const auto& event = done.front();
    EXPECT_EQ(event.Header("ESC-Status-Code"), "200") << event.body << escd_->Log();
    EXPECT_EQ(XmlText(event.body, "event_type"), "VM_MIGRATE_COMPLETE");
    EXPECT_EQ(XmlText(event.body, "vm_name"), vm);
    EXPECT_EQ(XmlText(event.body, "host_name"), kHost2);
    EXPECT_EQ(XmlText(event.body, "source_host"), kHost1);
    EXPECT_EQ(XmlText(event.body, "target_host"), kHost2);
    EXPECT_EQ(XmlText(event.body, "migration_type"), "live");

    // libvirt's side: the one domain runs on host 2, because it was migrated there; host 1 has
    // neither its definition nor its qemu.
    EXPECT_TRUE(Domains().empty()) << "still defined on host 1";
    EXPECT_NE(::kill(pid1, 0), 0) << "host 1's qemu (pid " << pid1 << ") still runs";
    const auto on2 = Facts(conn2_.get());
    ASSERT_TRUE(on2.contains(vm)) << "not on host 2";
    EXPECT_EQ(on2.at(vm).uuid, uuid);
    EXPECT_EQ(on2.at(vm).state, VIR_DOMAIN_RUNNING);
    EXPECT_EQ(on2.at(vm).reason, VIR_DOMAIN_RUNNING_MIGRATED)
        << "the domain on host 2 was not started by an incoming migration";
    EXPECT_GT(QemuPid2(vm), 0) << "no qemu pid for " << vm << " on host 2";
    // libvirt's record of the incoming migration on host 2: the guest's memory came over.
    const auto job = MigrationJob(vm);
    std::cout << "[ vnf ] libvirt on host 2: migration " << job.elapsed_ms << " ms, downtime "
              << job.downtime_ms << " ms, " << job.memory_bytes / (1024 * 1024)
              << " MiB of guest memory\n";
    EXPECT_GT(job.memory_bytes, 0u) << "host 2 has no record of the guest's memory coming over";
    // The guest did not boot again: its boot lines are on host 1's console only, and it never
    // stopped answering for anything like the time it takes to boot.
    EXPECT_EQ(ReadyOnConsole(vm, 0, 0, ConsoleDir2()), 0) << "the guest booted on host 2";
    EXPECT_LT(pings->LongestGap(), std::chrono::seconds(3))
        << "escd's monitor (down after 3 unanswered 1-s polls) would have seen the VNF down";
    EXPECT_LT(pings->LongestGap(), boot);
    EXPECT_GT(pings->Answered(), 0);
    EXPECT_TRUE(Volumes(conn2_.get()).contains("escd-day0-" + vm))
        << "the config drive did not move to host 2";
    for (const auto& volume : Volumes())
        EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos) << volume << " left on host 1";

    // escd's side: the VM is on host 2, alive, and nothing but the move was reported.
    const auto by_get = VmsByGet();
    EXPECT_EQ(by_get.at(vm).first, "VM_ALIVE_STATE");
    EXPECT_EQ(by_get.at(vm).second, address);
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/" + deployment_).body, "host_name"), kHost2);
    EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
    const auto all = receiver_.Requests();
    Strings since;
    for (std::size_t i = seen; i < all.size(); ++i) since.push_back(StageOf(all[i]));
    EXPECT_EQ(since, (Strings{"VM_MIGRATE_COMPLETE"})) << escd_->Log();

    UndeployLeavesNothing({vm});
    EXPECT_TRUE(Domains(conn2_.get()).empty()) << "left on host 2";
    for (const auto& volume : Volumes(conn2_.get()))
        EXPECT_EQ(volume.rfind("escd-day0-", 0), std::string::npos) << volume << " left on host 2";
    EXPECT_EQ(QemuPid2(vm), 0) << "host 2's qemu pid file is left";
}

}  // namespace
}  // namespace escd::test
