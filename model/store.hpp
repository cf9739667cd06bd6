#pragma once
/// @file
/// model::Store — escd's durable state, behind an interface so that the engine and the server do
/// not see SQL (the libpqxx implementation is model/store/pg/).
///
/// Every method BLOCKS (it talks to PostgreSQL): call it on the database pool through
/// escd::Offload, never on an Asio thread. Methods are thread safe; each runs in its own
/// transaction unless it says otherwise. Errors: escd::Error with kNotFound / kConflict for client
/// mistakes it detects, kUnavailable when the database cannot be reached; anything else is
/// internal.

#include <optional>
#include <string>
#include <vector>

#include "model/operation.hpp"
#include "model/resource.hpp"

namespace escd::model {

/// What the completion of an operation does to its target resource.
struct ResourceOutcome {
    ResourceState state = ResourceState::kActive;  ///< kRemoved deletes the row
    std::optional<std::string> external_id;        ///< set when the VIM gave one
    std::optional<std::string> spec;               ///< the new spec (successful update)
    std::optional<std::string> name;
};

class Store {
public:
    virtual ~Store() = default;

    // Resources.
    /// All resources of `kind` (optionally of one tenant) in internal-id order, including those
    /// being created or deleted.
    virtual std::vector<ResourceRecord> ListResources(const std::string& kind,
                                                      const std::optional<std::string>& tenant_id) = 0;
    virtual std::optional<ResourceRecord> GetResource(const std::string& kind,
                                                      const std::string& internal_id) = 0;

    // Accepting work: the intent and the operation row commit together, or not at all.
    /// Inserts `resource` (state CREATING) and `op`. kConflict when the internal id is used by
    /// any resource of any kind; kNotFound when resource.tenant_id names no active tenant.
    virtual void AcceptCreate(const ResourceRecord& resource, const Operation& op) = 0;
    /// Moves the resource to UPDATING and records `op` (whose payload is the new spec).
    /// kNotFound when absent; kConflict when another operation runs on it.
    virtual void AcceptUpdate(const std::string& kind, const std::string& internal_id,
                              const Operation& op) = 0;
    /// Moves the resource to DELETING and records `op`. kNotFound when absent; kConflict when
    /// another operation runs on it, or when it is a tenant that still owns resources.
    virtual void AcceptDelete(const std::string& kind, const std::string& internal_id,
                              const Operation& op) = 0;

    // Completing work: the outcome, the operation's end and its callbacks commit together.
    /// Returns the outbox rows it inserted, in delivery order.
    virtual std::vector<OutboxRow> CompleteOperation(const Operation& op, const ResourceOutcome& outcome,
                                                     int status_code, const std::string& status_message,
                                                     const std::vector<OutboxMessage>& callbacks) = 0;
    /// Operations accepted but not finished (to resume after a restart), oldest first.
    virtual std::vector<Operation> UnfinishedOperations() = 0;

    // Callback outbox.
    /// Rows still to deliver, in id order.
    virtual std::vector<OutboxRow> PendingOutbox() = 0;
    virtual void MarkOutboxDelivered(std::int64_t id) = 0;
    virtual void MarkOutboxRetry(std::int64_t id, int attempts,
                                 std::chrono::system_clock::time_point next_attempt_at,
                                 const std::string& error) = 0;
    /// Final failure: state "REFUSED" (target not allowed) or "EXPIRED" (retries exhausted).
    virtual void MarkOutboxAbandoned(std::int64_t id, const std::string& state, int attempts,
                                     const std::string& reason) = 0;

    // Settings (admin password hash, operation mode, ...).
    virtual std::optional<std::string> GetSetting(const std::string& key) = 0;
    virtual void PutSetting(const std::string& key, const std::string& value) = 0;
};

}  // namespace escd::model
