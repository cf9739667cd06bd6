#pragma once
/// @file
/// The lifecycle of a non-deployment resource (tenant, network, subnet, image, ...), as one
/// explicit transition table. Requests and VIM outcomes are events; an event that has no row for
/// the current state is refused: from a request that is a 409 ("an operation is in progress").
///
///   CREATING --VimSucceeded--> ACTIVE          CREATING --VimFailed--> (removed)
///   ACTIVE   --UpdateRequested--> UPDATING     ACTIVE --DeleteRequested--> DELETING
///   UPDATING --VimSucceeded--> ACTIVE (new spec)   UPDATING --VimFailed--> ACTIVE (old spec)
///   DELETING --VimSucceeded--> (removed)       DELETING --VimFailed--> ACTIVE
///   UPDATING --DeleteCancelling--> DELETING  (an undeploy that cancels the operation running on
///                                             the deployment: model::UndeployCancels)

#include <optional>
#include <string_view>

namespace escd::model {

enum class ResourceState { kCreating, kActive, kUpdating, kDeleting, kRemoved };
enum class ResourceEvent {
    kUpdateRequested,
    kDeleteRequested,
    kDeleteCancelling,  ///< a delete that cancels the running operation
    kVimSucceeded,
    kVimFailed
};

/// The state after `event` in `state`, or nullopt when the table has no such row.
std::optional<ResourceState> NextState(ResourceState state, ResourceEvent event) noexcept;

std::string_view ToString(ResourceState state) noexcept;  ///< "CREATING", "ACTIVE", ...
std::optional<ResourceState> ParseResourceState(std::string_view text) noexcept;

}  // namespace escd::model
