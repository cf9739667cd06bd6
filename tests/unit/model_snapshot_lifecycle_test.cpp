#include <gtest/gtest.h>

#include "model/snapshot_lifecycle.hpp"

namespace escd::model {
namespace {
using SnapS = SnapshotState;
using SnapE = SnapshotEvent;

TEST(SnapshotLifecycle, ACreateEndsActiveOrInError) {
    EXPECT_EQ(NextState(SnapS::kCreating, SnapE::kVimSucceeded), SnapS::kActive);
    EXPECT_EQ(NextState(SnapS::kCreating, SnapE::kVimFailed), SnapS::kError);
}

TEST(SnapshotLifecycle, RevertAndVolumesNeedAnActiveSnapshotAndLeaveItActive) {
    EXPECT_EQ(NextState(SnapS::kActive, SnapE::kRevertRequested), SnapS::kReverting);
    EXPECT_EQ(NextState(SnapS::kReverting, SnapE::kVimSucceeded), SnapS::kActive);
    EXPECT_EQ(NextState(SnapS::kReverting, SnapE::kVimFailed), SnapS::kActive);
    EXPECT_EQ(NextState(SnapS::kActive, SnapE::kVolumeRequested), SnapS::kActive);
    for (auto other : {SnapS::kCreating, SnapS::kReverting, SnapS::kDeleting, SnapS::kError}) {
        EXPECT_FALSE(NextState(other, SnapE::kRevertRequested)) << ToString(other);
        EXPECT_FALSE(NextState(other, SnapE::kVolumeRequested)) << ToString(other);
    }
}

TEST(SnapshotLifecycle, ActiveAndFailedSnapshotsCanBeDeleted) {
    EXPECT_EQ(NextState(SnapS::kActive, SnapE::kDeleteRequested), SnapS::kDeleting);
    EXPECT_EQ(NextState(SnapS::kError, SnapE::kDeleteRequested), SnapS::kDeleting);
    EXPECT_EQ(NextState(SnapS::kDeleting, SnapE::kVimSucceeded), SnapS::kRemoved);
    EXPECT_EQ(NextState(SnapS::kDeleting, SnapE::kVimFailed), SnapS::kError);
    for (auto busy : {SnapS::kCreating, SnapS::kReverting, SnapS::kDeleting})
        EXPECT_FALSE(NextState(busy, SnapE::kDeleteRequested)) << ToString(busy);
}

TEST(SnapshotLifecycle, SettledStatesIgnoreVimOutcomes) {
    for (auto settled : {SnapS::kActive, SnapS::kError}) {
        EXPECT_FALSE(NextState(settled, SnapE::kVimSucceeded)) << ToString(settled);
        EXPECT_FALSE(NextState(settled, SnapE::kVimFailed)) << ToString(settled);
    }
}

TEST(SnapshotLifecycle, StateNamesRoundTrip) {
    for (auto s : {SnapS::kCreating, SnapS::kActive, SnapS::kReverting, SnapS::kDeleting,
                   SnapS::kError, SnapS::kRemoved})
        EXPECT_EQ(ParseSnapshotState(ToString(s)), s);
    EXPECT_FALSE(ParseSnapshotState("BOGUS"));
}

}  // namespace
}  // namespace escd::model
