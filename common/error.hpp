#pragma once
/// @file
/// escd's errors: what went wrong (ErrorCode), where it came from (ErrorOrigin), and whether
/// running the same work again later can help (Error::retryable()). docs/errors.md is the policy;
/// in short, per layer:
/// - model/, the store, vim/ and orchestrator/ throw escd::Error (or let a libpqxx / std exception
///   escape, which means "internal"). A layer throws errors of its own origin: vim/ throws
///   VimError, the PostgreSQL store DatabaseError, escd's setup ConfigurationError, request parsing
///   and validation plain Error (a client's mistake).
/// - HttpStatusOf() below is the one table from an error to an HTTP status, for the answer to a
///   request and for a callback's ESC-Status-Code alike.
/// - The engine runs an operation again only when its error is retryable(); any other error ends
///   the operation with a failure callback.
/// - Socket I/O (Beast, Asio) uses boost::system::error_code values at the edge; benign codes
///   (end_of_stream, stream_truncated, operation_aborted) are filtered there and never thrown.
/// - Every co_spawn'ed task has a completion handler that logs its failure (log::LogFailure):
///   nothing is spawned `detached`, nothing escapes to the io_context.
/// - Start-up and configuration errors found at start-up are fatal: logged, exit code 1.

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

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
    kUnavailable,       ///< cannot be served now: maintenance mode, a VIM or database down (503)
    kVimError,          ///< the VIM refused or failed an operation (500 in callbacks)
    kNotImplemented,    ///< the VIM cannot do this at all, e.g. live migration (501 in callbacks)
    kInternal,          ///< a bug or an infrastructure failure (500)
};

/// Where an error came from: it decides the HTTP status together with the code (a VIM that
/// refuses escd's credentials is not the client's 401) and whether a retry can help.
enum class ErrorOrigin {
    kClient,         ///< the request: malformed, conflicting, naming what does not exist
    kVim,            ///< a VIM (libvirt, OpenStack) failed, refused or did not answer
    kDatabase,       ///< PostgreSQL could not be reached or lost the connection
    kConfiguration,  ///< escd's setup: a VIM connector without a user, no enabled host
    kRemote,         ///< another server named by the request: a file server, a download
    kInternal,       ///< a bug in escd
};

class Error : public std::runtime_error {
  public:
    /// A client's mistake (ErrorCode::kInternal: a bug).
    Error(ErrorCode code, std::string message)
        : Error(code == ErrorCode::kInternal ? ErrorOrigin::kInternal : ErrorOrigin::kClient,
                code,
                std::move(message)) {}
    Error(ErrorOrigin origin, ErrorCode code, std::string message)
        : std::runtime_error(std::move(message)), code_(code), origin_(origin) {}

    ErrorCode code() const noexcept { return code_; }
    ErrorOrigin origin() const noexcept { return origin_; }
    /// Whether the same work may succeed when run again later, unchanged: a VIM or the database
    /// that did not answer. Everything else (a refusal, a client's mistake, escd's setup, a bug)
    /// fails the same way again.
    bool retryable() const noexcept {
        return code_ == ErrorCode::kUnavailable &&
               (origin_ == ErrorOrigin::kVim || origin_ == ErrorOrigin::kDatabase);
    }

  private:
    ErrorCode code_;
    ErrorOrigin origin_;
};

/// PostgreSQL could not be reached, lost the connection, or escd's writer stopped: retryable.
class DatabaseError : public Error {
  public:
    explicit DatabaseError(std::string message)
        : Error(ErrorOrigin::kDatabase, ErrorCode::kUnavailable, std::move(message)) {}
};

/// A VIM (libvirt, OpenStack) refused or failed a request, or did not answer (kUnavailable:
/// retryable). vim/ throws these; its callers need not know which VIM it was.
class VimError : public Error {
  public:
    VimError(ErrorCode code, std::string message)
        : Error(ErrorOrigin::kVim, code, std::move(message)) {}
};

/// escd's own setup does not allow the work: a VIM connector without a user, a VIM this build
/// cannot drive, no enabled host to place a VM on. Not retryable: an operator must act.
class ConfigurationError : public Error {
  public:
    ConfigurationError(ErrorCode code, std::string message)
        : Error(ErrorOrigin::kConfiguration, code, std::move(message)) {}
};

/// How a status reaches the client: in the answer to its request, or in a callback's
/// ESC-Status-Code once the work ran.
enum class Reply { kAnswer, kCallback };

/// The one table from an error to an HTTP status (400, 404, 409, 503, ...).
int HttpStatusOf(ErrorOrigin origin, ErrorCode code, Reply reply) noexcept;
inline int HttpStatusOf(const Error& error, Reply reply) noexcept {
    return HttpStatusOf(error.origin(), error.code(), reply);
}
/// Any exception: an escd::Error by its table row, anything else is internal (500).
int HttpStatusOf(const std::exception& error, Reply reply) noexcept;

/// The ESC-Status-Code of a work item that failed without an error of its own to report (a
/// service that did not come alive because one of its VMs failed, a scale out undone): ESC's
/// 500.
inline constexpr int kFailedStatus = 500;

/// "client", "VIM", ... for logs.
std::string_view OriginName(ErrorOrigin origin) noexcept;

}  // namespace escd
