#include <gtest/gtest.h>

#include "model/resource_lifecycle.hpp"

namespace escd::model {
namespace {
using S = ResourceState;
using E = ResourceEvent;

TEST(ResourceLifecycle, CreateEndsActiveOrRemoved) {
    EXPECT_EQ(NextState(S::kCreating, E::kVimSucceeded), S::kActive);
    EXPECT_EQ(NextState(S::kCreating, E::kVimFailed), S::kRemoved);
}

TEST(ResourceLifecycle, RequestsAreOnlyAcceptedWhenActive) {
    EXPECT_EQ(NextState(S::kActive, E::kUpdateRequested), S::kUpdating);
    EXPECT_EQ(NextState(S::kActive, E::kDeleteRequested), S::kDeleting);
    for (auto busy : {S::kCreating, S::kUpdating, S::kDeleting}) {
        EXPECT_FALSE(NextState(busy, E::kUpdateRequested)) << ToString(busy);
        EXPECT_FALSE(NextState(busy, E::kDeleteRequested)) << ToString(busy);
    }
}

TEST(ResourceLifecycle, FailedUpdateOrDeleteReturnsToActive) {
    EXPECT_EQ(NextState(S::kUpdating, E::kVimFailed), S::kActive);
    EXPECT_EQ(NextState(S::kDeleting, E::kVimFailed), S::kActive);
    EXPECT_EQ(NextState(S::kDeleting, E::kVimSucceeded), S::kRemoved);
}

TEST(ResourceLifecycle, ActiveIgnoresVimOutcomes) {
    EXPECT_FALSE(NextState(S::kActive, E::kVimSucceeded));
    EXPECT_FALSE(NextState(S::kActive, E::kVimFailed));
}

TEST(ResourceLifecycle, StateNamesRoundTrip) {
    for (auto s : {S::kCreating, S::kActive, S::kUpdating, S::kDeleting, S::kRemoved}) {
        EXPECT_EQ(ParseResourceState(ToString(s)), s);
    }
    EXPECT_FALSE(ParseResourceState("BOGUS"));
}

}  // namespace
}  // namespace escd::model
