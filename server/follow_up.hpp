#pragma once
/// @file
/// What an accepted change leaves for after its answer, and who starts it: the last step of the
/// mutation pipeline (docs/architecture.md, "The mutation pipeline"). A response carries it as
/// data; the server hands it to FollowUps once the answer was written.

#include <optional>
#include <vector>

#include "model/operation.hpp"

namespace escd::server {

struct FollowUp {
    /// Accepted work for the engine to run (a create, an update, a VM operation, ...).
    std::optional<model::Operation> run;
    /// The callbacks of a change committed finished (a host switched, a VIM connector changed):
    /// they go out after the answer that announces their transaction id.
    std::vector<model::OutboxRow> callbacks;
};

/// Starts follow-ups: the engine runs the work, the notifier sends the callbacks
/// (server/handlers/mutation.hpp has the implementation server/main.cpp wires in).
class FollowUps {
  public:
    virtual ~FollowUps() = default;
    /// Called once per accepted request, after its answer was written or failed to be: accepted
    /// work runs even when the client vanished before reading the answer. Thread safe.
    virtual void Start(FollowUp follow_up) = 0;
};

}  // namespace escd::server
