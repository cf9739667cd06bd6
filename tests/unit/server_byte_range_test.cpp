// Range headers of a resumed download (server/byte_range.hpp).

#include <gtest/gtest.h>

#include "server/byte_range.hpp"

namespace escd::server {
namespace {

TEST(ByteRange, AnOpenRangeResumesFromItsFirstByte) {
    const auto request = ParseRange("bytes=100-", 1000);
    ASSERT_EQ(request.verdict, RangeVerdict::kPartial);
    EXPECT_EQ(request.range.first, 100u);
    EXPECT_EQ(request.range.length, 900u);
}

TEST(ByteRange, AClosedRangeIsCutAtTheEndOfTheFile) {
    const auto request = ParseRange("bytes=10-5000", 1000);
    ASSERT_EQ(request.verdict, RangeVerdict::kPartial);
    EXPECT_EQ(request.range.first, 10u);
    EXPECT_EQ(request.range.length, 990u);
}

TEST(ByteRange, ASuffixRangeIsTheLastBytes) {
    const auto request = ParseRange("bytes=-10", 1000);
    ASSERT_EQ(request.verdict, RangeVerdict::kPartial);
    EXPECT_EQ(request.range.first, 990u);
    EXPECT_EQ(request.range.length, 10u);
}

TEST(ByteRange, ARangePastTheEndCannotBeSatisfied) {
    EXPECT_EQ(ParseRange("bytes=1000-", 1000).verdict, RangeVerdict::kUnsatisfiable);
    EXPECT_EQ(ParseRange("bytes=-0", 1000).verdict, RangeVerdict::kUnsatisfiable);
}

TEST(ByteRange, WhatDoesNotParseOrAsksSeveralRangesGetsTheWholeFile) {
    for (const char* header :
         {"", "items=1-2", "bytes=a-b", "bytes=5-1", "bytes=1-2,4-5", "bytes=", "bytes=-"})
        EXPECT_EQ(ParseRange(header, 1000).verdict, RangeVerdict::kWhole) << header;
}

}  // namespace
}  // namespace escd::server
