// escd SIGKILLed while it deploys real VNFs, and restarted: the deployment completes with each
// VNF existing exactly once on libvirt, the guests made before the crash untouched, and every
// event delivered (duplicates allowed, gaps not). The libvirt test driver cannot show this: its
// domains live inside escd and die with it. Also: a domain escd has no record of goes at restart.

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

constexpr int kVnfs = 4;

class VnfCrash : public VnfTest {};

TEST_F(VnfCrash, KilledWhileDeployingFourVnfsTheDeploymentCompletesWithEachVnfOnce) {
    Seed();
    if (HasFatalFailure()) return;
    const auto started = Clock::now();
    const auto tx = Deploy(kVnfs);

    // Kill escd as soon as libvirt has a first domain: escd logs "created VM" once the domain
    // exists, before its VM_DEPLOYED commits, and the other VMs are still being created (the
    // VMs of a group are created at once, each in about a second under qemu). Waiting for a
    // first VM_DEPLOYED callback instead let a loaded machine finish all four before the kill.
    ASSERT_TRUE(escd_->WaitForLog("created VM ", 1, std::chrono::seconds(60))) << escd_->Log();
    escd_->Kill();
    const auto killed = Clock::now();
    const auto past_deploying =
        db_.Query("SELECT count(*) FROM vms WHERE deployment_id = '" + deployment_ +
                  "' AND state IN ('VM_INERT_STATE', 'VM_ALIVE_STATE')")[0][0]
            .as<int>();
    ASSERT_LT(past_deploying, kVnfs) << "escd finished deploying before it was killed: this run "
                                        "shows nothing about a resume";
    const auto at_kill = Facts();
    std::size_t running_at_kill = 0;
    for (const auto& [name, f] : at_kill) running_at_kill += f.state == VIR_DOMAIN_RUNNING;
    const auto deploying = db_.Query("SELECT vm_name FROM vms WHERE deployment_id = '" +
                                     deployment_ + "' AND state = 'VM_DEPLOYING_STATE'");
    std::cout << "[ vnf ] killed escd " << Seconds(killed - started)
              << " s into the deploy: " << past_deploying << " VMs deployed, " << at_kill.size()
              << " domains on libvirt (" << running_at_kill << " running)";
    for (const auto& row : deploying) {
        const auto name = row[0].as<std::string>();
        std::cout << "; " << name
                  << (at_kill.contains(name) ? " was being created (its domain exists)"
                                             : " was about to be created");
    }
    std::cout << "\n";
    EXPECT_GE(running_at_kill, 1u) << "the deployed VNFs did not outlive escd";

    StartOnQemu();
    auto after =
        DeliveredUntil([&](const auto& all) { return !Stage(all, tx, "SERVICE_ALIVE").empty(); });
    const auto done = Clock::now();
    auto service = Stage(after, tx, "SERVICE_ALIVE");
    ASSERT_FALSE(service.empty()) << "no SERVICE_ALIVE " << kVnfWait.count()
                                  << " s after the restart\n"
                                  << escd_->Log();
    std::cout << "[ vnf ] restart to SERVICE_ALIVE " << Seconds(done - killed)
              << " s; whole deploy " << Seconds(done - started) << " s\n";
    EXPECT_EQ(service.back().Header("ESC-Status-Code"), "200") << service.back().body;
    EXPECT_EQ(service.back().Header("ESC-Status-Message"),
              "Service group deployment completed successfully!");

    // escd's view: four VNFs, alive, on four addresses that answer.
    const auto vms = VmsByGet();
    ASSERT_EQ(vms.size(), static_cast<std::size_t>(kVnfs));
    std::set<std::string> in_escd, addresses;
    for (const auto& [name, vm] : vms) {
        in_escd.insert(name);
        addresses.insert(vm.second);
        EXPECT_EQ(vm.first, "VM_ALIVE_STATE") << name;
        EXPECT_TRUE(AnswersPing(vm.second, std::chrono::seconds(2))) << name << " " << vm.second;
    }
    EXPECT_EQ(addresses.size(), static_cast<std::size_t>(kVnfs));

    // libvirt's: exactly those four, once each (as `virsh list --all` shows them), running.
    auto listed = VirshListAll();
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, Strings(in_escd.begin(), in_escd.end())) << "orphan or duplicate domains";
    const auto facts = Facts();
    const auto volumes = Volumes();
    for (const auto& name : in_escd) {
        auto it = facts.find(name);
        ASSERT_NE(it, facts.end()) << name << " is not on libvirt";
        EXPECT_EQ(it->second.state, VIR_DOMAIN_RUNNING) << name;
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
    EXPECT_EQ(VmsWith(Stage(after, tx, "VM_DEPLOYED")), in_escd) << "VM_DEPLOYED missing or extra";
    EXPECT_EQ(VmsWith(Stage(after, tx, "VM_ALIVE")), in_escd) << "VM_ALIVE missing or extra";
    for (const auto& cb : OfTransaction(after, tx))
        EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;

    UndeployLeavesNothing(in_escd);
}

TEST_F(VnfCrash, ADomainEscdHasNoRecordOfGoesAtRestartTheOthersStay) {
    Seed();
    if (HasFatalFailure()) return;
    const auto tx = Deploy(2);
    auto done = Await(tx, "SERVICE_ALIVE");
    ASSERT_EQ(Stage(done, tx, "SERVICE_ALIVE").size(), 1u) << escd_->Log();
    const auto vms = VmsByGet();
    ASSERT_EQ(vms.size(), 2u);
    const auto kept = vms.begin()->first;
    const auto orphan = std::next(vms.begin())->first;
    const auto kept_id = Facts().at(kept).id;

    // Its record lost while escd was down: the domain is nobody's.
    escd_->Kill();
    db_.Query("DELETE FROM vms WHERE vm_name = '" + orphan + "'");
    StartOnQemu();
    ASSERT_TRUE(escd_->WaitForLog("reconciled with the VIM", 1, std::chrono::seconds(60)))
        << escd_->Log();
    auto after = Facts();
    EXPECT_FALSE(after.contains(orphan));
    ASSERT_TRUE(after.contains(kept));
    EXPECT_EQ(after.at(kept).id, kept_id) << "the recorded VNF runs on, untouched";
    EXPECT_EQ(after.size(), 1u);
    EXPECT_NE(escd_->Log().find("VM " + orphan + " is on the VIM but escd has no record of it"),
              std::string::npos);
    EXPECT_FALSE(Volumes().contains("escd-day0-" + orphan)) << "its config drive went too";
}

}  // namespace
}  // namespace escd::test
