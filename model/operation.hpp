#pragma once
/// @file
/// Accepted work and the callbacks it produces, as persisted in `operations` and `outbox`.

#include <chrono>
#include <cstdint>
#include <string>

namespace escd::model {

/// One accepted POST/PUT/DELETE. Persisted before the 200 goes out; finished in the transaction
/// that applies its outcome.
struct Operation {
    std::string transaction_id;  ///< the ESC-Transaction-Id (UUID)
    std::string kind;            ///< the event it completes with: CREATE_TENANT, UPDATE_TENANT, ...
    std::string target_kind;     ///< model::kind::k*
    std::string target_id;       ///< internal id of the target
    std::string callback_url;    ///< `Callback` header; empty = no callback
    std::string events_url;      ///< `Callback-ESC-Events` header; empty = none
    std::string payload;         ///< the accepted spec (XML) for creates and updates
};

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
