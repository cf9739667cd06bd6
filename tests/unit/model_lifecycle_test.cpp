#include <gtest/gtest.h>

#include "model/resource_lifecycle.hpp"

namespace escd::model {
namespace {
using RS = ResourceState;
using RE = ResourceEvent;

TEST(ResourceLifecycle, CreateEndsActiveOrRemoved) {
    EXPECT_EQ(NextState(RS::kCreating, RE::kVimSucceeded), RS::kActive);
    EXPECT_EQ(NextState(RS::kCreating, RE::kVimFailed), RS::kRemoved);
}

TEST(ResourceLifecycle, RequestsAreOnlyAcceptedWhenActive) {
    EXPECT_EQ(NextState(RS::kActive, RE::kUpdateRequested), RS::kUpdating);
    EXPECT_EQ(NextState(RS::kActive, RE::kDeleteRequested), RS::kDeleting);
    for (auto busy : {RS::kCreating, RS::kUpdating, RS::kDeleting}) {
        EXPECT_FALSE(NextState(busy, RE::kUpdateRequested)) << ToString(busy);
        EXPECT_FALSE(NextState(busy, RE::kDeleteRequested)) << ToString(busy);
    }
}

TEST(ResourceLifecycle, FailedUpdateOrDeleteReturnsToActive) {
    EXPECT_EQ(NextState(RS::kUpdating, RE::kVimFailed), RS::kActive);
    EXPECT_EQ(NextState(RS::kDeleting, RE::kVimFailed), RS::kActive);
    EXPECT_EQ(NextState(RS::kDeleting, RE::kVimSucceeded), RS::kRemoved);
}

TEST(ResourceLifecycle, ActiveIgnoresVimOutcomes) {
    EXPECT_FALSE(NextState(RS::kActive, RE::kVimSucceeded));
    EXPECT_FALSE(NextState(RS::kActive, RE::kVimFailed));
}

TEST(ResourceLifecycle, StateNamesRoundTrip) {
    for (auto s : {RS::kCreating, RS::kActive, RS::kUpdating, RS::kDeleting, RS::kRemoved}) {
        EXPECT_EQ(ParseResourceState(ToString(s)), s);
    }
    EXPECT_FALSE(ParseResourceState("BOGUS"));
}

}  // namespace
}  // namespace escd::model
