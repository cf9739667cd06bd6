#pragma once
/// @file
/// Accepted work and the callbacks it produces, as persisted in `operations` and `outbox`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/kinds.hpp"

namespace escd::model {

/// One accepted POST/PUT/DELETE. Persisted before the 200 goes out; finished in the transaction
/// that applies its outcome.
struct Operation {
    std::string transaction_id;  ///< the ESC-Transaction-Id (UUID)
    /// The event it completes with (CREATE_TENANT, ...); nullopt for a row another version of
    /// escd wrote with a kind this one does not know (its text in `unknown_kind`), which the
    /// engine ends with a failure rather than run.
    std::optional<OperationKind> kind;
    std::string unknown_kind;
    TargetKind target_kind = TargetKind::kTenant;
    std::string target_id;     ///< internal id of the target
    std::string callback_url;  ///< `Callback` header; empty = no callback
    std::string events_url;    ///< `Callback-ESC-Events` header; empty = none
    std::string payload;       ///< the accepted spec (XML) for creates and updates
};

/// The text of `op`'s kind as stored and sent (the callback's event_type): its name, or the
/// stored text of a kind this escd does not know.
inline std::string_view KindText(const Operation& op) noexcept {
    return op.kind ? ToString(*op.kind) : std::string_view(op.unknown_kind);
}

/// A callback to deliver: POST `body` to `url` with the ESC status headers.
struct OutboxMessage {
    std::string url;
    std::string event;  ///< event_type / deployment_stage, for logs and de-duplication
    int status_code = 200;
    std::string status_message;
    std::string body;
};

/// An outbox row as stored.
struct OutboxRow {
    std::int64_t id = 0;
    std::string transaction_id;
    OutboxMessage message;
    int attempts = 0;
    std::chrono::system_clock::time_point created_at;
    std::chrono::system_clock::time_point next_attempt_at;
};

}  // namespace escd::model
