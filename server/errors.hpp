#pragma once
/// @file
/// Error answers: `<error><status>409</status><message>...</message></error>`
/// (docs/behaviour.md, "Errors"; the policy per layer: docs/errors.md).

#include <exception>
#include <string>

#include "server/http_types.hpp"

namespace escd::server {

Response ErrorResponse(int status, const std::string& message);
/// Maps the exception in flight: escd::Error by its origin and code (the one table,
/// HttpStatusOf in common/error.cpp),
/// anything else to 500 "internal error" (logged with its detail; the client sees no internals).
/// The Retry-After of a 503 that a retryable error caused (the database or a VIM did not
/// answer): about a database failover's time behind HAProxy (deploy/cluster).
inline constexpr int kRetryAfterSeconds = 5;

/// `shape`: the face's error answer (ESC's XML by default).
Response ResponseForException(std::exception_ptr error,
                              std::string_view context,
                              const ErrorShape& shape = ErrorResponse);

}  // namespace escd::server
