#pragma once
/// @file
/// The lifecycle of a VM snapshot (/v0/snapshots, snapshot-vm), as one explicit transition
/// table. Requests and VIM outcomes are events; a request that has no row for the snapshot's
/// current state is refused with 409 and nothing is stored.
///
///   CREATING  --VimSucceeded--> ACTIVE         CREATING  --VimFailed--> ERROR
///   ACTIVE    --RevertRequested--> REVERTING   REVERTING --VimSucceeded|VimFailed--> ACTIVE
///   ACTIVE    --VolumeRequested--> ACTIVE      (a volume is made only from an ACTIVE snapshot)
///   ACTIVE|ERROR --DeleteRequested--> DELETING
///   DELETING  --VimSucceeded--> REMOVED (the row goes)   DELETING --VimFailed--> ERROR
///
/// A failed revert leaves the snapshot as it was (ACTIVE): the VIM still holds it. A failed
/// delete leaves it in ERROR, from where a delete may be asked again.

#include <optional>
#include <string_view>

namespace escd::model {

enum class SnapshotState { kCreating, kActive, kReverting, kDeleting, kError, kRemoved };
enum class SnapshotEvent {
    kRevertRequested,
    kVolumeRequested,
    kDeleteRequested,
    kVimSucceeded,
    kVimFailed,
};

/// The state after `event` in `state`, or nullopt when the table has no such row.
std::optional<SnapshotState> NextState(SnapshotState state, SnapshotEvent event) noexcept;

std::string_view ToString(SnapshotState state) noexcept;  ///< "CREATING", "ACTIVE", ...
std::optional<SnapshotState> ParseSnapshotState(std::string_view text) noexcept;

}  // namespace escd::model
