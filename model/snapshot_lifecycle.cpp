#include "model/snapshot_lifecycle.hpp"

#include <array>

#include "model/transition_table.hpp"

namespace escd::model {
namespace {
using SnapshotRow = Transition<SnapshotState, SnapshotEvent>;
using SS = SnapshotState;
using SE = SnapshotEvent;
constexpr std::array kSnapshotTransitions{
    SnapshotRow{SS::kCreating, SE::kVimSucceeded, SS::kActive},
    SnapshotRow{SS::kCreating, SE::kVimFailed, SS::kError},
    SnapshotRow{SS::kActive, SE::kRevertRequested, SS::kReverting},
    SnapshotRow{SS::kReverting, SE::kVimSucceeded, SS::kActive},
    SnapshotRow{SS::kReverting, SE::kVimFailed, SS::kActive},
    SnapshotRow{SS::kActive, SE::kVolumeRequested, SS::kActive},
    SnapshotRow{SS::kActive, SE::kDeleteRequested, SS::kDeleting},
    SnapshotRow{SS::kError, SE::kDeleteRequested, SS::kDeleting},
    SnapshotRow{SS::kDeleting, SE::kVimSucceeded, SS::kRemoved},
    SnapshotRow{SS::kDeleting, SE::kVimFailed, SS::kError},
};

static_assert(OneRowPerStateAndEvent(kSnapshotTransitions), "one row per (state, event)");

constexpr std::array<std::string_view, 6> kSnapshotStateNames{"CREATING", "ACTIVE", "REVERTING",
                                                              "DELETING", "ERROR",  "REMOVED"};
}  // namespace

std::optional<SnapshotState> NextState(SnapshotState state, SnapshotEvent event) noexcept {
    return Lookup(kSnapshotTransitions, state, event);
}

std::string_view ToString(SnapshotState state) noexcept {
    return kSnapshotStateNames[static_cast<std::size_t>(state)];
}

std::optional<SnapshotState> ParseSnapshotState(std::string_view text) noexcept {
    return ParseName<SnapshotState>(kSnapshotStateNames, text);
}

}  // namespace escd::model
