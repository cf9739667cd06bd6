// Step() (the VM table with its effects column) and the facts derived from VM and service
// states (model/vm_state_machine.hpp): what handlers and workflows ask instead of comparing
// states themselves.
#include <gtest/gtest.h>

#include <optional>

#include "model/vm_state_machine.hpp"
#include "tests/unit/vm_state_enums.hpp"

namespace escd::model {
namespace {
using namespace escd::model::test;

TEST(VmStep, FollowsTheTransitionTableForEveryStateAndEvent) {
    for (int s = 0; s < kVmStates; ++s) {
        for (int e = 0; e < kVmEvents; ++e) {
            const auto state = static_cast<V>(s);
            const auto event = static_cast<VE>(e);
            const auto step = Step(state, event);
            const auto next = NextState(state, event);
            ASSERT_EQ(step.has_value(), next.has_value()) << ToString(state) << " event " << e;
            if (step) {
                EXPECT_EQ(step->next, *next) << ToString(state) << " event " << e;
            }
        }
    }
}

TEST(VmStep, NamesTheStagesEveryWorkflowSendsWithItsTransition) {
    EXPECT_EQ(Step(V::kInert, VE::kAlive)->stage, "VM_ALIVE");
    EXPECT_EQ(Step(V::kAlive, VE::kAlive)->stage, "") << "a repeated verdict is no news";
    for (auto from : {V::kAlive, V::kInert, V::kError, V::kShutoff})
        EXPECT_EQ(Step(from, VE::kRecover)->stage, "VM_RECOVERY_INIT") << ToString(from);
    EXPECT_EQ(Step(V::kRecovering, VE::kAlive)->stage, "VM_RECOVERY_COMPLETE");
    EXPECT_EQ(Step(V::kRecovering, VE::kVimFailed)->stage, "VM_RECOVERY_COMPLETE");
    EXPECT_EQ(Step(V::kAlive, VE::kDown)->stage, "") << "a VM going down sends nothing";
    EXPECT_EQ(Step(V::kStopping, VE::kVimDone)->stage, "") << "the operation names its stage";
    EXPECT_FALSE(Step(V::kMonitorUnset, VE::kRecover));
}

TEST(VmFacts, RunningIsEveryStateButStoppingAndShutoff) {
    for (int s = 0; s < kVmStates; ++s) {
        const auto state = static_cast<V>(s);
        EXPECT_EQ(VmIsRunning(state), state != V::kStopping && state != V::kShutoff)
            << ToString(state);
    }
}

TEST(VmFacts, SettledUpAndBeingDeployedAreTheDocumentedStates) {
    for (int s = 0; s < kVmStates; ++s) {
        const auto state = static_cast<V>(s);
        EXPECT_EQ(VmIsSettled(state), state == V::kInert || state == V::kAlive ||
                                          state == V::kShutoff || state == V::kMonitorUnset)
            << ToString(state);
        EXPECT_EQ(VmIsUp(state), state == V::kInert || state == V::kAlive) << ToString(state);
        EXPECT_EQ(VmIsBeingDeployed(state), state == V::kInit || state == V::kDeploying)
            << ToString(state);
    }
}

TEST(VmFacts, ARequestIsInFlightInItsOwnStateAndDoneWhereItLeads) {
    EXPECT_TRUE(VmRequestInFlight(V::kStopping, VE::kStop));
    EXPECT_TRUE(VmRequestInFlight(V::kStarting, VE::kStart));
    EXPECT_TRUE(VmRequestInFlight(V::kRebooting, VE::kReboot));
    EXPECT_FALSE(VmRequestInFlight(V::kStopping, VE::kStart));
    EXPECT_FALSE(VmRequestInFlight(V::kRebooting, VE::kStop));
    EXPECT_FALSE(VmRequestInFlight(V::kMonitorUnset, VE::kDisableMonitoring))
        << "monitoring switches have no VIM call to redo";
    EXPECT_FALSE(VmRequestInFlight(V::kAlive, VE::kStop));

    EXPECT_TRUE(VmRequestDone(V::kShutoff, true, VE::kStop));
    EXPECT_FALSE(VmRequestDone(V::kStopping, true, VE::kStop));
    EXPECT_TRUE(VmRequestDone(V::kInert, true, VE::kStart));
    EXPECT_TRUE(VmRequestDone(V::kAlive, false, VE::kStart));
    EXPECT_FALSE(VmRequestDone(V::kStarting, true, VE::kStart));
    EXPECT_TRUE(VmRequestDone(V::kMonitorUnset, false, VE::kDisableMonitoring));
    EXPECT_TRUE(VmRequestDone(V::kAlive, true, VE::kEnableMonitoring));
    EXPECT_FALSE(VmRequestDone(V::kAlive, false, VE::kEnableMonitoring))
        << "up but unmonitored: the switch is still to do";
    EXPECT_FALSE(VmRequestDone(V::kMonitorUnset, false, VE::kEnableMonitoring));
    EXPECT_FALSE(VmRequestDone(V::kAlive, true, VE::kReboot)) << "a reboot is never done before";
}

TEST(ServiceFacts, NoStoredStateIsDeploying) {
    EXPECT_EQ(ServiceStateOf(std::nullopt), S::kDeploying);
    EXPECT_EQ(ServiceStateOf(S::kStopped), S::kStopped);
}

TEST(ServiceFacts, UpdatesAndOperationsAreAdmittedByTheTable) {
    for (int s = 0; s < kServiceStates; ++s) {
        const auto state = static_cast<S>(s);
        const bool up = state == S::kActive || state == S::kInert;
        EXPECT_EQ(ServiceIsUp(state), up) << ToString(state);
        EXPECT_EQ(ServiceAcceptsUpdate(state), up) << ToString(state);
        EXPECT_EQ(ServiceAcceptsOperation(state, VE::kStart), state == S::kStopped)
            << ToString(state);
        for (auto request : {VE::kStop, VE::kReboot, VE::kDisableMonitoring, VE::kEnableMonitoring})
            EXPECT_EQ(ServiceAcceptsOperation(state, request), up) << ToString(state);
    }
}

TEST(ServiceFacts, AnUpServiceAndOneBeingUpdatedAreWatched) {
    for (int s = 0; s < kServiceStates; ++s) {
        const auto state = static_cast<S>(s);
        const bool watched = state == S::kActive || state == S::kInert || state == S::kUpdating;
        EXPECT_EQ(ServiceIsWatched(state), watched) << ToString(state);
    }
}

TEST(ServiceStateMachine, AFailureFoundAgainLeavesTheServiceInError) {
    EXPECT_EQ(NextState(S::kError, SE::kFailed), S::kError);
    EXPECT_FALSE(NextState(S::kStopped, SE::kFailed));
}

}  // namespace
}  // namespace escd::model
