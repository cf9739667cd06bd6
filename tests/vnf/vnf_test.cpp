// Real VNFs under qemu, through the ESC API: deployed and alive only when they answer pings on the
// addresses their day-0 configuration gave them; a guest killed and healed; stop, start and
// reboot of real domains; an undeploy that leaves libvirt empty. See vnf_fixture.hpp for the
// setting (tests/run-vnf.sh).

#include <signal.h>
#include <unistd.h>

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

class Vnf : public VnfTest {
  protected:
    HttpResponse ServiceOperation(const std::string& operation) {
        return client_->Post("/v0/vten/deployments/service/" + deployment_,
                             "<service_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                             "<operation>" +
                                 operation + "</operation></service_operation>",
                             WithCallback());
    }
};

TEST_F(Vnf, TwoVnfsAreAliveOnceTheyAnswerOnTheirDayZeroAddressesAndUndeployLeavesNothing) {
    const auto vms = DeployAlive(2);
    if (HasFatalFailure()) return;
    std::set<std::string> names;
    std::set<std::string> addresses;
    const auto facts = Facts();
    const auto volumes = Volumes();
    for (const auto& [name, address] : vms) {
        names.insert(name);
        addresses.insert(address);
        // The guest itself took the address escd allocated, from its config drive, and answers
        // there: this test's own ping, not escd's.
        EXPECT_EQ(address.rfind("192.0.2.", 0), 0u) << name << " got " << address;
        EXPECT_TRUE(AnswersPing(address, std::chrono::seconds(2))) << name << " at " << address;
        EXPECT_TRUE(escd_->Log().find(address + " met its KPI") != std::string::npos)
            << "escd did not see " << address << " answer";
        EXPECT_EQ(ReadyOnConsole(name, 1), 1) << name << " did not boot once";
        auto it = facts.find(name);
        ASSERT_NE(it, facts.end()) << name << " is not on libvirt";
        EXPECT_EQ(it->second.state, VIR_DOMAIN_RUNNING) << name;
        EXPECT_NE(it->second.xml.find("type='qemu'"), std::string::npos);
        EXPECT_TRUE(volumes.contains("escd-day0-" + name)) << name << " has no config drive";
    }
    EXPECT_EQ(addresses.size(), 2u) << "two VNFs, two addresses";
    EXPECT_EQ(facts.size(), 2u);

    UndeployLeavesNothing(names);
    for (const auto& address : addresses)
        EXPECT_FALSE(AnswersPing(address, std::chrono::milliseconds(500))) << address;
}

TEST_F(Vnf, AGuestWhoseQemuIsKilledIsDownAtOnceRecoveredByRebootAndAnswersAgain) {
    const auto vms = DeployAlive(2);
    if (HasFatalFailure()) return;
    const auto victim = vms.begin()->first;
    const auto address = vms.begin()->second;
    const auto bystander = std::next(vms.begin())->first;
    const pid_t pid = QemuPid(victim), bystander_pid = QemuPid(bystander);
    ASSERT_GT(pid, 0) << "no qemu pid for " << victim;

    const auto seen = receiver_.Requests().size();
    std::error_code ec;
    const auto console_at_kill = fs::file_size(ConsoleLog(victim), ec);
    const auto killed = Clock::now();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    // Down within the KPI's 3 false occurrences (1 s polls, each waiting up to 1 s for its
    // replies) — libvirt's lifecycle event usually says so at once.
    ASSERT_TRUE(escd_->WaitForLog("VM " + victim + " of " + deployment_ + " is down", 1,
                                  std::chrono::seconds(3 * 2 + 2)))
        << escd_->Log();
    std::cout << "[ vnf ] qemu killed to VM down " << Seconds(Clock::now() - killed) << " s\n";

    auto all = DeliveredUntil([&](const auto& delivered) {
        for (std::size_t i = seen; i < delivered.size(); ++i)
            if (StageOf(delivered[i]) == "VM_RECOVERY_COMPLETE") return true;
        return false;
    });
    std::cout << "[ vnf ] qemu killed to VM_RECOVERY_COMPLETE " << Seconds(Clock::now() - killed)
              << " s\n";
    Strings stages;
    for (std::size_t i = seen; i < all.size(); ++i) {
        stages.push_back(StageOf(all[i]));
        EXPECT_EQ(XmlText(all[i].body, "vm_name"), victim) << all[i].body;
        EXPECT_EQ(all[i].Header("ESC-Status-Code"), "200") << all[i].body;
    }
    // REBOOT_THEN_REDEPLOY: the domain is still defined, so the first attempt starts it again.
    EXPECT_EQ(stages, (Strings{"VM_RECOVERY_INIT", "VM_RECOVERY_REBOOT", "VM_RECOVERY_COMPLETE"}))
        << escd_->Log();

    const auto after = VmsByGet();
    EXPECT_EQ(after.at(victim).first, "VM_ALIVE_STATE");
    EXPECT_EQ(after.at(victim).second, address) << "same address after the recovery";
    EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
    EXPECT_TRUE(AnswersPing(address, std::chrono::seconds(2)));
    EXPECT_EQ(ReadyOnConsole(victim, 1, ec ? 0 : console_at_kill), 1) << "the guest booted again";
    const pid_t revived = QemuPid(victim);
    EXPECT_GT(revived, 0);
    EXPECT_NE(revived, pid) << "a new qemu runs the guest";
    EXPECT_EQ(QemuPid(bystander), bystander_pid) << "the other VNF was not touched";
    EXPECT_EQ(ReadyOnConsole(bystander, 1), 1);
}

TEST_F(Vnf, ServiceStopAndStartAndAVmRebootActOnTheRealDomains) {
    const auto vms = DeployAlive(2);
    if (HasFatalFailure()) return;

    auto stop = ServiceOperation("stop");
    ASSERT_EQ(stop.status, 200) << stop.body;
    const auto stop_at = Clock::now();
    auto stopped = Await(stop.Header("ESC-Transaction-Id"), "SERVICE_STOPPED");
    std::cout << "[ vnf ] service stop " << Seconds(Clock::now() - stop_at) << " s\n";
    EXPECT_EQ(Stages(stopped), (Strings{"VM_STOPPED", "VM_STOPPED", "SERVICE_STOPPED"}))
        << escd_->Log();
    EXPECT_EQ(ServiceStateByGet(), "SERVICE_STOPPED_STATE");
    for (const auto& [name, vm] : VmsByGet()) EXPECT_EQ(vm.first, "VM_SHUTOFF_STATE") << name;
    for (const auto& [name, facts] : Facts()) EXPECT_EQ(facts.state, VIR_DOMAIN_SHUTOFF) << name;
    // A graceful stop: the guest powered itself off when asked (ACPI), it was not destroyed.
    EXPECT_EQ(escd_->Log().find("forcing it off"), std::string::npos) << escd_->Log();
    for (const auto& [name, address] : vms)
        EXPECT_FALSE(AnswersPing(address, std::chrono::milliseconds(500))) << name;

    auto start = ServiceOperation("start");
    ASSERT_EQ(start.status, 200) << start.body;
    const auto start_at = Clock::now();
    auto started = Await(start.Header("ESC-Transaction-Id"), "SERVICE_STARTED");
    std::cout << "[ vnf ] service start " << Seconds(Clock::now() - start_at) << " s\n";
    EXPECT_EQ(Stages(started),
              (Strings{"VM_STARTED", "VM_STARTED", "VM_ALIVE", "VM_ALIVE", "SERVICE_STARTED"}))
        << escd_->Log();
    EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
    for (const auto& [name, address] : vms) {
        EXPECT_TRUE(AnswersPing(address, std::chrono::seconds(2))) << name;
        EXPECT_EQ(ReadyOnConsole(name, 2), 2) << name << " booted twice";
    }

    const auto vm = vms.begin()->first;
    const auto took = RebootToAlive(vm);
    std::cout << "[ vnf ] VM reboot to VM_ALIVE " << Seconds(took) << " s\n";
    EXPECT_EQ(VmsByGet().at(vm).first, "VM_ALIVE_STATE");
    EXPECT_TRUE(AnswersPing(vms.begin()->second, std::chrono::seconds(2)));
    EXPECT_EQ(ReadyOnConsole(vm, 3), 3) << "the guest really rebooted";
    EXPECT_EQ(ReadyOnConsole(std::next(vms.begin())->first, 2), 2) << "the other one did not";
}

}  // namespace
}  // namespace escd::test
