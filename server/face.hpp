#pragma once
/// @file
/// A northbound face of escd (docs/architecture.md, "Faces"): the ESC REST API, the software
/// catalogue's admin API, the Software Distribution API. Each owns its paths, authenticates its
/// requests its own way, routes them, and answers errors in its own shape (XML for ESC, JSON
/// for the others). The HTTP server (http_server.hpp) only reads, dispatches to the face that
/// owns the path, and writes.

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace escd::server {

struct Face {
    std::string name;  ///< "esc", "catalogue", "swdist": for logs
    /// The path relative to the face's base, or nullopt when the face does not own `path`.
    std::function<std::optional<std::string_view>(std::string_view path)> owns;
    const Router* router = nullptr;
    /// Checks the credentials of a request to a route that is not public: nullopt when they
    /// pass (it may then name who sent it in Request::principal), else the refusal. May await
    /// (a password hash runs off the Asio threads).
    std::function<asio::awaitable<std::optional<Response>>(Request& request)> authenticate;
    /// The face's error answer: routing failures, limits, maintenance mode.
    ErrorShape error;
    /// The face's answer to an exception its handler threw (`context`: "POST /path", for logs).
    std::function<Response(std::exception_ptr error, std::string_view context)> for_exception;
};

}  // namespace escd::server
