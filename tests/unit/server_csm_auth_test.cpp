#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "server/csm/csm_auth.hpp"
#include "server/csm/csm_face.hpp"

namespace escd::server::csm {
namespace {

using namespace std::chrono_literals;
using model::csm::Role;

struct ManualWallClock {
    std::chrono::system_clock::time_point now =
        std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    WallClock Clock() {
        return [this] { return now; };
    }
};

TEST(CsmTokens, ATokenNamesItsUserUntilItsHourIsOver) {
    ManualWallClock wall;
    const CsmTokens tokens("key-1", wall.Clock());
    const auto token = tokens.Issue(42);
    EXPECT_EQ(tokens.Verify(token), 42);
    wall.now += 3599s;
    EXPECT_EQ(tokens.Verify(token), 42);
    wall.now += 1s;
    EXPECT_EQ(tokens.Verify(token), std::nullopt);
}

TEST(CsmTokens, AnotherKeyOrAnAlteredPartIsRefused) {
    ManualWallClock wall;
    const CsmTokens tokens("key-1", wall.Clock());
    const CsmTokens others("key-2", wall.Clock());
    const auto token = tokens.Issue(7);
    EXPECT_EQ(others.Verify(token), std::nullopt);
    // The payload of another user, under the original signature.
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    const auto forged =
        token.substr(0, first + 1) + Base64UrlEncode(R"({"id":1})") + token.substr(last);
    EXPECT_EQ(tokens.Verify(forged), std::nullopt);
    EXPECT_EQ(tokens.Verify(""), std::nullopt);
    EXPECT_EQ(tokens.Verify("a.b"), std::nullopt);
    EXPECT_EQ(tokens.Verify("admin"), std::nullopt);
}

TEST(CsmPermissions, EachRouteNeedsWhatTheReferenceSays) {
    using http::verb;
    EXPECT_EQ(RequiredPermission(verb::get, "/hosts"), Permission::kAnyUser);
    EXPECT_EQ(RequiredPermission(verb::get, "/cco/software"), Permission::kAnyUser);
    EXPECT_EQ(RequiredPermission(verb::get, "/install"), Permission::kAnyUser);
    EXPECT_EQ(RequiredPermission(verb::post, "/hosts"), Permission::kEditInventory);
    EXPECT_EQ(RequiredPermission(verb::post, "/hosts/r1/discover"), Permission::kRunInstalls);
    EXPECT_EQ(RequiredPermission(verb::delete_, "/regions/west/delete"),
              Permission::kEditInventory);
    EXPECT_EQ(RequiredPermission(verb::post, "/install"), Permission::kRunInstalls);
    EXPECT_EQ(RequiredPermission(verb::delete_, "/install/delete"), Permission::kRunInstalls);
    EXPECT_EQ(RequiredPermission(verb::get, "/install/logs/4"), Permission::kRunInstalls);
    EXPECT_EQ(RequiredPermission(verb::get, "/users"), Permission::kManageUsers);
    EXPECT_EQ(RequiredPermission(verb::get, "/installer"), Permission::kAnyUser)
        << "a prefix is a whole segment";

    EXPECT_TRUE(Allows(Role::kViewer, Permission::kAnyUser));
    EXPECT_FALSE(Allows(Role::kViewer, Permission::kEditInventory));
    EXPECT_FALSE(Allows(Role::kOperator, Permission::kEditInventory));
    EXPECT_TRUE(Allows(Role::kOperator, Permission::kRunInstalls));
    EXPECT_FALSE(Allows(Role::kViewer, Permission::kRunInstalls));
    EXPECT_TRUE(Allows(Role::kNetworkAdmin, Permission::kEditInventory));
    EXPECT_FALSE(Allows(Role::kNetworkAdmin, Permission::kManageUsers));
    EXPECT_TRUE(Allows(Role::kAdmin, Permission::kManageUsers));
}

TEST(CsmNames, SanitisingKeepsWhatCsmKept) {
    using model::csm::AcceptableName;
    EXPECT_EQ(AcceptableName("  West   Coast!#{} "), "West Coast");
    EXPECT_EQ(AcceptableName("pe-1.lab(2)/a:b@c[d]^_"), "pe-1.lab(2)/a:b@c[d]^_");
    EXPECT_EQ(AcceptableName("a\tb\nc"), "a b c");
    EXPECT_EQ(AcceptableName("caf\xc3\xa9"), "caf");
    EXPECT_EQ(AcceptableName("`{|}~!\"#$%&'"), "");
}

}  // namespace
}  // namespace escd::server::csm
