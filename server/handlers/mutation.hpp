#pragma once
/// @file
/// What every mutating route shares: reading the callback headers, checking the media type,
/// and building the 200 "accepted" answer that launches the work once it was sent.

#include <string>

#include "model/operation.hpp"
#include "model/stores/resource_store.hpp"
#include "model/xml/resource_xml.hpp"
#include "orchestrator/engine/engine.hpp"
#include "server/http_types.hpp"

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

/// 200 with ESC-Transaction-Id (and ESC_TRANSACTION_ID), `body`, and the launch of `op` on the
/// engine once the answer was written.
Response Accepted(orchestrator::Engine& engine, model::Operation op, std::string body);

}  // namespace escd::server::handlers
