#include <gtest/gtest.h>

#include "server/router.hpp"

namespace escd::server {
namespace {

Handler Named(int* hit, int value) {
    return [hit, value](Request&) -> asio::awaitable<Response> {
        *hit = value;
        co_return Response{};
    };
}

TEST(Router, StripsTheThreeBasePaths) {
    EXPECT_EQ(Router::StripBase("/ESCManager/v0/tenants"), "/tenants");
    EXPECT_EQ(Router::StripBase("/ESCManger/v0/tenants"), "/tenants");
    EXPECT_EQ(Router::StripBase("/v0/tenants/t1"), "/tenants/t1");
    EXPECT_EQ(Router::StripBase("/v0"), "");
    EXPECT_FALSE(Router::StripBase("/v01/tenants"));
    EXPECT_FALSE(Router::StripBase("/tenants"));
    EXPECT_FALSE(Router::StripBase("/ESCManager/v1/tenants"));
}

TEST(Router, MatchesMethodAndPatternAndExtractsParameters) {
    Router router;
    int hit = 0;
    router.Add(http::verb::get, "/tenants", Named(&hit, 1));
    router.Add(http::verb::get, "/tenants/{internal_tenant_id}", Named(&hit, 2));
    router.Add(http::verb::post, "/tenants/{internal_tenant_id}", Named(&hit, 3));

    auto list = router.Find(http::verb::get, "/tenants");
    ASSERT_TRUE(list.handler);
    auto one = router.Find(http::verb::post, "/tenants/tentest");
    ASSERT_TRUE(one.handler);
    EXPECT_EQ(one.params.at("internal_tenant_id"), "tentest");
    EXPECT_TRUE(router.Find(http::verb::get, "/tenants/").handler);  // trailing slash = the list
}

TEST(Router, UnknownPathIsNotFoundAndWrongMethodListsTheAllowedOnes) {
    Router router;
    int hit = 0;
    router.Add(http::verb::get, "/tenants/{id}", Named(&hit, 1));
    router.Add(http::verb::delete_, "/tenants/{id}", Named(&hit, 2));

    auto missing = router.Find(http::verb::get, "/networks/x");
    EXPECT_FALSE(missing.handler);
    EXPECT_FALSE(missing.path_known);

    auto wrong = router.Find(http::verb::patch, "/tenants/x");
    EXPECT_FALSE(wrong.handler);
    EXPECT_TRUE(wrong.path_known);
    EXPECT_EQ(wrong.allowed.size(), 2u);
    EXPECT_FALSE(router.Find(http::verb::get, "/tenants/x/extra").handler);
}

TEST(Router, LiteralSegmentsWinOverParameters) {
    Router router;
    int hit = 0;
    router.Add(http::verb::get, "/vims/{id}", Named(&hit, 1));
    router.Add(http::verb::get, "/vims/default_vim_connector", Named(&hit, 2));
    auto match = router.Find(http::verb::get, "/vims/default_vim_connector");
    ASSERT_TRUE(match.handler);
    EXPECT_TRUE(match.params.empty());
    asio::io_context ioc;
    http::request<http::string_body> raw;
    Request request{raw, {}, {}, {}};
    asio::co_spawn(ioc, (*match.handler)(request), asio::detached);
    ioc.run();
    EXPECT_EQ(hit, 2);

    // Other methods still reach the parameter route; a 405 lists each method once.
    EXPECT_EQ(router.Find(http::verb::get, "/vims/x").params.at("id"), "x");
    auto wrong = router.Find(http::verb::patch, "/vims/default_vim_connector");
    EXPECT_FALSE(wrong.handler);
    EXPECT_EQ(wrong.allowed, std::vector<http::verb>{http::verb::get});
}

}  // namespace
}  // namespace escd::server
