#pragma once
/// @file
/// escd's HTTP and HTTPS listeners (Beast, C++20 coroutines).
///
/// Each accepted connection gets its own strand; the session coroutine and everything it owns
/// (timers, the stream) run on it (docs/decisions.md#code-conventions). Sessions are keep-alive
/// with the limits of ServerLimits: body 10 MiB (but for a route that streams its body),
/// header 16 KiB, 30 s to read a request. Each request goes to the face that owns its path
/// (face.hpp), which authenticates, routes and handles it; the answer is written whole, or
/// streamed from its BodySource; every request is logged in one line: method, path, status,
/// duration, transaction id.
///
/// Stop(): stop accepting, close idle connections at once, let busy ones finish their answer
/// (then close). AwaitAnswered() lets the caller wait for the requests in flight.

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/in_flight.hpp"
#include "server/face.hpp"
#include "server/follow_up.hpp"
#include "server/router.hpp"

namespace escd::server {

struct ServerLimits {
    std::size_t body_limit = 10 * 1024 * 1024;
    std::uint32_t header_limit = 16 * 1024;
    std::chrono::seconds read_timeout{30};
};

class HttpServer {
  public:
    /// `faces` in the order they are asked whether they own a path (the first one answers for
    /// a path none owns, and for a request too malformed to have one); `follow_ups` starts what
    /// an accepted request left for after its answer.
    HttpServer(asio::io_context& ioc,
               std::vector<const Face*> faces,
               FollowUps& follow_ups,
               ServerLimits limits = {});
    ~HttpServer();

    /// Binds `address:port` (0 = any free port) and starts accepting; TLS when `tls` is set.
    /// Returns the bound port. Throws boost::system::system_error when it cannot bind.
    std::uint16_t Listen(const std::string& address,
                         std::uint16_t port,
                         std::shared_ptr<ssl::context> tls);
    /// New TLS connections use `tls` from now on (certificate reload); open ones keep theirs.
    void SetTlsContext(std::shared_ptr<ssl::context> tls);
    /// While `check` answers true, mutating requests (other than routes allowed in maintenance)
    /// get 503 "escd is in maintenance mode"
    /// (docs/decisions.md#maintenance-mode-refuses-at-the-door). Set before Listen().
    void SetMaintenanceCheck(std::function<bool()> check) { in_maintenance_ = std::move(check); }
    void Stop();
    /// Waits until every request read has been answered (and its follow-up started), or
    /// `timeout` passed; whether they all were.
    asio::awaitable<bool> AwaitAnswered(std::chrono::steady_clock::duration timeout) {
        return requests_.AwaitNone(timeout);
    }

  private:
    struct Listener;
    struct SessionState;

    asio::awaitable<void> AcceptLoop(std::shared_ptr<Listener> listener);
    asio::awaitable<void> RunSession(tcp::socket socket, bool tls);
    template <class Stream>
    asio::awaitable<void> Serve(Stream& stream, SessionState& state);
    /// Where a request goes: its face (never null), its path relative to the face (nullopt:
    /// no face owns it), the route.
    struct Routed {
        const Face* face = nullptr;
        std::optional<std::string> relative;
        Router::Match match;
    };
    Routed Route(http::verb method, std::string_view target) const;
    /// Authenticates and runs the handler; never throws. `body` is set for a streamed route.
    asio::awaitable<Response> Dispatch(const http::request<http::string_body>& request,
                                       Routed& routed,
                                       BodyReader* body,
                                       bool tls);
    template <class Stream>
    asio::awaitable<beast::error_code> WriteStreamed(Stream& stream,
                                                     http::response<http::buffer_body>& answer,
                                                     BodySource& source);

    asio::io_context& ioc_;
    std::vector<const Face*> faces_;
    FollowUps& follow_ups_;
    ServerLimits limits_;
    std::shared_ptr<ssl::context> tls_;  ///< read/written with std::atomic_load/store
    std::function<bool()> in_maintenance_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    std::list<std::shared_ptr<SessionState>> sessions_;
    std::atomic<bool> stopping_{false};
    InFlight requests_;  ///< read and not yet answered
};

}  // namespace escd::server
