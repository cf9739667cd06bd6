#include "common/cidr.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace escd {
namespace {

boost::asio::ip::address Ip(const char* text) {
    return boost::asio::ip::make_address(text);
}

TEST(CidrList, DefaultConstructedIsEmptyAndContainsNothing) {
    CidrList list;
    EXPECT_TRUE(list.empty());
    EXPECT_FALSE(list.Contains(Ip("127.0.0.1")));
    EXPECT_EQ(list.ToString(), "");
}

TEST(CidrList, ParsesBlankTextAsEmptyList) {
    EXPECT_TRUE(CidrList::Parse("").empty());
    EXPECT_TRUE(CidrList::Parse(" , ,").empty());
}

TEST(CidrList, Ipv4BlockMatchesInsideAndNotOutside) {
    auto list = CidrList::Parse("127.0.0.0/8");
    EXPECT_TRUE(list.Contains(Ip("127.0.0.1")));
    EXPECT_TRUE(list.Contains(Ip("127.255.255.255")));
    EXPECT_FALSE(list.Contains(Ip("128.0.0.1")));
    EXPECT_FALSE(list.Contains(Ip("10.0.0.1")));
}

TEST(CidrList, Ipv4BlockDoesNotMatchIpv6Address) {
    auto list = CidrList::Parse("0.0.0.0/0");
    EXPECT_FALSE(list.Contains(Ip("::1")));
    EXPECT_FALSE(list.Contains(Ip("2001:db8::1")));
}

TEST(CidrList, Ipv6BlockMatches) {
    auto list = CidrList::Parse("::1/128, 2001:db8::/32");
    EXPECT_TRUE(list.Contains(Ip("::1")));
    EXPECT_FALSE(list.Contains(Ip("::2")));
    EXPECT_TRUE(list.Contains(Ip("2001:db8:ffff::1")));
    EXPECT_FALSE(list.Contains(Ip("2001:db9::1")));
    EXPECT_FALSE(list.Contains(Ip("127.0.0.1")));
}

TEST(CidrList, Ipv6PrefixNotOnByteBoundary) {
    auto list = CidrList::Parse("fd00::/7");
    EXPECT_TRUE(list.Contains(Ip("fc00::1")));
    EXPECT_TRUE(list.Contains(Ip("fdff::1")));
    EXPECT_FALSE(list.Contains(Ip("fe00::1")));
}

TEST(CidrList, MappedIpv4AddressMatchesIpv4Block) {
    auto list = CidrList::Parse("127.0.0.0/8");
    EXPECT_TRUE(list.Contains(Ip("::ffff:127.0.0.1")));
    EXPECT_FALSE(list.Contains(Ip("::ffff:10.0.0.1")));
}

TEST(CidrList, MappedIpv6BlockIsStoredAsIpv4) {
    auto list = CidrList::Parse("::ffff:10.0.0.0/104");
    EXPECT_EQ(list.ToString(), "10.0.0.0/8");
    EXPECT_TRUE(list.Contains(Ip("10.1.2.3")));
    EXPECT_TRUE(list.Contains(Ip("::ffff:10.1.2.3")));
}

TEST(CidrList, PrefixZeroMatchesEverythingOfItsFamily) {
    auto v4 = CidrList::Parse("0.0.0.0/0");
    EXPECT_TRUE(v4.Contains(Ip("1.2.3.4")));
    EXPECT_TRUE(v4.Contains(Ip("255.255.255.255")));
    auto v6 = CidrList::Parse("::/0");
    EXPECT_TRUE(v6.Contains(Ip("2001:db8::1")));
    EXPECT_TRUE(v6.Contains(Ip("::")));
}

TEST(CidrList, Prefix32MatchesOnlyThatHost) {
    auto list = CidrList::Parse("192.0.2.7/32");
    EXPECT_TRUE(list.Contains(Ip("192.0.2.7")));
    EXPECT_FALSE(list.Contains(Ip("192.0.2.6")));
    EXPECT_FALSE(list.Contains(Ip("192.0.2.8")));
}

TEST(CidrList, AddressWithoutPrefixIsSingleHost) {
    auto list = CidrList::Parse("192.0.2.7 ::1");
    EXPECT_EQ(list.ToString(), "192.0.2.7/32,::1/128");
    EXPECT_TRUE(list.Contains(Ip("192.0.2.7")));
    EXPECT_FALSE(list.Contains(Ip("192.0.2.8")));
}

TEST(CidrList, CommaAndSpaceSeparatorsAndCanonicalToString) {
    auto list = CidrList::Parse("  127.0.0.1/8 ,::1/128\t10.0.0.0/24,,");
    EXPECT_FALSE(list.empty());
    // Host bits are cleared in the canonical form.
    EXPECT_EQ(list.ToString(), "127.0.0.0/8,::1/128,10.0.0.0/24");
}

TEST(CidrList, BadEntriesThrowNamingTheEntry) {
    for (const char* bad :
         {"127.0.0.0/33", "::1/129", "127.0.0.300", "hostname", "10.0.0.0/", "10.0.0.0/-1",
          "10.0.0.0/8x", "/8", "10.0.0.0/8/8", "fe80::1%eth0/64", "1.2.3"}) {
        SCOPED_TRACE(bad);
        try {
            CidrList::Parse(std::string("127.0.0.0/8,") + bad);
            ADD_FAILURE() << "no exception for " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace escd
