#pragma once
/// @file
/// Method + path-pattern routing. Patterns are relative to a base path and use `{name}` for one
/// path segment: "/tenants/{internal_tenant_id}". Base paths (docs/behaviour.md, "Requests and
/// answers"): /ESCManager/v0, the reference's misspelt /ESCManger/v0, and /v0.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.hpp"

namespace escd::server {

/// What the server checks around a handler.
struct RouteOptions {
    /// A mutating route (POST/PUT/DELETE) is refused with 503 in maintenance mode unless this
    /// is set (the mode switch itself, administrative routes).
    bool allowed_in_maintenance = false;
    /// No credentials are asked by the face: the handler checks its own (a token endpoint, a
    /// download URL that carries its token).
    bool public_route = false;
    /// The body is not read before the handler runs: it reads it through Request::body_reader,
    /// with no size limit but its own.
    bool streamed_body = false;
};

class Router {
  public:
    void Add(http::verb method, std::string pattern, Handler handler, RouteOptions options = {});

    struct Match {
        const Handler* handler = nullptr;  ///< null: see path_known
        RouteOptions options;              ///< of the matched route
        std::map<std::string, std::string> params;
        bool path_known = false;          ///< the path matched some route, with another method
        std::vector<http::verb> allowed;  ///< methods of that path (the Allow header of a 405)
    };
    /// `path` is relative (base already stripped), without query.
    Match Find(http::verb method, std::string_view path) const;

    /// Removes a known base path; nullopt when `target` has none. /ESCManager/internal/x and
    /// /internal/x both become "/internal/x".
    static std::optional<std::string_view> StripBase(std::string_view target);

  private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  ///< "{x}" segments are parameters
        Handler handler;
        RouteOptions options;
    };
    static bool MatchSegments(const Route& route,
                              const std::vector<std::string_view>& parts,
                              std::map<std::string, std::string>* params);
    std::vector<Route> routes_;
};

}  // namespace escd::server
