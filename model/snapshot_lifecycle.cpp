#include "model/snapshot_lifecycle.hpp"

#include <array>

namespace escd::model {
namespace {
struct Transition {
    SnapshotState from;
    SnapshotEvent on;
    SnapshotState to;
};

using S = SnapshotState;
using E = SnapshotEvent;
constexpr std::array kTransitions{
    Transition{S::kCreating, E::kVimSucceeded, S::kActive},
    Transition{S::kCreating, E::kVimFailed, S::kError},
    Transition{S::kActive, E::kRevertRequested, S::kReverting},
    Transition{S::kReverting, E::kVimSucceeded, S::kActive},
    Transition{S::kReverting, E::kVimFailed, S::kActive},
    Transition{S::kActive, E::kVolumeRequested, S::kActive},
    Transition{S::kActive, E::kDeleteRequested, S::kDeleting},
    Transition{S::kError, E::kDeleteRequested, S::kDeleting},
    Transition{S::kDeleting, E::kVimSucceeded, S::kRemoved},
    Transition{S::kDeleting, E::kVimFailed, S::kError},
};

constexpr bool NoDuplicateRows() {
    for (std::size_t i = 0; i < kTransitions.size(); ++i) {
        for (std::size_t j = i + 1; j < kTransitions.size(); ++j) {
            if (kTransitions[i].from == kTransitions[j].from &&
                kTransitions[i].on == kTransitions[j].on) {
                return false;
            }
        }
    }
    return true;
}
static_assert(NoDuplicateRows(), "one row per (state, event)");

constexpr std::array<std::string_view, 6> kNames{"CREATING", "ACTIVE", "REVERTING",
                                                 "DELETING", "ERROR",  "REMOVED"};
}  // namespace

std::optional<SnapshotState> NextState(SnapshotState state, SnapshotEvent event) noexcept {
    for (const auto& t : kTransitions) {
        if (t.from == state && t.on == event) return t.to;
    }
    return std::nullopt;
}

std::string_view ToString(SnapshotState state) noexcept {
    return kNames[static_cast<std::size_t>(state)];
}

std::optional<SnapshotState> ParseSnapshotState(std::string_view text) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == text) return static_cast<SnapshotState>(i);
    }
    return std::nullopt;
}

}  // namespace escd::model
