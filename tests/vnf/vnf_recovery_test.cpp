// Recovery on real qemu guests (docs/behaviour.md, "Recovery", "Undeploy"): a guest healed by a
// redeploy comes back as a new domain under its name, on its address; an undeploy during a
// recovery whose guest cannot come back cancels it and removes the deployment at once, without
// waiting for the bootup_time. See vnf_fixture.hpp for the setting (tests/run-vnf.sh).

#include <signal.h>

#include "tests/integration/ping_block.hpp"
#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

const std::string kRedeployOnly =
    "<recovery_policy><action_on_recovery>REDEPLOY_ONLY</action_on_recovery>"
    "<max_retries>1</max_retries></recovery_policy>";

class VnfRecovery : public VnfTest {
  protected:
    /// The stages the callbacks delivered after the first `seen` report, until `last` came.
    Strings StagesAfter(std::size_t seen, const std::string& last) {
        const auto all = DeliveredUntil([&](const auto& delivered) {
            for (std::size_t i = seen; i < delivered.size(); ++i)
                if (StageOf(delivered[i]) == last) return true;
            return false;
        });
        Strings stages;
        for (std::size_t i = seen; i < all.size(); ++i) stages.push_back(StageOf(all[i]));
        return stages;
    }
};

TEST_F(VnfRecovery, AKilledGuestIsRedeployedAsANewDomainUnderItsNameAndAnswersOnItsAddress) {
    const auto vms = DeployAlive(2, kRedeployOnly);
    if (HasFatalFailure()) return;
    const auto victim = vms.begin()->first;
    const auto address = vms.begin()->second;
    const auto bystander = std::next(vms.begin())->first;
    const auto uuid_before = Facts().at(victim).uuid;
    const pid_t pid = QemuPid(victim), bystander_pid = QemuPid(bystander);
    ASSERT_GT(pid, 0) << "no qemu pid for " << victim;

    const auto seen = receiver_.Requests().size();
    const auto killed = Clock::now();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const auto stages = StagesAfter(seen, "VM_RECOVERY_COMPLETE");
    std::cout << "[ vnf ] qemu killed to VM_RECOVERY_COMPLETE by redeploy "
              << Seconds(Clock::now() - killed) << " s\n";
    EXPECT_EQ(stages, (Strings{"VM_RECOVERY_INIT", "VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED",
                               "VM_RECOVERY_COMPLETE"}))
        << escd_->Log();

    const auto facts = Facts();
    ASSERT_TRUE(facts.contains(victim)) << "no domain under the VM's name after the redeploy";
    EXPECT_NE(facts.at(victim).uuid, uuid_before) << "a redeploy makes a new domain";
    EXPECT_EQ(facts.at(victim).state, VIR_DOMAIN_RUNNING);
    EXPECT_EQ(facts.size(), 2u);
    const auto after = VmsByGet();
    EXPECT_EQ(after.at(victim).first, "VM_ALIVE_STATE");
    EXPECT_EQ(after.at(victim).second, address) << "the same address after the redeploy";
    EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
    EXPECT_TRUE(AnswersPing(address, std::chrono::seconds(2))) << "the new guest took its address";
    EXPECT_EQ(QemuPid(bystander), bystander_pid) << "the other VNF was not touched";

    std::set<std::string> names;
    for (const auto& [name, ignored] : vms) names.insert(name);
    UndeployLeavesNothing(names);
}

TEST_F(VnfRecovery, AnUndeployDuringARecoveryCancelsItAndFinishesWithoutWaitingForTheBootupTime) {
    const auto vms = DeployAlive(1, kRedeployOnly);
    if (HasFatalFailure()) return;
    const auto& [vm, address] = *vms.begin();
    // The guest's answers are dropped: down after 3 polls, and its redeployed guest never
    // answers either, so the recovery would wait its whole bootup_time (240 s).
    PingBlock block(address, "");
    ASSERT_TRUE(block.ok()) << "iptables is not usable in the VNF namespace";
    const auto seen = receiver_.Requests().size();
    auto stages = StagesAfter(seen, "VM_RECOVERY_DEPLOYED");
    ASSERT_EQ(stages,
              (Strings{"VM_RECOVERY_INIT", "VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED"}))
        << escd_->Log();

    const auto asked = Clock::now();
    auto del = client_->Delete("/v0/deployments/" + deployment_, WithCallback());
    ASSERT_EQ(del.status, 200) << "refused during the recovery: " << del.body;
    const auto gone = Await(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED");
    const auto took = Clock::now() - asked;
    std::cout << "[ vnf ] undeploy during a recovery " << Seconds(took) << " s\n";
    EXPECT_EQ(Stages(gone), (Strings{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"})) << escd_->Log();
    // Far within the 240 s bootup_time the recovery would have waited: the boot check gave up
    // at its next probe.
    EXPECT_LT(took, std::chrono::seconds(60));
    stages = StagesAfter(seen, "VM_RECOVERY_CANCELLED");
    EXPECT_NE(std::find(stages.begin(), stages.end(), "VM_RECOVERY_CANCELLED"), stages.end())
        << escd_->Log();
    EXPECT_TRUE(Domains().empty()) << Domains().size() << " domains left";
    EXPECT_EQ(client_->Get("/v0/deployments/" + deployment_).status, 404);
}

}  // namespace
}  // namespace escd::test
