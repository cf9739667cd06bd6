#pragma once
/// @file
/// What a handler sees and returns: the server's transport-free request/response pair
/// (Beast's `handle_request(req) -> response` shape; docs/decisions.md#code-conventions, "Thin
/// handlers").

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "server/follow_up.hpp"

namespace escd::server {

/// A request body the handler reads itself, as it arrives (a route with
/// RouteOptions::streamed_body: an upload of gigabytes is never held in memory).
class BodyReader {
  public:
    virtual ~BodyReader() = default;
    /// The Content-Length the client announced; nullopt for a chunked body.
    virtual std::optional<std::uint64_t> length() const = 0;
    /// Reads the next bytes into `buffer`: how many, 0 at the end of the body. Throws
    /// escd::Error(kBadRequest) when the connection failed or the body broke off.
    virtual asio::awaitable<std::size_t> Read(asio::mutable_buffer buffer) = 0;
};

/// A response body the server writes as it is read (a file of gigabytes, streamed from disk).
class BodySource {
  public:
    virtual ~BodySource() = default;
    /// The bytes it yields in all: the Content-Length.
    virtual std::uint64_t size() const = 0;
    /// Reads the next bytes into `buffer`: how many, 0 at the end. Never blocks the calling
    /// (Asio) thread.
    virtual asio::awaitable<std::size_t> Read(asio::mutable_buffer buffer) = 0;
    /// Sends up to `max` of the next bytes from a file straight to the connected, non-blocking
    /// `socket` (the kernel's sendfile: no copy through escd), never blocking the calling
    /// thread: how many (0: the socket takes none now), or nullopt when this source cannot (the
    /// server then reads and writes through Read()). Throws when the file or the socket fails.
    virtual asio::awaitable<std::optional<std::size_t>> SendTo(int socket, std::size_t max) {
        (void)socket;
        (void)max;
        co_return std::nullopt;
    }
};

struct Request {
    const http::request<http::string_body>& raw;  ///< the body is empty for a streamed route
    std::string path;                             ///< relative to the base path: "/tenants/t1"
    std::string query;                            ///< after '?', undecoded
    std::map<std::string, std::string>
        params;  ///< from the route pattern: {"internal_tenant_id": "t1"}

    std::string_view Header(std::string_view name) const {
        auto it = raw.find(name);
        return it == raw.end() ? std::string_view{} : std::string_view(it->value());
    }
    const std::string& Param(const std::string& name) const { return params.at(name); }
    const std::string& Body() const { return raw.body(); }
    BodyReader* body_reader = nullptr;  ///< set for a streamed route only
    bool tls = false;                   ///< came over the HTTPS listener
    /// Who sent it, as the face's authentication named them ("" when it names nobody).
    std::string principal{};
};

struct Response {
    http::status status = http::status::ok;
    std::string body;
    std::string content_type = "application/xml; charset=UTF-8";  ///< of a non-empty body
    /// Written after the headers instead of `body`, with its size as Content-Length.
    std::shared_ptr<BodySource> stream;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string transaction_id;  ///< for the request log line
    /// An accepted change's follow-up (server/follow_up.hpp), started once this was written.
    std::optional<FollowUp> follow_up;
};

/// `body` as an application/json answer with `status`.
inline Response JsonResponse(std::string body, http::status status = http::status::ok) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = "application/json";
    return response;
}

using Handler = std::function<asio::awaitable<Response>(Request&)>;

/// A face's error answer for an HTTP status and a message (XML for ESC, JSON for the others).
using ErrorShape = std::function<Response(int status, const std::string& message)>;

}  // namespace escd::server
