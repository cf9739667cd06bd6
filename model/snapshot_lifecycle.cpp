#include "model/snapshot_lifecycle.hpp"

#include <array>

#include "model/transition_table.hpp"

namespace escd::model {
namespace {
using Row = Transition<SnapshotState, SnapshotEvent>;
using S = SnapshotState;
using E = SnapshotEvent;
constexpr std::array kTransitions{
    Row{S::kCreating, E::kVimSucceeded, S::kActive},
    Row{S::kCreating, E::kVimFailed, S::kError},
    Row{S::kActive, E::kRevertRequested, S::kReverting},
    Row{S::kReverting, E::kVimSucceeded, S::kActive},
    Row{S::kReverting, E::kVimFailed, S::kActive},
    Row{S::kActive, E::kVolumeRequested, S::kActive},
    Row{S::kActive, E::kDeleteRequested, S::kDeleting},
    Row{S::kError, E::kDeleteRequested, S::kDeleting},
    Row{S::kDeleting, E::kVimSucceeded, S::kRemoved},
    Row{S::kDeleting, E::kVimFailed, S::kError},
};

static_assert(OneRowPerStateAndEvent(kTransitions), "one row per (state, event)");

constexpr std::array<std::string_view, 6> kNames{"CREATING", "ACTIVE", "REVERTING",
                                                 "DELETING", "ERROR",  "REMOVED"};
}  // namespace

std::optional<SnapshotState> NextState(SnapshotState state, SnapshotEvent event) noexcept {
    return Lookup(kTransitions, state, event);
}

std::string_view ToString(SnapshotState state) noexcept {
    return kNames[static_cast<std::size_t>(state)];
}

std::optional<SnapshotState> ParseSnapshotState(std::string_view text) noexcept {
    return ParseName<SnapshotState>(kNames, text);
}

}  // namespace escd::model
