// The VM and service state machines (model/vm_state_machine.hpp), row by row where it matters
// and exhaustively for the invariants.
#include <gtest/gtest.h>

#include "model/vm_state_machine.hpp"
#include "tests/unit/vm_state_enums.hpp"

namespace escd::model {
namespace {
using namespace escd::model::test;

TEST(VmStateMachine, DeployGoesThroughDeployingAndInertToAlive) {
    EXPECT_EQ(NextState(V::kInit, VE::kDeploy), V::kDeploying);
    EXPECT_EQ(NextState(V::kDeploying, VE::kVimDone), V::kInert);
    EXPECT_EQ(NextState(V::kInert, VE::kAlive), V::kAlive);
    EXPECT_EQ(NextState(V::kDeploying, VE::kVimFailed), V::kError);
    EXPECT_FALSE(NextState(V::kDeploying, VE::kAlive)) << "alive before the VIM made it";
}

TEST(VmStateMachine, OperationsHaveTheirOwnStatesAndFailuresReturnSafely) {
    EXPECT_EQ(NextState(V::kAlive, VE::kStop), V::kStopping);
    EXPECT_EQ(NextState(V::kStopping, VE::kVimDone), V::kShutoff);
    EXPECT_EQ(NextState(V::kShutoff, VE::kStart), V::kStarting);
    EXPECT_EQ(NextState(V::kStarting, VE::kVimFailed), V::kShutoff);
    EXPECT_EQ(NextState(V::kAlive, VE::kReboot), V::kRebooting);
    EXPECT_EQ(NextState(V::kRebooting, VE::kVimDone), V::kInert);
    EXPECT_FALSE(NextState(V::kShutoff, VE::kStop)) << "stopping a stopped VM is a conflict";
    EXPECT_FALSE(NextState(V::kShutoff, VE::kReboot));
    EXPECT_FALSE(NextState(V::kStopping, VE::kStart)) << "one operation at a time";
    EXPECT_EQ(NextState(V::kAlive, VE::kDisableMonitoring), V::kMonitorUnset);
    EXPECT_FALSE(NextState(V::kMonitorUnset, VE::kAlive)) << "no verdicts while unmonitored";
    EXPECT_EQ(NextState(V::kMonitorUnset, VE::kEnableMonitoring), V::kInert);
}

TEST(VmStateMachine, RecoveryEndsAliveOrInError) {
    for (auto from : {V::kAlive, V::kInert, V::kError, V::kShutoff})
        EXPECT_EQ(NextState(from, VE::kRecover), V::kRecovering) << ToString(from);
    EXPECT_FALSE(NextState(V::kRecovering, VE::kRecover)) << "one recovery at a time";
    EXPECT_FALSE(NextState(V::kMonitorUnset, VE::kRecover)) << "unmonitored VMs are not healed";
    EXPECT_EQ(NextState(V::kRecovering, VE::kAlive), V::kAlive);
    EXPECT_EQ(NextState(V::kRecovering, VE::kVimFailed), V::kError);
}

TEST(VmStateMachine, OnlyVmsPastTheirCreateAndNotOnTheirWayOutBelongOnTheVim) {
    for (auto state : {V::kInert, V::kAlive, V::kShutoff, V::kRecovering, V::kMonitorUnset})
        EXPECT_TRUE(OnVim(state)) << ToString(state);
    for (auto state : {V::kInit, V::kDeploying, V::kUndeploying, V::kError, V::kRemoved})
        EXPECT_FALSE(OnVim(state)) << ToString(state);
}

TEST(VmStateMachine, EveryLiveStateCanBeUndeployedAndOnlyUndeployingReachesRemoved) {
    for (int s = 0; s < kVmStates; ++s) {
        auto state = static_cast<V>(s);
        if (state == V::kUndeploying || state == V::kRemoved) {
            EXPECT_FALSE(NextState(state, VE::kUndeploy)) << ToString(state);
            continue;
        }
        EXPECT_EQ(NextState(state, VE::kUndeploy), V::kUndeploying) << ToString(state);
    }
    for (int s = 0; s < kVmStates; ++s) {
        for (int e = 0; e < kVmEvents; ++e) {
            auto next = NextState(static_cast<V>(s), static_cast<VE>(e));
            if (next == V::kRemoved) {
                EXPECT_EQ(static_cast<V>(s), V::kUndeploying);
            }
        }
    }
    for (int e = 0; e < kVmEvents; ++e)
        EXPECT_FALSE(NextState(V::kRemoved, static_cast<VE>(e))) << "removed is final";
}

TEST(ServiceStateMachine, DeployUpdateStopAndUndeploy) {
    EXPECT_EQ(NextState(S::kDeploying, SE::kAllDeployed), S::kInert);
    EXPECT_EQ(NextState(S::kInert, SE::kAllAlive), S::kActive);
    EXPECT_EQ(NextState(S::kActive, SE::kNotAllAlive), S::kInert);
    EXPECT_EQ(NextState(S::kActive, SE::kUpdate), S::kUpdating);
    EXPECT_FALSE(NextState(S::kUpdating, SE::kUpdate)) << "one update at a time";
    EXPECT_EQ(NextState(S::kActive, SE::kAllStopped), S::kStopped);
    EXPECT_EQ(NextState(S::kStopped, SE::kStarted), S::kInert);
    EXPECT_FALSE(NextState(S::kError, SE::kUpdate)) << "undeploy is the way out of error";
    EXPECT_EQ(NextState(S::kError, SE::kUndeploy), S::kUndeploying);
    EXPECT_EQ(NextState(S::kUndeploying, SE::kUndeployed), S::kRemoved);
    for (int e = 0; e < kServiceEvents; ++e)
        EXPECT_FALSE(NextState(S::kRemoved, static_cast<SE>(e)));
}

TEST(StateNames, AreTheReferencesAndRoundTrip) {
    EXPECT_EQ(ToString(V::kAlive), "VM_ALIVE_STATE");
    EXPECT_EQ(ToString(V::kMonitorUnset), "VM_MONITOR_UNSET_STATE");
    EXPECT_EQ(ToString(S::kActive), "SERVICE_ACTIVE_STATE");
    for (int s = 0; s < kVmStates; ++s)
        EXPECT_EQ(ParseVmState(ToString(static_cast<V>(s))), static_cast<V>(s));
    for (int s = 0; s < kServiceStates; ++s)
        EXPECT_EQ(ParseServiceState(ToString(static_cast<S>(s))), static_cast<S>(s));
    EXPECT_FALSE(ParseVmState("VM_HAPPY_STATE"));
}

}  // namespace
}  // namespace escd::model
