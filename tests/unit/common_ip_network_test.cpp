#include <gtest/gtest.h>

#include "common/ip_network.hpp"

namespace escd {
namespace {

TEST(IpNetwork, ParsesV4AndV6AndKnowsItsBounds) {
    auto v4 = IpNetwork::Parse("10.1.2.0/24");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_EQ(v4->network().to_string(), "10.1.2.0");
    EXPECT_EQ(v4->last().to_string(), "10.1.2.255");
    EXPECT_EQ(v4->Netmask(), "255.255.255.0");
    EXPECT_EQ(v4->ToString(), "10.1.2.0/24");
    auto v6 = IpNetwork::Parse("fd00:1::/64");
    ASSERT_TRUE(v6);
    EXPECT_FALSE(v6->is_v4());
    EXPECT_EQ(v6->last().to_string(), "fd00:1::ffff:ffff:ffff:ffff");
}

TEST(IpNetwork, RejectsMalformedTextAndReportsHostBits) {
    for (const char* bad :
         {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/2x", "x/8", "::/129", "10.0.0/24"}) {
        EXPECT_FALSE(IpNetwork::Parse(bad)) << bad;
    }
    bool host_bits = false;
    auto net = IpNetwork::Parse("10.0.0.5/24", &host_bits);
    ASSERT_TRUE(net);
    EXPECT_TRUE(host_bits);
    EXPECT_EQ(net->network().to_string(), "10.0.0.0");
    IpNetwork::Parse("10.0.0.0/24", &host_bits);
    EXPECT_FALSE(host_bits);
}

TEST(IpNetwork, NetmasksMustBeContiguous) {
    auto net = IpNetwork::FromNetmask("172.16.0.0", "255.255.240.0");
    ASSERT_TRUE(net);
    EXPECT_EQ(net->prefix(), 20u);
    EXPECT_FALSE(IpNetwork::FromNetmask("172.16.0.0", "255.0.255.0"));
    EXPECT_FALSE(IpNetwork::FromNetmask("172.16.0.0", "nope"));
}

TEST(IpNetwork, ContainmentOverlapAndStepping) {
    auto net = *IpNetwork::Parse("192.0.2.0/25");
    EXPECT_TRUE(net.Contains(*ParseIp("192.0.2.127")));
    EXPECT_FALSE(net.Contains(*ParseIp("192.0.2.128")));
    EXPECT_FALSE(net.Contains(*ParseIp("::1")));
    EXPECT_TRUE(net.Overlaps(*IpNetwork::Parse("192.0.2.64/26")));
    EXPECT_FALSE(net.Overlaps(*IpNetwork::Parse("192.0.2.128/25")));
    EXPECT_EQ(StepAddress(*ParseIp("10.0.0.255"), 1).to_string(), "10.0.1.0");
    EXPECT_EQ(StepAddress(*ParseIp("10.0.1.0"), -1).to_string(), "10.0.0.255");
    EXPECT_EQ(StepAddress(*ParseIp("fd00::ffff"), 1).to_string(), "fd00::1:0");
}

}  // namespace
}  // namespace escd
