// The rolling image upgrade of an update (orchestrator/deployment/deployment_rolling.cpp) on the
// fake VIM: a group given another image is made again on it VM by VM, never more than one down;
// a VM that fails on the new image rolls the group back to the old one.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;

class EngineRolling : public EngineTest {
  protected:
    void SetUp() override {
        EngineTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        std::ofstream(harness_->files() / "vnf2.qcow2") << std::string(8192, 'w');
        const auto image =
            harness_->Accept(http::verb::post, "/v0/images/vnf-img-2",
                             "<image><name>vnf2</name><src>file://" +
                                 (harness_->files() / "vnf2.qcow2").string() + "</src></image>");
        ASSERT_EQ(harness_->CallbacksOf(image, 1).size(), 1u);
    }

    // Deployment dep1: group g1 of two VMs on `image`, min_active `min_active`, max_active 2,
    // each with an ephemeral volume of 64 MiB.
    static std::string Body(const std::string& image, int min_active) {
        auto body = EngineHarness::DeploymentBody("ten", "demo", 2);
        body.replace(body.find("</vm_group>"), 11,
                     "<volumes><volume><name>state</name><volid>1</volid><size>64</size>"
                     "<sizeunit>MiB</sizeunit></volume></volumes></vm_group>");
        body.replace(body.find("<image>vnf-img</image>"), 22, "<image>" + image + "</image>");
        body.replace(body.find("<min_active>2</min_active>"), 26,
                     "<min_active>" + std::to_string(min_active) + "</min_active>");
        return body;
    }

    // Deploys dep1 on vnf-img: the VM names, in index order.
    std::vector<std::string> DeployTwo() {
        const auto tx =
            harness_->Accept(http::verb::post, "/v0/deployments/dep1", Body("vnf-img", 2));
        const auto deployed = harness_->CallbacksOf(tx, 5);
        EXPECT_EQ(StagesOf(deployed),
                  (Stages{"VM_DEPLOYED", "VM_DEPLOYED", "VM_ALIVE", "VM_ALIVE", "SERVICE_ALIVE"}));
        std::vector<std::string> names;
        for (int i = 0; i < 2 && i < static_cast<int>(deployed.size()); ++i)
            names.push_back(XmlTextOf(deployed[i].body, "vm_name"));
        std::sort(names.begin(), names.end());
        return names;
    }

    std::string ImageOnVim(const std::string& vm) {
        const auto found = harness_->vim().Vm(vm);
        return found ? found->request.image_id : std::string("(not on the VIM)");
    }
};

TEST_F(EngineRolling, AnotherImageRemakesTheGroupVmByVmWithOneDownAtATime) {
    const auto vms = DeployTwo();
    ASSERT_EQ(vms.size(), 2u);
    auto& fake = harness_->vim();
    const auto uuid0 = fake.Vm(vms[0])->uuid, uuid1 = fake.Vm(vms[1])->uuid;
    auto hold = fake.Hang(FakeCall::kCreateVm);
    const auto tx = harness_->Accept(http::verb::put, "/v0/deployments/dep1", Body("vnf-img-2", 1));

    // The first VM is being made again: the other still runs.
    ASSERT_TRUE(hold->WaitParked(1, 10s));
    EXPECT_FALSE(fake.Vm(vms[0]).has_value()) << "the lowest index goes first";
    EXPECT_TRUE(fake.Vm(vms[1]).has_value()) << "both down at once";
    hold->Release();
    const auto first = harness_->CallbacksOf(tx, 1);
    ASSERT_EQ(StagesOf(first), (Stages{"VM_UPDATED"}));
    EXPECT_EQ(XmlTextOf(first[0].body, "vm_name"), vms[0]);

    const auto events = harness_->CallbacksOf(tx, 3);
    ASSERT_EQ(StagesOf(events), (Stages{"VM_UPDATED", "VM_UPDATED", "SERVICE_UPDATED"}));
    for (const auto& event : events) EXPECT_EQ(event.Header("ESC-Status-Code"), "200");
    EXPECT_EQ(XmlTextOf(events[1].body, "vm_name"), vms[1]);
    EXPECT_NE(events[0].Header("ESC-Status-Message").find("vnf-img-2"), std::string::npos)
        << events[0].Header("ESC-Status-Message");
    EXPECT_EQ(ImageOnVim(vms[0]), "vnf-img-2");
    EXPECT_EQ(ImageOnVim(vms[1]), "vnf-img-2");
    for (const auto& vm : vms) {
        ASSERT_EQ(fake.Vm(vm)->request.disks.size(), 1u) << "made again with its ephemeral disk";
        EXPECT_EQ(fake.Vm(vm)->request.disks[0].volid, 1);
        EXPECT_EQ(fake.Vm(vm)->request.disks[0].size_bytes, 64u << 20);
    }
    EXPECT_NE(fake.Vm(vms[0])->uuid, uuid0) << "made again";
    EXPECT_NE(fake.Vm(vms[1])->uuid, uuid1) << "made again";
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE");
    EXPECT_NE(harness_->Send(http::verb::get, "/v0/deployments/config/dep1").body.find("vnf-img-2"),
              std::string::npos);
}

TEST_F(EngineRolling, AVmThatCannotBeMadeOnTheNewImageRollsTheGroupBack) {
    const auto vms = DeployTwo();
    ASSERT_EQ(vms.size(), 2u);
    auto& fake = harness_->vim();
    auto hold = fake.Hang(FakeCall::kCreateVm);
    const auto tx = harness_->Accept(http::verb::put, "/v0/deployments/dep1", Body("vnf-img-2", 1));
    ASSERT_TRUE(hold->WaitParked(1, 10s));
    auto second = fake.Hang(FakeCall::kCreateVm);  // replaces the first hold for later calls
    hold->Release();
    ASSERT_TRUE(second->WaitParked(1, 10s)) << "the second VM was not made";
    second->Fail(FakeFailure::kVimError);

    const auto events = harness_->CallbacksOf(tx, 5);
    ASSERT_EQ(StagesOf(events),
              (Stages{"VM_UPDATED", "VM_UPDATED", "VM_UPDATED", "VM_UPDATED", "SERVICE_UPDATED"}));
    EXPECT_EQ(events[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(events[1].Header("ESC-Status-Code"), "500") << "the VM the new image failed";
    for (const auto& rolled : {events[2], events[3]}) {
        EXPECT_EQ(rolled.Header("ESC-Status-Code"), "200");
        EXPECT_NE(rolled.Header("ESC-Status-Message").find("rolled back to image vnf-img"),
                  std::string::npos)
            << rolled.Header("ESC-Status-Message");
    }
    EXPECT_EQ(events[4].Header("ESC-Status-Code"), "500");
    EXPECT_NE(events[4].Header("ESC-Status-Message").find("rolled back"), std::string::npos)
        << events[4].Header("ESC-Status-Message");
    EXPECT_EQ(ImageOnVim(vms[0]), "vnf-img");
    EXPECT_EQ(ImageOnVim(vms[1]), "vnf-img");
    EXPECT_EQ(ServiceState("dep1"), "SERVICE_ACTIVE_STATE") << "the group as it was";
    EXPECT_EQ(harness_->Send(http::verb::get, "/v0/deployments/config/dep1").body.find("vnf-img-2"),
              std::string::npos)
        << "the datamodel stays the old one";
}

// A VM the operator stopped is not started again on another image behind their back: the
// update fails naming it, and nothing is remade.
TEST_F(EngineRolling, AStoppedVmFailsTheUpgradeBeforeAnythingIsRemade) {
    const auto vms = DeployTwo();
    ASSERT_EQ(vms.size(), 2u);
    const auto stop = harness_->Accept(
        http::verb::post, "/v0/ten/deployments/vm/" + vms[0],
        "<vm_operation><operation>stop</operation><force>true</force></vm_operation>");
    ASSERT_EQ(harness_->CallbacksOf(stop, 1).size(), 1u);
    auto& fake = harness_->vim();
    const auto creates = fake.Calls(FakeCall::kCreateVm);
    const auto tx = harness_->Accept(http::verb::put, "/v0/deployments/dep1", Body("vnf-img-2", 1));
    const auto events = harness_->CallbacksOf(tx, 1);
    ASSERT_EQ(StagesOf(events), (Stages{"SERVICE_UPDATED"}));
    EXPECT_EQ(events[0].Header("ESC-Status-Code"), "500");
    EXPECT_NE(events[0].Header("ESC-Status-Message").find("VM_SHUTOFF_STATE"), std::string::npos)
        << events[0].Header("ESC-Status-Message");
    EXPECT_EQ(fake.Calls(FakeCall::kCreateVm), creates) << "a VM was remade";
    EXPECT_EQ(ImageOnVim(vms[1]), "vnf-img");
}

TEST_F(EngineRolling, AGroupThatWouldFallUnderMinActiveIsRefused) {
    ASSERT_EQ(DeployTwo().size(), 2u);
    const auto refused =
        harness_->Send(http::verb::put, "/v0/deployments/dep1", Body("vnf-img-2", 2));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("min_active 2"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace escd::test
