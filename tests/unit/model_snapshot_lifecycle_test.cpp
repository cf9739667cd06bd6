#include <gtest/gtest.h>

#include "model/snapshot_lifecycle.hpp"

namespace escd::model {
namespace {
using S = SnapshotState;
using E = SnapshotEvent;

TEST(SnapshotLifecycle, ACreateEndsActiveOrInError) {
    EXPECT_EQ(NextState(S::kCreating, E::kVimSucceeded), S::kActive);
    EXPECT_EQ(NextState(S::kCreating, E::kVimFailed), S::kError);
}

TEST(SnapshotLifecycle, RevertAndVolumesNeedAnActiveSnapshotAndLeaveItActive) {
    EXPECT_EQ(NextState(S::kActive, E::kRevertRequested), S::kReverting);
    EXPECT_EQ(NextState(S::kReverting, E::kVimSucceeded), S::kActive);
    EXPECT_EQ(NextState(S::kReverting, E::kVimFailed), S::kActive);
    EXPECT_EQ(NextState(S::kActive, E::kVolumeRequested), S::kActive);
    for (auto other : {S::kCreating, S::kReverting, S::kDeleting, S::kError}) {
        EXPECT_FALSE(NextState(other, E::kRevertRequested)) << ToString(other);
        EXPECT_FALSE(NextState(other, E::kVolumeRequested)) << ToString(other);
    }
}

TEST(SnapshotLifecycle, ActiveAndFailedSnapshotsCanBeDeleted) {
    EXPECT_EQ(NextState(S::kActive, E::kDeleteRequested), S::kDeleting);
    EXPECT_EQ(NextState(S::kError, E::kDeleteRequested), S::kDeleting);
    EXPECT_EQ(NextState(S::kDeleting, E::kVimSucceeded), S::kRemoved);
    EXPECT_EQ(NextState(S::kDeleting, E::kVimFailed), S::kError);
    for (auto busy : {S::kCreating, S::kReverting, S::kDeleting})
        EXPECT_FALSE(NextState(busy, E::kDeleteRequested)) << ToString(busy);
}

TEST(SnapshotLifecycle, SettledStatesIgnoreVimOutcomes) {
    for (auto settled : {S::kActive, S::kError}) {
        EXPECT_FALSE(NextState(settled, E::kVimSucceeded)) << ToString(settled);
        EXPECT_FALSE(NextState(settled, E::kVimFailed)) << ToString(settled);
    }
}

TEST(SnapshotLifecycle, StateNamesRoundTrip) {
    for (auto s : {S::kCreating, S::kActive, S::kReverting, S::kDeleting, S::kError, S::kRemoved})
        EXPECT_EQ(ParseSnapshotState(ToString(s)), s);
    EXPECT_FALSE(ParseSnapshotState("BOGUS"));
}

}  // namespace
}  // namespace escd::model
