#pragma once
/// @file
/// model::OperationStore — the role of the store that keeps operations and the callback outbox:
/// the end of an operation on a resource (its outcome, the operation's end and its callbacks in
/// one transaction), the operations to resume after a restart, and the outbox the notifier
/// delivers. Conventions: model/stores/resource_store.hpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
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

class OperationStore {
  public:
    virtual ~OperationStore() = default;

    /// The outcome, the operation's end and its callbacks commit together. Returns the outbox
    /// rows it inserted, in delivery order. Idempotent: when the operation had ended already (a
    /// retry after a COMMIT whose outcome was lost), nothing is written again and the rows
    /// still pending of its transaction are returned. LeaseLost when another node holds the
    /// transaction.
    virtual asio::awaitable<std::vector<OutboxRow>> CompleteOperation(
        const Operation& op,
        const ResourceOutcome& outcome,
        int status_code,
        const std::string& status_message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// The operation accepted last on a target (its callback URLs serve events no request
    /// caused); nullopt when there is none.
    virtual asio::awaitable<std::optional<Operation>> LatestOperation(
        const std::string& target_id) = 0;
    /// The transaction of the undeploy that cancelled operation `transaction_id`
    /// (DeploymentStore::AcceptUndeploy); nullopt while it is not cancelled.
    virtual asio::awaitable<std::optional<std::string>> CancelledBy(
        const std::string& transaction_id) = 0;
    /// The status code operation `transaction_id` ended with; nullopt while it runs (or when
    /// there is no such operation).
    virtual asio::awaitable<std::optional<int>> OperationEnd(const std::string& transaction_id) = 0;
    /// The operations `transaction_id` cancelled that have not ended yet.
    virtual asio::awaitable<std::vector<std::string>> UnfinishedCancelledBy(
        const std::string& transaction_id) = 0;

    // Callback outbox.
    /// Marks row `id` of `transaction_id` delivered, that row only: an earlier row of the
    /// transaction may have committed after it and not be sent yet (Notifier, "out of id
    /// order"). A mark that lands after a later one's leaves the earlier row pending a moment;
    /// a crash then resends it: at least once.
    virtual asio::awaitable<void> MarkOutboxDelivered(const std::string& transaction_id,
                                                      std::int64_t id) = 0;
    virtual asio::awaitable<void> MarkOutboxRetry(
        std::int64_t id,
        int attempts,
        std::chrono::system_clock::time_point next_attempt_at,
        const std::string& error) = 0;
    /// Final failure: state "REFUSED" (target not allowed) or "EXPIRED" (retries exhausted).
    virtual asio::awaitable<void> MarkOutboxAbandoned(std::int64_t id,
                                                      const std::string& state,
                                                      int attempts,
                                                      const std::string& reason) = 0;
};

}  // namespace escd::model
