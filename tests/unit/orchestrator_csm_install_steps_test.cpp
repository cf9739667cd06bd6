// The steps of an install job (orchestrator/csm/install_steps.hpp): the order the table gives
// each kind of job, the rows that keep a job from typing its command twice, the progress record.

#include <gtest/gtest.h>

#include <vector>

#include "orchestrator/csm/install_steps.hpp"

namespace escd::orchestrator::csm {
namespace {

using model::csm::InstallAction;
using S = InstallStep;
using O = StepOutcome;

// The steps a job of `action` goes through when every step reports `outcomes` in turn.
std::vector<S> Walk(InstallAction action, const std::vector<O>& outcomes) {
    std::vector<S> steps{S::kConnect};
    for (const auto outcome : outcomes) {
        const auto next = NextInstallStep(action, steps.back(), outcome);
        if (!next) return steps;
        steps.push_back(*next);
    }
    return steps;
}

TEST(InstallSteps, ACheckConnectsDiscoversChecksCapturesAndDiffs) {
    EXPECT_EQ(Walk(InstallAction::kPostUpgrade, std::vector<O>(5, O::kDone)),
              (std::vector<S>{S::kConnect, S::kDiscover, S::kCheckNodes, S::kCapture, S::kDiff,
                              S::kCompleted}));
}

TEST(InstallSteps, APackageOperationIssuesWatchesAndFollowsTheReload) {
    EXPECT_EQ(Walk(InstallAction::kActivate, {O::kDone, O::kDone, O::kDone, O::kDone, O::kReloading,
                                              O::kDone, O::kDone, O::kDone}),
              (std::vector<S>{S::kConnect, S::kDiscover, S::kReadBefore, S::kIssue, S::kWatch,
                              S::kAwaitReload, S::kWatch, S::kReadAfter, S::kCompleted}));
}

TEST(InstallSteps, NothingToDoSkipsTheCommand) {
    EXPECT_EQ(
        Walk(InstallAction::kActivate, {O::kDone, O::kDone, O::kNothingToDo, O::kDone}),
        (std::vector<S>{S::kConnect, S::kDiscover, S::kReadBefore, S::kReadAfter, S::kCompleted}));
}

TEST(InstallSteps, AResumedJobNeverGoesBackBeforeItsCommand) {
    // Discovery of a resumed job jumps to its command (to check whether it went) or its watch.
    EXPECT_EQ(NextInstallStep(InstallAction::kAdd, S::kDiscover, O::kResumeIssue), S::kIssue);
    EXPECT_EQ(NextInstallStep(InstallAction::kAdd, S::kDiscover, O::kResumeWatch), S::kWatch);
    // Once the command may have gone, a lost session is waited for, not a failure.
    for (const auto step : {S::kConnect, S::kDiscover, S::kIssue, S::kWatch})
        EXPECT_EQ(NextInstallStep(InstallAction::kActivate, step, O::kLost), S::kAwaitReload)
            << InstallStepName(step);
    // And no row leads from the watch or the reload back to reading or issuing.
    for (const auto outcome : {O::kDone, O::kNothingToDo, O::kReloading, O::kLost, O::kResumeIssue,
                               O::kResumeWatch, O::kFailed}) {
        for (const auto step : {S::kWatch, S::kAwaitReload, S::kReadAfter}) {
            const auto next = NextInstallStep(InstallAction::kActivate, step, outcome);
            if (next) {
                EXPECT_NE(*next, S::kIssue);
                EXPECT_NE(*next, S::kReadBefore);
            }
        }
    }
}

TEST(InstallSteps, EveryStepCanFailAndTheEndsHaveNoRows) {
    for (const auto action : {InstallAction::kPreUpgrade, InstallAction::kCommit}) {
        for (int step = 0; step < static_cast<int>(S::kCompleted); ++step) {
            const auto from = static_cast<S>(step);
            const auto next = NextInstallStep(action, from, O::kFailed);
            const bool used = NextInstallStep(action, from, O::kDone).has_value();
            if (used) {
                EXPECT_EQ(next, S::kFailed) << InstallStepName(from);
            }
        }
        EXPECT_FALSE(NextInstallStep(action, S::kCompleted, O::kDone));
        EXPECT_FALSE(NextInstallStep(action, S::kFailed, O::kDone));
    }
    // A check is read-only: it has no command to resume and no reload to wait for.
    EXPECT_FALSE(NextInstallStep(InstallAction::kPreUpgrade, S::kDiscover, O::kResumeWatch));
    EXPECT_FALSE(NextInstallStep(InstallAction::kPreUpgrade, S::kConnect, O::kLost));
}

TEST(InstallSteps, TheProgressRecordRoundTrips) {
    JobProgress progress;
    progress.step = S::kAwaitReload;
    progress.operation = 12;
    progress.last_operation = 11;
    progress.reload = true;
    progress.reloaded = true;
    progress.monitoring_held = true;
    const auto json = ProgressJson(progress);
    EXPECT_EQ(json, R"({"step":"await-reload","operation":12,"last_operation":11,"reload":true,)"
                    R"("reloaded":true,"monitoring_held":true})");
    EXPECT_EQ(ParseProgress(json), progress);
    EXPECT_EQ(ProgressJson(JobProgress{}), R"({"step":"connect"})");
}

TEST(InstallSteps, OnlyActivateAndDeactivateMayReloadTheDevice) {
    using model::csm::InstallAction;
    for (auto action : {InstallAction::kActivate, InstallAction::kDeactivate})
        EXPECT_TRUE(MayReload(action)) << model::csm::InstallActionName(action);
    for (auto action :
         {InstallAction::kPreUpgrade, InstallAction::kAdd, InstallAction::kPostUpgrade,
          InstallAction::kCommit, InstallAction::kRemove, InstallAction::kRemoveAllInactive})
        EXPECT_FALSE(MayReload(action)) << model::csm::InstallActionName(action);
}

TEST(InstallSteps, AnUnreadableRecordStartsAfresh) {
    for (const auto* text : {"", "not json", "[1]", R"({"step":"flying","operation":3})"})
        EXPECT_EQ(ParseProgress(text), JobProgress{}) << text;
    EXPECT_EQ(ParseInstallStep("watch"), S::kWatch);
    EXPECT_EQ(InstallStepName(S::kCheckNodes), "check-nodes");
}

}  // namespace
}  // namespace escd::orchestrator::csm
