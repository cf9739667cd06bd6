#include "server/http_server.hpp"

#include "common/log.hpp"
#include "common/offload.hpp"
#include "server/errors.hpp"

namespace escd::server {
namespace {
// Socket results as (error_code, ...) values (docs/errors.md, "Per layer").

// Connection-level outcomes that are part of normal life and not worth a log line.
bool Benign(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::connection_reset ||
           ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

std::string_view PathOf(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string Elapsed(std::chrono::steady_clock::time_point start) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    char text[32];
    std::snprintf(text, sizeof text, "%.1fms", static_cast<double>(us) / 1000.0);
    return text;
}

std::string AllowHeader(const std::vector<http::verb>& methods) {
    std::string allow;
    for (auto m : methods) {
        if (!allow.empty()) allow += ", ";
        allow += std::string(http::to_string(m));
    }
    return allow;
}
}  // namespace

struct HttpServer::Listener {
    tcp::acceptor acceptor;
    bool tls;
};

struct HttpServer::SessionState {
    asio::any_io_executor strand;         ///< the session's strand; set once, before registration
    beast::tcp_stream* stream = nullptr;  ///< null once the session ended; touched on its strand
    bool busy = false;                    ///< touched on its strand
};

HttpServer::HttpServer(asio::io_context& ioc,
                       const Router& router,
                       FollowUps& follow_ups,
                       BasicAuth& auth,
                       asio::thread_pool& verify_pool,
                       ServerLimits limits)
    : ioc_(ioc),
      router_(router),
      follow_ups_(follow_ups),
      auth_(auth),
      verify_pool_(verify_pool),
      limits_(limits),
      requests_(ioc.get_executor()) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::Listen(const std::string& address,
                                 std::uint16_t port,
                                 std::shared_ptr<ssl::context> tls) {
    tcp::endpoint endpoint(asio::ip::make_address(address), port);
    auto listener = std::make_shared<Listener>(
        Listener{tcp::acceptor(asio::make_strand(ioc_)), tls != nullptr});
    listener->acceptor.open(endpoint.protocol());
    listener->acceptor.set_option(asio::socket_base::reuse_address(true));
    listener->acceptor.bind(endpoint);
    listener->acceptor.listen(asio::socket_base::max_listen_connections);
    if (tls) SetTlsContext(std::move(tls));
    auto bound = listener->acceptor.local_endpoint().port();
    {
        std::lock_guard lock(mutex_);
        listeners_.push_back(listener);
    }
    asio::co_spawn(listener->acceptor.get_executor(), AcceptLoop(listener),
                   log::LogFailure(log::Level::kError, "server", "accept loop ended"));
    ESCD_INFO("server") << "listening on " << (listener->tls ? "https://" : "http://") << address
                        << ":" << bound;
    return bound;
}

void HttpServer::SetTlsContext(std::shared_ptr<ssl::context> tls) {
    std::atomic_store(&tls_, std::move(tls));
}

void HttpServer::Stop() {
    stopping_ = true;
    std::lock_guard lock(mutex_);
    for (auto& listener : listeners_) {
        asio::post(listener->acceptor.get_executor(), [listener] {
            beast::error_code ignored;
            listener->acceptor.close(ignored);
        });
    }
    for (auto& session : sessions_) {
        asio::post(session->strand, [session] {
            // An idle connection is closed now; a busy one closes after its answer.
            if (session->stream && !session->busy) session->stream->socket().cancel();
        });
    }
}

asio::awaitable<void> HttpServer::AcceptLoop(std::shared_ptr<Listener> listener) {
    auto executor = co_await asio::this_coro::executor;
    std::chrono::milliseconds backoff{0};
    while (!stopping_) {
        tcp::socket socket(asio::make_strand(ioc_));
        auto [ec] = co_await listener->acceptor.async_accept(socket, kNoThrow);
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) break;
            // Out of descriptors or buffers: back off instead of spinning (Ceph's RGWAsioBackoff).
            backoff = std::min(std::chrono::milliseconds(1000),
                               std::max(std::chrono::milliseconds(10), backoff * 2));
            ESCD_WARN("server") << "accept failed: " << ec.message() << "; retrying in "
                                << backoff.count() << "ms";
            asio::steady_timer timer(executor, backoff);
            co_await timer.async_wait(kNoThrow);
            continue;
        }
        backoff = std::chrono::milliseconds(0);
        auto session_executor = socket.get_executor();
        asio::co_spawn(session_executor, RunSession(std::move(socket), listener->tls),
                       log::LogFailure(log::Level::kError, "server", "session failed"));
    }
}

asio::awaitable<void> HttpServer::RunSession(tcp::socket socket, bool tls) {
    auto state = std::make_shared<SessionState>();
    state->strand = socket.get_executor();
    std::list<std::shared_ptr<SessionState>>::iterator registration;
    {
        std::lock_guard lock(mutex_);
        sessions_.push_front(state);
        registration = sessions_.begin();
    }
    beast::tcp_stream plain(std::move(socket));
    if (!tls) {
        state->stream = &plain;
        co_await Serve(plain, *state);
        beast::error_code ignored;
        plain.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
        auto context = std::atomic_load(&tls_);  // kept alive by this frame for the session
        beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(plain), *context);
        auto& stream = tls_stream.next_layer();
        state->stream = &stream;
        stream.expires_after(limits_.read_timeout);
        auto [ec] = co_await tls_stream.async_handshake(ssl::stream_base::server, kNoThrow);
        if (!ec) {
            co_await Serve(tls_stream, *state);
            stream.expires_after(std::chrono::seconds(5));
            auto [shutdown_ec] = co_await tls_stream.async_shutdown(kNoThrow);
            (void)shutdown_ec;
        } else if (!Benign(ec)) {
            ESCD_DEBUG("server") << "TLS handshake failed: " << ec.message();
        }
    }
    state->stream = nullptr;
    std::lock_guard lock(mutex_);
    sessions_.erase(registration);
}

// After an early error answer (413 before the body was read), read and discard what the client
// is still sending for a short while: closing at once would reset the connection, and a client
// that writes its whole request before reading would never see the answer.
template <class Stream>
asio::awaitable<void> LingeringClose(Stream& stream) {
    constexpr std::size_t kMaxDrain = 16 * 1024 * 1024;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    std::vector<char> sink(64 * 1024);
    std::size_t drained = 0;
    while (drained < kMaxDrain) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
        if (ec) break;
        drained += n;
    }
}

template <class Stream>
asio::awaitable<void> HttpServer::Serve(Stream& stream, SessionState& state) {
    auto& tcp_stream = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    while (!stopping_) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(limits_.body_limit);
        parser.header_limit(limits_.header_limit);
        tcp_stream.expires_after(limits_.read_timeout);
        auto [header_ec, header_bytes] =
            co_await http::async_read_header(stream, buffer, parser, kNoThrow);
        beast::error_code ec = header_ec;
        if (!ec && parser.get()[http::field::expect] == "100-continue") {
            // curl asks before sending a body over 1 KiB; answer at once instead of making it wait.
            http::response<http::empty_body> proceed{http::status::continue_, 11};
            auto [continue_ec, continue_bytes] =
                co_await http::async_write(stream, proceed, kNoThrow);
            ec = continue_ec;
        }
        if (!ec && !parser.is_done()) {
            auto [body_ec, body_bytes] =
                co_await http::async_read(stream, buffer, parser, kNoThrow);
            ec = body_ec;
        }
        if (ec) {
            Response error;
            if (ec == http::error::body_limit) {
                error = ErrorResponse(
                    413, "request body exceeds " + std::to_string(limits_.body_limit) + " bytes");
            } else if (ec == http::error::header_limit) {
                error = ErrorResponse(431, "request header exceeds " +
                                               std::to_string(limits_.header_limit) + " bytes");
            } else if (ec.category() == make_error_code(http::error::bad_target).category() &&
                       ec != http::error::end_of_stream && ec != http::error::partial_message) {
                error = ErrorResponse(400, "malformed HTTP request: " + ec.message());
            } else {
                if (!Benign(ec) && ec != http::error::partial_message) {
                    ESCD_DEBUG("server") << "read failed: " << ec.message();
                }
                co_return;
            }
            http::response<http::string_body> answer{error.status, 11};
            answer.set(http::field::content_type, "application/xml");
            answer.set(http::field::connection, "close");
            answer.body() = std::move(error.body);
            answer.prepare_payload();
            tcp_stream.expires_after(std::chrono::seconds(5));
            auto [write_ec, written] = co_await http::async_write(stream, answer, kNoThrow);
            // Only a refused body is still on its way; garbage needs no patience.
            if (!write_ec && error.status != http::status::bad_request)
                co_await LingeringClose(stream);
            co_return;
        }

        state.busy = true;
        requests_.Begin();
        const auto& request = parser.get();
        auto response = co_await Dispatch(request);
        http::response<http::string_body> answer{response.status, request.version()};
        answer.set(http::field::server, "escd");
        if (!response.body.empty())
            answer.set(http::field::content_type, "application/xml; charset=UTF-8");
        for (const auto& [name, value] : response.headers) answer.set(name, value);
        answer.body() = std::move(response.body);
        answer.keep_alive(request.keep_alive() && !stopping_);
        answer.prepare_payload();
        tcp_stream.expires_after(limits_.read_timeout);
        auto [write_ec, written] = co_await http::async_write(stream, answer, kNoThrow);
        // Accepted work runs even when the client vanished before reading its answer.
        if (response.follow_up) follow_ups_.Start(std::move(*response.follow_up));
        state.busy = false;
        requests_.End();
        if (write_ec || !answer.keep_alive()) co_return;
    }
}

asio::awaitable<Response> HttpServer::Dispatch(const http::request<http::string_body>& request) {
    const auto start = std::chrono::steady_clock::now();
    std::string_view target = request.target();
    Response response;
    try {
        const std::string authorization(request[http::field::authorization]);
        bool authenticated = auth_.CheckCached(authorization);
        if (!authenticated) {
            // A new or wrong password costs a PBKDF2 run: never on this (Asio) thread.
            authenticated = co_await Offload(
                verify_pool_, [this, &authorization] { return auth_.Check(authorization); });
        }
        if (!authenticated) {
            response = ErrorResponse(401, "authentication required");
            response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"escd\"");
        } else if (auto relative = Router::StripBase(PathOf(target)); !relative) {
            response = ErrorResponse(404, "no such path: " + std::string(PathOf(target)));
        } else {
            auto match = router_.Find(request.method(), *relative);
            const bool mutating =
                request.method() != http::verb::get && request.method() != http::verb::head;
            if (match.handler && mutating && !match.options.allowed_in_maintenance &&
                in_maintenance_ && in_maintenance_()) {
                response = ErrorResponse(503, "escd is in maintenance mode");
            } else if (match.handler) {
                Request req{request, std::string(*relative), {}, std::move(match.params)};
                if (auto q = target.find('?'); q != std::string_view::npos)
                    req.query = std::string(target.substr(q + 1));
                response = co_await (*match.handler)(req);
            } else if (match.path_known) {
                response = ErrorResponse(405, "method " + std::string(request.method_string()) +
                                                  " not allowed on " + std::string(*relative));
                response.headers.emplace_back("Allow", AllowHeader(match.allowed));
            } else {
                response = ErrorResponse(404, "no such path: " + std::string(PathOf(target)));
            }
        }
    } catch (...) {
        response =
            ResponseForException(std::current_exception(), std::string(request.method_string()) +
                                                               " " + std::string(PathOf(target)));
    }
    ESCD_INFO("http") << request.method_string() << " " << PathOf(target) << " "
                      << static_cast<int>(response.status) << " " << Elapsed(start)
                      << (response.transaction_id.empty() ? "" : " tx=") << response.transaction_id;
    co_return response;
}

}  // namespace escd::server
