#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "server/basic_auth.hpp"

namespace escd::server {
namespace {

std::string Header(const std::string& user, const std::string& password) {
    return "Basic " + Base64Encode(user + ":" + password);
}

TEST(BasicAuth, AcceptsOnlyTheAdminWithTheRightPassword) {
    BasicAuth auth("admin", HashPassword("s3cret", 1000));
    EXPECT_TRUE(auth.Check(Header("admin", "s3cret")));
    EXPECT_TRUE(auth.Check(Header("admin", "s3cret")));  // the cached path
    EXPECT_FALSE(auth.Check(Header("admin", "wrong")));
    EXPECT_FALSE(auth.Check(Header("root", "s3cret")));
    EXPECT_FALSE(auth.Check(""));
    EXPECT_FALSE(auth.Check("Bearer abc"));
    EXPECT_FALSE(auth.Check("Basic !!!notbase64"));
    EXPECT_FALSE(auth.Check("Basic " + Base64Encode("no-colon")));
}

TEST(BasicAuth, SchemeNameIsCaseInsensitive) {
    BasicAuth auth("admin", HashPassword("pw", 1000));
    EXPECT_TRUE(auth.Check("basic " + Base64Encode("admin:pw")));
}

TEST(BasicAuth, PasswordWithColonIsSplitAtTheFirstColon) {
    BasicAuth auth("admin", HashPassword("a:b:c", 1000));
    EXPECT_TRUE(auth.Check(Header("admin", "a:b:c")));
}

TEST(BasicAuth, ChangingThePasswordForgetsTheCachedCredentials) {
    BasicAuth auth("admin", HashPassword("old", 1000));
    ASSERT_TRUE(auth.Check(Header("admin", "old")));
    auth.SetPasswordHash(HashPassword("new", 1000));
    EXPECT_FALSE(auth.Check(Header("admin", "old")));
    EXPECT_TRUE(auth.Check(Header("admin", "new")));
}

}  // namespace
}  // namespace escd::server

namespace escd::server {
namespace {

TEST(BasicAuth, TheCacheAnswersOnlyForTheHeaderThatVerified) {
    BasicAuth auth("admin", HashPassword("pw-123456", 1000));
    const auto good = "Basic " + Base64Encode("admin:pw-123456");
    EXPECT_FALSE(auth.CheckCached(good));  // nothing verified yet: the full check must run
    ASSERT_TRUE(auth.Check(good));
    EXPECT_TRUE(auth.CheckCached(good));
    EXPECT_FALSE(auth.CheckCached("Basic " + Base64Encode("admin:other")));
    auth.SetPasswordHash(HashPassword("new-pw-123", 1000));
    EXPECT_FALSE(auth.CheckCached(good));
}

}  // namespace
}  // namespace escd::server
