#include "model/resource_lifecycle.hpp"

#include <array>

namespace escd::model {
namespace {
struct Transition {
    ResourceState from;
    ResourceEvent on;
    ResourceState to;
};

using S = ResourceState;
using E = ResourceEvent;
constexpr std::array kTransitions{
    Transition{S::kCreating, E::kVimSucceeded, S::kActive},
    Transition{S::kCreating, E::kVimFailed, S::kRemoved},
    Transition{S::kActive, E::kUpdateRequested, S::kUpdating},
    Transition{S::kActive, E::kDeleteRequested, S::kDeleting},
    Transition{S::kUpdating, E::kVimSucceeded, S::kActive},
    Transition{S::kUpdating, E::kVimFailed, S::kActive},
    Transition{S::kDeleting, E::kVimSucceeded, S::kRemoved},
    Transition{S::kDeleting, E::kVimFailed, S::kActive},
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

constexpr std::array<std::string_view, 5> kNames{"CREATING", "ACTIVE", "UPDATING", "DELETING",
                                                 "REMOVED"};
}  // namespace

std::optional<ResourceState> NextState(ResourceState state, ResourceEvent event) noexcept {
    for (const auto& t : kTransitions) {
        if (t.from == state && t.on == event) return t.to;
    }
    return std::nullopt;
}

std::string_view ToString(ResourceState state) noexcept {
    return kNames[static_cast<std::size_t>(state)];
}

std::optional<ResourceState> ParseResourceState(std::string_view text) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == text) return static_cast<ResourceState>(i);
    }
    return std::nullopt;
}

}  // namespace escd::model
