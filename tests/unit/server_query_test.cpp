#include <gtest/gtest.h>

#include "common/error.hpp"
#include "server/query.hpp"

namespace escd::server {
namespace {

TEST(Query, DecodesPercentEscapesAndPlus) {
    auto query = ParseQuery("userName=admin&password=a%20b%21+c&empty=&flag");
    EXPECT_EQ(query.at("userName"), "admin");
    EXPECT_EQ(query.at("password"), "a b! c");
    EXPECT_EQ(query.at("empty"), "");
    EXPECT_EQ(query.at("flag"), "");
    EXPECT_TRUE(ParseQuery("").empty());
    EXPECT_EQ(ParseQuery("a=1&a=2").at("a"), "2");
    EXPECT_EQ(ParseQuery("k%3D=v%26").at("k="), "v&");
}

TEST(Query, MalformedEscapesAreBadRequests) {
    for (const char* bad : {"a=%", "a=%2", "a=%zz", "%g0=1"}) {
        try {
            ParseQuery(bad);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kBadRequest) << bad;
        }
    }
}

}  // namespace
}  // namespace escd::server
