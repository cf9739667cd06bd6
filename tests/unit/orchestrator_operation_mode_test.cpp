#include <gtest/gtest.h>

#include "orchestrator/engine/operation_mode.hpp"

namespace escd::orchestrator {
namespace {

TEST(OperationModeNames, ParseIsCaseInsensitiveAndRoundTrips) {
    EXPECT_EQ(ParseMode("MAINTENANCE"), Mode::kMaintenance);
    EXPECT_EQ(ParseMode("maintenance"), Mode::kMaintenance);
    EXPECT_EQ(ParseMode("Operation"), Mode::kOperation);
    EXPECT_FALSE(ParseMode(""));
    EXPECT_FALSE(ParseMode("MAINTENANCEX"));
    EXPECT_FALSE(ParseMode(std::string(100, 'A')));
    for (auto mode : {Mode::kOperation, Mode::kMaintenance})
        EXPECT_EQ(ParseMode(ToString(mode)), mode);
}

}  // namespace
}  // namespace escd::orchestrator
