#pragma once
/// @file
/// escd's error taxonomy, one policy per layer:
/// - model/, the store, vim/ and orchestrator/ throw escd::Error (or let a libpqxx / std exception
///   escape, which means "internal"). An Error carries an ErrorCode that says what kind of failure
///   it is; server/errors.cpp maps ErrorCode to an HTTP status in exactly one table.
/// - Socket I/O (Beast, Asio) uses boost::system::error_code values at the edge; benign codes
///   (end_of_stream, stream_truncated, operation_aborted) are filtered there and never thrown.
/// - Every co_spawn'ed task catches at its top and logs once; nothing escapes to the io_context.
/// - Start-up and configuration errors are fatal: logged, exit code 1.

#include <stdexcept>
#include <string>

namespace escd {

enum class ErrorCode {
    kBadRequest,        ///< malformed XML, missing field, bad id (HTTP 400)
    kUnauthorized,      ///< missing or wrong credentials (401)
    kNotFound,          ///< unknown resource or parent (404)
    kNotAllowed,        ///< method not allowed on this path (405)
    kNotSupported,      ///< the VIM cannot do this to such a resource (406, as the reference has)
    kConflict,          ///< id already used, or an operation is running on the target (409)
    kPayloadTooLarge,   ///< body over the limit (413)
    kUnsupportedMedia,  ///< body that is not XML (415)
    kUnavailable,       ///< maintenance mode, VIM unreachable (503)
    kVimError,          ///< the VIM refused or failed an operation (500 in callbacks)
    kNotImplemented,    ///< the VIM cannot do this at all, e.g. live migration (501 in callbacks)
    kInternal,          ///< a bug or an infrastructure failure (500)
};

class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, std::string message)
        : std::runtime_error(std::move(message)), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

  private:
    ErrorCode code_;
};

/// The HTTP status an ErrorCode stands for (400, 404, 409, 503, ...).
int HttpStatusOf(ErrorCode code) noexcept;

}  // namespace escd
