#include "model/resource_lifecycle.hpp"

#include <array>

#include "model/transition_table.hpp"

namespace escd::model {
namespace {
using Row = Transition<ResourceState, ResourceEvent>;
using S = ResourceState;
using E = ResourceEvent;
constexpr std::array kTransitions{
    Row{S::kCreating, E::kVimSucceeded, S::kActive},
    Row{S::kCreating, E::kVimFailed, S::kRemoved},
    Row{S::kActive, E::kUpdateRequested, S::kUpdating},
    Row{S::kActive, E::kDeleteRequested, S::kDeleting},
    Row{S::kUpdating, E::kVimSucceeded, S::kActive},
    Row{S::kUpdating, E::kVimFailed, S::kActive},
    Row{S::kDeleting, E::kVimSucceeded, S::kRemoved},
    Row{S::kDeleting, E::kVimFailed, S::kActive},
};

static_assert(OneRowPerStateAndEvent(kTransitions), "one row per (state, event)");

constexpr std::array<std::string_view, 5> kNames{"CREATING", "ACTIVE", "UPDATING", "DELETING",
                                                 "REMOVED"};
}  // namespace

std::optional<ResourceState> NextState(ResourceState state, ResourceEvent event) noexcept {
    return Lookup(kTransitions, state, event);
}

std::string_view ToString(ResourceState state) noexcept {
    return kNames[static_cast<std::size_t>(state)];
}

std::optional<ResourceState> ParseResourceState(std::string_view text) noexcept {
    return ParseName<ResourceState>(kNames, text);
}

}  // namespace escd::model
