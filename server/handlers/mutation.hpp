#pragma once
/// @file
/// The mutation pipeline every mutating route goes through (docs/architecture.md, "The mutation
/// pipeline"): validate → accept (commit) → answer → launch. A route's handler validates the
/// request and commits it, returning what it accepted; AddMutation() writes the answer and hands
/// the follow-up to the server, which starts it once the answer was written. Here too: reading
/// the callback headers, checking the media type and the references a request names.

#include <string>
#include <vector>

#include "model/operation.hpp"
#include "model/stores/resource_store.hpp"
#include "model/xml/resource_xml.hpp"
#include "orchestrator/engine/engine.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "server/follow_up.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

/// A new operation for `target_kind`/`target_id`, with a fresh transaction id and the
/// `Callback` / `Callback-ESC-Events` URLs of the request. When `callback_required`, a missing
/// Callback is a 400 (the reference marks it required on tenant routes). A Callback that is not
/// an absolute http(s) URL is a 400 either way. Throws escd::Error(kBadRequest).
model::Operation NewOperation(const Request& request,
                              model::OperationKind kind,
                              model::TargetKind target_kind,
                              std::string target_id,
                              bool callback_required);

/// 404 unless every resource in `references` exists, is not being deleted and, when it belongs
/// to a tenant, belongs to `tenant` (a router's subnets, a deployment's images and networks).
asio::awaitable<void> RequireReferences(model::ResourceStore& resources,
                                        const std::vector<model::xml::Reference>& references,
                                        const std::string& tenant);

/// The 404 message for a reference that names nothing usable: "<field> names <kind> <id>, which
/// does not exist[ in tenant <tenant>]".
std::string MissingReferenceMessage(const model::xml::Reference& ref, const std::string& tenant);

/// 415 unless the body is XML (application/xml, text/xml, +xml) or has no Content-Type.
void RequireXmlBody(const Request& request);

/// What a mutating route accepted: committed before this exists.
struct Accepted {
    std::string transaction_id;
    std::string body;  ///< the answer's XML
    http::status status = http::status::ok;
    FollowUp follow_up;
};

/// Work the engine runs once the answer was written: `op` is committed as accepted.
Accepted ToRun(model::Operation op, std::string body);
/// A change committed finished: its `callbacks` go out once the answer was written.
Accepted Finished(const model::Operation& op,
                  std::string body,
                  std::vector<model::OutboxRow> callbacks);

/// Validates a request and commits it (the role store's accept), or throws escd::Error.
using MutationHandler = std::function<asio::awaitable<Accepted>(Request&)>;

/// Adds a mutating route. The answer is written here for every route: `status` (200 unless the
/// route says otherwise), ESC-Transaction-Id and ESC_TRANSACTION_ID, the body; the follow-up
/// rides in the response for the server to start after writing it.
void AddMutation(Router& router,
                 http::verb method,
                 std::string pattern,
                 MutationHandler handler,
                 RouteOptions options = {});

/// FollowUps as escd wires them: the engine launches the work, the notifier sends callbacks.
class EngineFollowUps final : public FollowUps {
  public:
    EngineFollowUps(orchestrator::Engine& engine, orchestrator::Notifier& notifier)
        : engine_(engine), notifier_(notifier) {}
    void Start(FollowUp follow_up) override;

  private:
    orchestrator::Engine& engine_;
    orchestrator::Notifier& notifier_;
};

}  // namespace escd::server::handlers
