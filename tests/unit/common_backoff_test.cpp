#include "common/backoff.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace escd {
namespace {

using std::chrono::milliseconds;

TEST(BackoffPolicy, DefaultScheduleDoublesFromOneSecond) {
    BackoffPolicy policy;
    EXPECT_EQ(policy.DelayAfter(1), milliseconds{1000});
    EXPECT_EQ(policy.DelayAfter(2), milliseconds{2000});
    EXPECT_EQ(policy.DelayAfter(3), milliseconds{4000});
    EXPECT_EQ(policy.DelayAfter(4), milliseconds{8000});
    EXPECT_EQ(policy.DelayAfter(9), milliseconds{256000});
}

TEST(BackoffPolicy, DefaultScheduleIsCappedAtFiveMinutes) {
    BackoffPolicy policy;
    EXPECT_EQ(policy.DelayAfter(10), milliseconds{300000});  // 512 s would exceed the cap
    EXPECT_EQ(policy.DelayAfter(11), milliseconds{300000});
    EXPECT_EQ(policy.DelayAfter(20), milliseconds{300000});
}

TEST(BackoffPolicy, NeverDecreasesAndNoOverflowAtManyFailures) {
    BackoffPolicy policy;
    milliseconds previous{0};
    for (std::uint32_t failures = 1; failures <= 1000; ++failures) {
        milliseconds delay = policy.DelayAfter(failures);
        EXPECT_GE(delay, previous) << failures;
        EXPECT_LE(delay, policy.max) << failures;
        previous = delay;
    }
    EXPECT_EQ(policy.DelayAfter(1000), milliseconds{300000});
    EXPECT_EQ(policy.DelayAfter(std::numeric_limits<std::uint32_t>::max()), milliseconds{300000});
}

TEST(BackoffPolicy, NoOverflowWithHugeCap) {
    BackoffPolicy policy;
    policy.max = milliseconds::max();
    EXPECT_EQ(policy.DelayAfter(11), milliseconds{1024000});
    EXPECT_EQ(policy.DelayAfter(64), milliseconds::max());
    EXPECT_EQ(policy.DelayAfter(1000), milliseconds::max());
}

TEST(BackoffPolicy, CustomPolicy) {
    BackoffPolicy policy{milliseconds{50}, milliseconds{300}, milliseconds{1000}};
    EXPECT_EQ(policy.DelayAfter(1), milliseconds{50});
    EXPECT_EQ(policy.DelayAfter(2), milliseconds{100});
    EXPECT_EQ(policy.DelayAfter(3), milliseconds{200});
    EXPECT_EQ(policy.DelayAfter(4), milliseconds{300});
}

TEST(BackoffPolicy, InitialAboveCapIsCapped) {
    BackoffPolicy policy{milliseconds{5000}, milliseconds{1000}, milliseconds{10000}};
    EXPECT_EQ(policy.DelayAfter(1), milliseconds{1000});
}

TEST(BackoffPolicy, ZeroFailuresIsTreatedAsFirst) {
    BackoffPolicy policy;
    EXPECT_EQ(policy.DelayAfter(0), milliseconds{1000});
}

TEST(BackoffPolicy, ExpiredAtAndAfterHorizon) {
    BackoffPolicy policy;
    EXPECT_FALSE(policy.Expired(milliseconds{0}));
    EXPECT_FALSE(policy.Expired(milliseconds{86400000 - 1}));
    EXPECT_TRUE(policy.Expired(milliseconds{86400000}));
    EXPECT_TRUE(policy.Expired(std::chrono::hours{25}));
}

}  // namespace
}  // namespace escd
