#include <gtest/gtest.h>

#include <map>
#include <string>

#include "orchestrator/deployment/day0.hpp"

namespace escd::orchestrator::day0 {
namespace {

TEST(Day0, SubstitutesKnownVariablesAndLeavesTheRest) {
    const std::map<std::string, std::string> values{{"NICID_0_IP_ADDRESS", "127.10.0.2"},
                                                    {"NICID_1_IP_ADDRESS", "127.11.0.2"},
                                                    {"NICID_10_IP_ADDRESS", "127.20.0.2"},
                                                    {"DOMAIN", "example.net"}};
    EXPECT_EQ(Substitute("ip $NICID_0_IP_ADDRESS/24", values), "ip 127.10.0.2/24");
    EXPECT_EQ(Substitute("$NICID_10_IP_ADDRESS,$NICID_1_IP_ADDRESS", values),
              "127.20.0.2,127.11.0.2");  // the longest name, not a prefix of it
    EXPECT_EQ(Substitute("host.${DOMAIN}x", values), "host.example.netx");
    EXPECT_EQ(Substitute("echo $HOME $ ${ ${DOMAIN", values), "echo $HOME $ ${ ${DOMAIN");
}

}  // namespace
}  // namespace escd::orchestrator::day0
