#include "common/url.hpp"

#include <gtest/gtest.h>

namespace escd {
namespace {

TEST(ParseUrl, HttpWithoutPortDefaultsTo80AndRootTarget) {
    auto url = ParseUrl("http://example.com");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->scheme, "http");
    EXPECT_EQ(url->host, "example.com");
    EXPECT_EQ(url->port, 80);
    EXPECT_EQ(url->target, "/");
    EXPECT_FALSE(url->ipv6_literal);
    EXPECT_EQ(url->HostHeader(), "example.com");
}

TEST(ParseUrl, HttpsWithoutPortDefaultsTo443) {
    auto url = ParseUrl("https://localhost/cb");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->scheme, "https");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->target, "/cb");
}

TEST(ParseUrl, SchemeIsCaseInsensitiveAndLowered) {
    auto url = ParseUrl("HTTPS://127.0.0.1:8443/x");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->scheme, "https");
    EXPECT_EQ(url->port, 8443);
}

TEST(ParseUrl, ExplicitPortAndPathAndQueryAreKept) {
    auto url = ParseUrl("http://127.0.0.1:9000/esc/callback?tenant=t1&x=%20y");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "127.0.0.1");
    EXPECT_EQ(url->port, 9000);
    EXPECT_EQ(url->target, "/esc/callback?tenant=t1&x=%20y");
    EXPECT_EQ(url->HostHeader(), "127.0.0.1:9000");
}

TEST(ParseUrl, QueryWithoutPathGetsRootPath) {
    auto url = ParseUrl("http://h:81?a=1");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->port, 81);
    EXPECT_EQ(url->target, "/?a=1");
}

TEST(ParseUrl, Ipv6LiteralWithPort) {
    auto url = ParseUrl("http://[::1]:9000/cb");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "::1");
    EXPECT_TRUE(url->ipv6_literal);
    EXPECT_EQ(url->port, 9000);
    EXPECT_EQ(url->target, "/cb");
    EXPECT_EQ(url->HostHeader(), "[::1]:9000");
}

TEST(ParseUrl, Ipv6LiteralWithoutPortUsesDefault) {
    auto url = ParseUrl("https://[::1]");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->HostHeader(), "[::1]");
}

TEST(ParseUrl, DefaultPortIsLeftOutOfHostHeaderOnlyForItsScheme) {
    EXPECT_EQ(ParseUrl("http://h:80/")->HostHeader(), "h");
    EXPECT_EQ(ParseUrl("https://h:80/")->HostHeader(), "h:80");
    EXPECT_EQ(ParseUrl("http://h:443/")->HostHeader(), "h:443");
}

TEST(ParseUrl, PortBoundsAccepted) {
    EXPECT_EQ(ParseUrl("http://h:1/")->port, 1);
    EXPECT_EQ(ParseUrl("http://h:65535/")->port, 65535);
}

TEST(ParseUrl, RejectsOtherSchemes) {
    EXPECT_FALSE(ParseUrl("ftp://example.com/file"));
    EXPECT_FALSE(ParseUrl("file:///etc/passwd"));
    EXPECT_FALSE(ParseUrl("httpx://h/"));
    EXPECT_FALSE(ParseUrl("//h/"));
    EXPECT_FALSE(ParseUrl("h:80/"));
}

TEST(ParseUrl, RejectsUserInfo) {
    EXPECT_FALSE(ParseUrl("http://user@host/"));
    EXPECT_FALSE(ParseUrl("http://user:pw@host:80/"));
}

TEST(ParseUrl, RejectsBadPorts) {
    EXPECT_FALSE(ParseUrl("http://h:0/"));
    EXPECT_FALSE(ParseUrl("http://h:70000/"));
    EXPECT_FALSE(ParseUrl("http://h:65536/"));
    EXPECT_FALSE(ParseUrl("http://h:/"));
    EXPECT_FALSE(ParseUrl("http://h:-1/"));
    EXPECT_FALSE(ParseUrl("http://h:80a/"));
    EXPECT_FALSE(ParseUrl("http://h:000080/"));
    EXPECT_FALSE(ParseUrl("http://[::1]:0/"));
}

TEST(ParseUrl, RejectsEmptyHost) {
    EXPECT_FALSE(ParseUrl("http://"));
    EXPECT_FALSE(ParseUrl("http:///path"));
    EXPECT_FALSE(ParseUrl("http://:80/"));
    EXPECT_FALSE(ParseUrl("http://[]:80/"));
}

TEST(ParseUrl, RejectsMalformedIpv6Literals) {
    EXPECT_FALSE(ParseUrl("http://[::1/"));
    EXPECT_FALSE(ParseUrl("http://[not-an-ip]/"));
    EXPECT_FALSE(ParseUrl("http://[::1]x/"));
    EXPECT_FALSE(ParseUrl("http://::1/"));
    EXPECT_FALSE(ParseUrl("http://[fe80::1%25eth0]/"));
}

TEST(ParseUrl, RejectsFragments) {
    EXPECT_FALSE(ParseUrl("http://h/path#frag"));
}

TEST(ParseUrl, RejectsWhitespaceAndControlCharacters) {
    EXPECT_FALSE(ParseUrl("http://h/a b"));
    EXPECT_FALSE(ParseUrl(" http://h/"));
    EXPECT_FALSE(ParseUrl("http://h/\r\nX-Injected: 1"));
    EXPECT_FALSE(ParseUrl("http://h/\t"));
    EXPECT_FALSE(ParseUrl(std::string_view("http://h/\0", 10)));
    EXPECT_FALSE(ParseUrl("http://h/\x7f"));
}

TEST(ParseUrl, RejectsOddHostCharacters) {
    EXPECT_FALSE(ParseUrl("http://ho%73t/"));
    EXPECT_FALSE(ParseUrl("http://h\\x/"));
}

TEST(ParseUrl, RejectsEmptyInput) {
    EXPECT_FALSE(ParseUrl(""));
}

}  // namespace
}  // namespace escd
