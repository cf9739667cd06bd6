#pragma once
/// @file
/// The HTTP(S) client of the OpenStack adapter: one REST call, bounded by a deadline, its answer
/// as status, headers and body. No OpenStack SDK: Beast coroutines.
///
/// Error policy (this layer throws escd::Error): a call that got no answer (connect, TLS, write,
/// read, timeout) throws VimUnavailable (kUnavailable: the service may be back later), a host
/// that does not resolve or is not allowed throws a plain kUnavailable; an answer of any status
/// is returned, and ApiError() maps a failed one to escd's categories for the caller to throw.
///
/// Each call uses a connection of its own and sends `Connection: close`: Keystone under uwsgi
/// resets connections a client reuses (tests/openstack/README.md), and a deploy makes few calls
/// per VM, each costing ~0.1 ms to connect on the control plane's network. Pooling per service
/// is a later optimisation, measured first.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "common/error.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

struct ApiRequest {
    http::verb method = http::verb::get;
    std::string url;  ///< absolute http(s) URL
    std::string body;
    /// When not empty, the body is this file's content instead of `body`, streamed from disk
    /// in chunks (an image of gigabytes never sits in memory). Its size when the call starts
    /// is the Content-Length; a file that shrinks meanwhile fails the call.
    std::string body_file;
    /// Where body_file is opened and read, a chunk at a time: disk reads stay off the
    /// caller's executor. Required with a body_file.
    asio::thread_pool* file_reads = nullptr;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  ///< e.g. X-Auth-Token
    /// This call's deadline; zero: the client's.
    std::chrono::milliseconds deadline{0};
};

struct ApiResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;

    /// Case-insensitive; "" when absent.
    std::string Header(std::string_view name) const;
    bool Ok() const { return status >= 200 && status < 300; }
};

class ApiClient {
  public:
    /// Calls go only to addresses in `allowed` (config openstack.allowed_cidrs: escd's defaults
    /// reach loopback only).
    ApiClient(ssl::context& tls, std::chrono::milliseconds deadline, CidrList allowed)
        : tls_(tls), deadline_(deadline), allowed_(std::move(allowed)) {}

    /// Sends `request` (which must outlive the awaited call: bodies are not copied) and reads
    /// the whole answer within the deadline. With a `body_file` the deadline bounds each chunk
    /// written and then the answer, not the whole call: an upload of gigabytes that keeps
    /// moving is not cut off, a stalled one is. Throws
    /// VimUnavailable (its service "") when no answer came, Error(kUnavailable) when the host
    /// does not resolve or resolves to no allowed address,
    /// Error(kBadRequest) for a URL it cannot use, Error(kInternal) when `body_file` cannot be
    /// read.
    asio::awaitable<ApiResponse> Send(const ApiRequest& request);

  private:
    ssl::context& tls_;
    std::chrono::milliseconds deadline_;
    CidrList allowed_;
};

/// escd's category for a failed answer: 401/403 kUnauthorized, 404 kNotFound, 409 kConflict,
/// 413/429/5xx kUnavailable (the VIM is overloaded or down: retried), any other kVimError. The
/// message names `what` and carries the API's own explanation when its body has one.
Error ApiError(const ApiResponse& response, std::string_view what);

/// How a client is told which of the VIM's services is meant: "network service (Neutron)" for
/// the catalog type "network"; "<type> service" for a type escd does not know.
std::string ServiceName(std::string_view service_type);

/// Whether the answer says the service is down for now (502, 503, 504: a proxy without its
/// backend, a service starting or stopping).
bool ServiceDown(const ApiResponse& response);

/// The outage of the VIM's service `service_type`: VimUnavailable whose message is "the VIM's
/// <ServiceName> is unavailable: <why>".
VimUnavailable Outage(std::string_view service_type, std::string_view why);

/// Whether the answer asks to come back later (413, 429, 503).
bool Retryable(const ApiResponse& response);

/// How long a Retryable answer asks to wait (its Retry-After seconds), else `fallback`.
std::chrono::milliseconds RetryAfter(const ApiResponse& response,
                                     std::chrono::milliseconds fallback);

}  // namespace escd::vim::openstack
