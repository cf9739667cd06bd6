#pragma once
/// @file
/// What a handler sees and returns: the server's transport-free request/response pair
/// (Beast's `handle_request(req) -> response` shape; docs/decisions.md#code-conventions, "Thin
/// handlers").

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "server/follow_up.hpp"

namespace escd::server {

struct Request {
    const http::request<http::string_body>& raw;
    std::string path;   ///< relative to the base path: "/tenants/t1"
    std::string query;  ///< after '?', undecoded
    std::map<std::string, std::string>
        params;  ///< from the route pattern: {"internal_tenant_id": "t1"}

    std::string_view Header(std::string_view name) const {
        auto it = raw.find(name);
        return it == raw.end() ? std::string_view{} : std::string_view(it->value());
    }
    const std::string& Param(const std::string& name) const { return params.at(name); }
    const std::string& Body() const { return raw.body(); }
};

struct Response {
    http::status status = http::status::ok;
    std::string body;  ///< XML
    std::vector<std::pair<std::string, std::string>> headers;
    std::string transaction_id;  ///< for the request log line
    /// An accepted change's follow-up (server/follow_up.hpp), started once this was written.
    std::optional<FollowUp> follow_up;
};

using Handler = std::function<asio::awaitable<Response>(Request&)>;

}  // namespace escd::server
