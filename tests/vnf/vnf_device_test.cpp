// The VNF image as an IOS XR device (deploy/vnf-image/README.md, "The IOS XR device"), its state
// on the ephemeral volume escd makes for each VM (docs/behaviour.md, "Volumes"), and the VM a
// host of escd's CSM face (docs/csm.md, "escd's VNFs as hosts"): the device answers SSH with
// its day-0 credentials, escd registers and discovers it over SSH; its state disk, where the
// device keeps its packages and its SSH host key, outlives a reboot of the VM, and a VM made
// again by a recovery gets a blank one (a new host key), and is discovered again; at undeploy
// the host leaves the inventory. See vnf_device_fixture.hpp for the setting (tests/run-vnf.sh).

#include <signal.h>

#include "tests/vnf/vnf_device_fixture.hpp"

namespace escd::test {
namespace {

class VnfDevice : public VnfDeviceTest {
  protected:
    /// The device's ed25519 SSH host key, once the guest booted `boots` times: it prints
    /// "escd-vnf: ready" only once dropbear listens (awaited on the console, ReadyOnConsole).
    std::string HostKey(const std::string& vm, const std::string& address, int boots) {
        EXPECT_EQ(ReadyOnConsole(vm, boots), boots) << "boot " << boots << " not ready";
        return Run("ssh-keyscan -t ed25519 -T 5 " + address + " 2>/dev/null");
    }
};

TEST_F(VnfDevice, ACsmHostDiscoveredOverSshWhoseStateDiskOutlivesARebootButNotARedeploy) {
    const auto vms =
        DeployAlive(1,
                    "<recovery_policy><action_on_recovery>REDEPLOY_ONLY</action_on_recovery>"
                    "<max_retries>1</max_retries></recovery_policy>");
    if (HasFatalFailure()) return;
    const auto& [vm, address] = *vms.begin();
    EXPECT_NE(Facts().at(vm).xml.find("escd-disk-" + vm + "-0"), std::string::npos)
        << "the state disk is not attached";
    const auto key = HostKey(vm, address, 1);
    ASSERT_FALSE(key.empty()) << "the device's sshd does not answer";
    const auto version = OverSsh(address, "show version");
    EXPECT_NE(version.find("6.1.3"), std::string::npos) << version;
    const auto host = DiscoveredHost(vm, 1);
    ASSERT_FALSE(host.empty()) << "escd did not register and discover the VNF\n" << escd_->Log();
    EXPECT_EQ(host.at("region").as_string(), "vten") << "the tenant's";
    EXPECT_EQ(host.at("ts_or_ip").as_array().at(0).as_string(), address);
    EXPECT_EQ(host.at("family").as_string(), "IOSXRv-9K") << boost::json::serialize(host);
    EXPECT_EQ(host.at("software_version").as_string(), "6.1.3");

    RebootToAlive(vm);
    EXPECT_EQ(HostKey(vm, address, 2), key) << "a reboot kept the state disk: the same host key";

    const auto seen = receiver_.Requests().size();
    ASSERT_EQ(::kill(QemuPid(vm), SIGKILL), 0);
    DeliveredUntil([&](const auto& all) {
        for (std::size_t i = seen; i < all.size(); ++i)
            if (StageOf(all[i]) == "VM_RECOVERY_COMPLETE") return true;
        return false;
    });
    const auto remade = HostKey(vm, address, 3);
    ASSERT_FALSE(remade.empty()) << "the redeployed device's sshd never answered";
    EXPECT_NE(remade, key) << "a VM made again got a blank state disk: a new host key";
    EXPECT_FALSE(DiscoveredHost(vm, 2).empty()) << "the remade VNF was not discovered again";

    UndeployLeavesNothing({vm});
    EXPECT_FALSE(Listed(vm)) << "the host stays after its VM was undeployed";
    for (const auto& volume : Volumes())
        EXPECT_EQ(volume.rfind("escd-disk-", 0), std::string::npos) << volume << " left";
}

}  // namespace
}  // namespace escd::test
