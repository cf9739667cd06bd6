#include "model/resource_lifecycle.hpp"

#include <array>

#include "model/transition_table.hpp"

namespace escd::model {
namespace {
using ResourceRow = Transition<ResourceState, ResourceEvent>;
using RS = ResourceState;
using RE = ResourceEvent;
constexpr std::array kResourceTransitions{
    ResourceRow{RS::kCreating, RE::kVimSucceeded, RS::kActive},
    ResourceRow{RS::kCreating, RE::kVimFailed, RS::kRemoved},
    ResourceRow{RS::kActive, RE::kUpdateRequested, RS::kUpdating},
    ResourceRow{RS::kActive, RE::kDeleteRequested, RS::kDeleting},
    ResourceRow{RS::kUpdating, RE::kDeleteCancelling, RS::kDeleting},
    ResourceRow{RS::kUpdating, RE::kVimSucceeded, RS::kActive},
    ResourceRow{RS::kUpdating, RE::kVimFailed, RS::kActive},
    ResourceRow{RS::kDeleting, RE::kVimSucceeded, RS::kRemoved},
    ResourceRow{RS::kDeleting, RE::kVimFailed, RS::kActive},
};

static_assert(OneRowPerStateAndEvent(kResourceTransitions), "one row per (state, event)");

constexpr std::array<std::string_view, 5> kResourceStateNames{"CREATING", "ACTIVE", "UPDATING",
                                                              "DELETING", "REMOVED"};
}  // namespace

std::optional<ResourceState> NextState(ResourceState state, ResourceEvent event) noexcept {
    return Lookup(kResourceTransitions, state, event);
}

std::string_view ToString(ResourceState state) noexcept {
    return kResourceStateNames[static_cast<std::size_t>(state)];
}

std::optional<ResourceState> ParseResourceState(std::string_view text) noexcept {
    return ParseName<ResourceState>(kResourceStateNames, text);
}

}  // namespace escd::model
