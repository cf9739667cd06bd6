// When an existing Neutron port is what escd asks for (vim/openstack/ports.hpp): reused if so,
// deleted and made again if not.

#include <gtest/gtest.h>

#include "vim/openstack/ports.hpp"

namespace escd::vim::openstack {
namespace {

Port Existing() {
    Port port;
    port.id = "p1";
    port.name = "escd-vm1-nic0";
    port.network_id = "n1";
    port.mac = "fa:16:3e:00:00:01";
    port.fixed_ips = {{"s4", "192.0.2.10"}, {"s6", "fd00::a"}};
    return port;
}

TEST(OpenStackPorts, APortMatchesWhatTheRequestGives) {
    const auto port = Existing();
    EXPECT_TRUE(Ports::Matches({"vm1", 0, "n1", "", {}}, port)) << "Neutron chose: anything";
    EXPECT_TRUE(Ports::Matches({"vm1", 0, "n1", "FA:16:3E:00:00:01", {}}, port))
        << "MACs in any case";
    EXPECT_TRUE(
        Ports::Matches({"vm1", 0, "n1", "", {{"", "fd00::000a"}, {"s4", "192.0.2.10"}}}, port))
        << "addresses in any order and notation, the subnet where given";
    EXPECT_TRUE(Ports::Matches({"vm1", 0, "n1", "", {{"s4", ""}, {"s6", ""}}}, port))
        << "any address of the subnets";

    EXPECT_FALSE(Ports::Matches({"vm1", 0, "n2", "", {}}, port)) << "another network";
    EXPECT_FALSE(Ports::Matches({"vm1", 0, "n1", "fa:16:3e:00:00:02", {}}, port));
    EXPECT_FALSE(Ports::Matches({"vm1", 0, "n1", "", {{"", "192.0.2.10"}}}, port))
        << "an address too many on the port";
    EXPECT_FALSE(Ports::Matches({"vm1", 0, "n1", "", {{"", "192.0.2.11"}, {"", "fd00::a"}}}, port));
    EXPECT_FALSE(
        Ports::Matches({"vm1", 0, "n1", "", {{"s6", "192.0.2.10"}, {"", "fd00::a"}}}, port))
        << "the address on another subnet";
}

}  // namespace
}  // namespace escd::vim::openstack
