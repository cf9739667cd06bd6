// The ICMPPing KPI arithmetic: the poll's condition, period and reply timeout.
#include <gtest/gtest.h>

#include "orchestrator/monitor/alive_check.hpp"

namespace escd::orchestrator {
namespace {

TEST(MetricHolds, TheReferenceKpiMeansAtLeastTwoOfThreeEchoesAnswered) {
    EXPECT_FALSE(MetricHolds(0, "GT", "1"));
    EXPECT_FALSE(MetricHolds(1, "GT", "1")) << "two of three lost is a miss";
    EXPECT_TRUE(MetricHolds(2, "GT", "1"));
    EXPECT_TRUE(MetricHolds(kEchoesPerPoll, "GT", "1"));
}

TEST(MetricHolds, EveryConditionAndItsBoundary) {
    EXPECT_TRUE(MetricHolds(1, "GE", "1"));
    EXPECT_FALSE(MetricHolds(0, "GE", "1"));
    EXPECT_TRUE(MetricHolds(0, "LT", "1"));
    EXPECT_FALSE(MetricHolds(1, "LT", "1"));
    EXPECT_TRUE(MetricHolds(1, "LE", "1"));
    EXPECT_FALSE(MetricHolds(2, "LE", "1"));
    EXPECT_TRUE(MetricHolds(3, "EQ", "3"));
    EXPECT_FALSE(MetricHolds(2, "EQ", "3"));
    EXPECT_TRUE(MetricHolds(2, "NE", "3"));
    EXPECT_FALSE(MetricHolds(3, "NE", "3"));
}

TEST(MetricHolds, AMissingOrNonNumericThresholdIsZero) {
    EXPECT_TRUE(MetricHolds(1, "GT", ""));
    EXPECT_FALSE(MetricHolds(0, "GT", ""));
    EXPECT_TRUE(MetricHolds(1, "GT", "many"));
    EXPECT_TRUE(MetricHolds(0.5, "GT", "0.25"));
}

TEST(PollPeriod, SecondsAndMinutesAndTheTimeoutStaysWithinBounds) {
    model::KpiSpec kpi;
    kpi.poll_frequency = 3;
    EXPECT_EQ(PollPeriod(kpi), std::chrono::seconds(3));
    EXPECT_EQ(PollTimeout(kpi), std::chrono::seconds(1));
    kpi.polling_unit = "minutes";
    kpi.poll_frequency = 2;
    EXPECT_EQ(PollPeriod(kpi), std::chrono::minutes(2));
    kpi.polling_unit = "seconds";
    kpi.poll_frequency = 0;
    EXPECT_EQ(PollPeriod(kpi), std::chrono::seconds(1)) << "never faster than a second";
}

}  // namespace
}  // namespace escd::orchestrator
