#include "server/http_server.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "common/error.hpp"
#include "common/log.hpp"

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
                       std::vector<const Face*> faces,
                       FollowUps& follow_ups,
                       ServerLimits limits)
    : ioc_(ioc),
      faces_(std::move(faces)),
      follow_ups_(follow_ups),
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

// A streamed route's body, read from the connection as the handler asks for it.
template <class Stream>
class StreamedBody final : public BodyReader {
  public:
    /// `expects_continue`: the client waits for "100 Continue" before it sends the body; it is
    /// sent at the first Read, so a handler that refuses first (404, 413) costs no upload.
    StreamedBody(Stream& stream,
                 beast::flat_buffer& buffer,
                 http::request_parser<http::buffer_body>& parser,
                 std::chrono::seconds timeout,
                 bool expects_continue)
        : stream_(stream),
          buffer_(buffer),
          parser_(parser),
          timeout_(timeout),
          continue_pending_(expects_continue) {}

    std::optional<std::uint64_t> length() const override {
        auto length = parser_.content_length();
        return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
    }

    asio::awaitable<std::size_t> Read(asio::mutable_buffer into) override {
        if (parser_.is_done() || into.size() == 0) co_return 0;
        if (std::exchange(continue_pending_, false)) {
            http::response<http::empty_body> proceed{http::status::continue_, 11};
            auto [ec, written] = co_await http::async_write(stream_, proceed, kNoThrow);
            if (ec) throw Error(ErrorCode::kBadRequest, "the client went away: " + ec.message());
        }
        auto& body = parser_.get().body();
        body.data = into.data();
        body.size = into.size();
        beast::get_lowest_layer(stream_).expires_after(timeout_);
        auto [ec, ignored] = co_await http::async_read(stream_, buffer_, parser_, kNoThrow);
        if (ec && ec != http::error::need_buffer) {
            throw Error(ErrorCode::kBadRequest, "the request body broke off: " + ec.message());
        }
        co_return into.size() - body.size;
    }

    /// Whether the whole body was read (else the connection cannot carry another request).
    bool done() const { return parser_.is_done(); }

  private:
    Stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body>& parser_;
    std::chrono::seconds timeout_;
    bool continue_pending_;
};

template <class Stream>
asio::awaitable<void> HttpServer::Serve(Stream& stream, SessionState& state) {
    constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
    auto& tcp_stream = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    // An answer written before the request was dispatched: a limit, a malformed request.
    const auto refuse = [&](const Face& face, int status,
                            const std::string& message) -> asio::awaitable<void> {
        auto error = face.error(status, message);
        http::response<http::string_body> answer{error.status, 11};
        answer.set(http::field::content_type, error.content_type);
        answer.set(http::field::connection, "close");
        answer.body() = std::move(error.body);
        answer.prepare_payload();
        tcp_stream.expires_after(std::chrono::seconds(5));
        auto [write_ec, written] = co_await http::async_write(stream, answer, kNoThrow);
        // Only a refused body is still on its way; garbage needs no patience.
        if (!write_ec && status != 400) co_await LingeringClose(stream);
    };
    while (!stopping_) {
        http::request_parser<http::empty_body> header_parser;
        header_parser.header_limit(limits_.header_limit);
        header_parser.body_limit(boost::none);  // each route's own limit applies below
        tcp_stream.expires_after(limits_.read_timeout);
        auto [header_ec, header_bytes] =
            co_await http::async_read_header(stream, buffer, header_parser, kNoThrow);
        if (header_ec) {
            if (header_ec == http::error::header_limit) {
                co_await refuse(
                    *faces_.front(), 431,
                    "request header exceeds " + std::to_string(limits_.header_limit) + " bytes");
            } else if (header_ec.category() ==
                           make_error_code(http::error::bad_target).category() &&
                       header_ec != http::error::end_of_stream &&
                       header_ec != http::error::partial_message) {
                co_await refuse(*faces_.front(), 400,
                                "malformed HTTP request: " + header_ec.message());
            } else if (!Benign(header_ec) && header_ec != http::error::partial_message) {
                ESCD_DEBUG("server") << "read failed: " << header_ec.message();
            }
            co_return;
        }
        const auto& header = header_parser.get();
        auto routed = Route(header.method(), header.target());
        const bool streamed = routed.match.handler && routed.match.options.streamed_body;
        if (!streamed && header_parser.content_length() &&
            *header_parser.content_length() > limits_.body_limit) {
            co_await refuse(
                *routed.face, 413,
                "request body exceeds " + std::to_string(limits_.body_limit) + " bytes");
            co_return;
        }
        const bool expects_continue = header[http::field::expect] == "100-continue";
        if (expects_continue && !streamed) {
            // curl asks before sending a body over 1 KiB; answer at once instead of making it wait.
            http::response<http::empty_body> proceed{http::status::continue_, 11};
            auto [continue_ec, continue_bytes] =
                co_await http::async_write(stream, proceed, kNoThrow);
            if (continue_ec) co_return;
        }

        state.busy = true;
        requests_.Begin();
        Response response;
        http::request<http::string_body> request;
        bool body_left = false;  // a streamed body the handler did not read to its end
        if (streamed) {
            http::request_parser<http::buffer_body> body_parser(std::move(header_parser));
            request.base() = body_parser.get().base();
            StreamedBody<Stream> body(stream, buffer, body_parser, limits_.read_timeout,
                                      expects_continue);
            response = co_await Dispatch(request, routed, &body, kTls);
            body_left = !body.done();
        } else {
            http::request_parser<http::string_body> body_parser(std::move(header_parser));
            body_parser.body_limit(limits_.body_limit);  // a chunked body has no length to check
            beast::error_code body_ec;
            if (!body_parser.is_done()) {
                auto [ec, body_bytes] =
                    co_await http::async_read(stream, buffer, body_parser, kNoThrow);
                body_ec = ec;
            }
            if (body_ec) {
                state.busy = false;
                requests_.End();
                if (body_ec == http::error::body_limit) {
                    co_await refuse(
                        *routed.face, 413,
                        "request body exceeds " + std::to_string(limits_.body_limit) + " bytes");
                } else if (!Benign(body_ec) && body_ec != http::error::partial_message) {
                    ESCD_DEBUG("server") << "read failed: " << body_ec.message();
                }
                co_return;
            }
            request = body_parser.release();
            response = co_await Dispatch(request, routed, nullptr, kTls);
        }
        const bool keep_alive = request.keep_alive() && !stopping_ && !body_left;
        beast::error_code write_ec;
        tcp_stream.expires_after(limits_.read_timeout);
        if (response.stream) {
            http::response<http::buffer_body> answer{response.status, request.version()};
            answer.set(http::field::server, "escd");
            answer.set(http::field::content_type, response.content_type);
            for (const auto& [name, value] : response.headers) answer.set(name, value);
            answer.content_length(response.stream->size());
            answer.keep_alive(keep_alive);
            write_ec = co_await WriteStreamed(stream, answer, *response.stream);
        } else {
            http::response<http::string_body> answer{response.status, request.version()};
            answer.set(http::field::server, "escd");
            if (!response.body.empty())
                answer.set(http::field::content_type, response.content_type);
            for (const auto& [name, value] : response.headers) answer.set(name, value);
            answer.body() = std::move(response.body);
            answer.keep_alive(keep_alive);
            answer.prepare_payload();
            auto [ec, written] = co_await http::async_write(stream, answer, kNoThrow);
            write_ec = ec;
        }
        // Accepted work runs even when the client vanished before reading its answer.
        if (response.follow_up) follow_ups_.Start(std::move(*response.follow_up));
        state.busy = false;
        requests_.End();
        if (!write_ec && body_left) co_await LingeringClose(stream);
        if (write_ec || !keep_alive) co_return;
    }
}

template <class Stream>
asio::awaitable<beast::error_code> HttpServer::WriteStreamed(
    Stream& stream, http::response<http::buffer_body>& answer, BodySource& source) {
    // Large enough that a write moves a lot per system call, small enough per session.
    constexpr std::size_t kChunk = 256 * 1024;
    // A sendfile call moves what the socket's buffer takes, up to this.
    constexpr std::uint64_t kSendfileChunk = 8 * 1024 * 1024;
    auto& tcp_stream = beast::get_lowest_layer(stream);
    http::response_serializer<http::buffer_body> serializer(answer);
    answer.body().data = nullptr;
    answer.body().more = true;
    auto [header_ec, header_bytes] =
        co_await http::async_write_header(stream, serializer, kNoThrow);
    if (header_ec) co_return header_ec;
    std::uint64_t left = source.size();
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        // A plain connection: a file goes from the page cache to the socket (sendfile), the
        // way a static file server sends it; TLS needs the bytes in escd, below.
        auto& socket = stream.socket();
        beast::error_code ignored;
        socket.native_non_blocking(true, ignored);
        while (left > 0) {
            std::optional<std::size_t> sent;
            try {
                sent = co_await source.SendTo(
                    socket.native_handle(),
                    static_cast<std::size_t>(std::min<std::uint64_t>(left, kSendfileChunk)));
            } catch (const std::exception& e) {
                ESCD_WARN("server") << "streamed answer broke off: " << e.what();
                co_return make_error_code(beast::errc::io_error);
            }
            if (!sent) break;  // not a file
            if (*sent > 0) {
                left -= *sent;
                continue;
            }
            // The socket's buffer is full: wait until the client reads, within the timeout.
            asio::steady_timer deadline(co_await asio::this_coro::executor, limits_.read_timeout);
            deadline.async_wait([&socket](const beast::error_code& ec) {
                if (!ec) socket.cancel();
            });
            auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write, kNoThrow);
            deadline.cancel();
            if (wait_ec) co_return wait_ec;
        }
        if (left == 0) co_return beast::error_code{};
    }
    // Two buffers: the next chunk is read from disk while the current one is written (and,
    // over TLS, encrypted), so neither waits for the other.
    std::vector<char> current(kChunk), next(kChunk);
    const auto broke_off = [&left](const char* why) {
        ESCD_WARN("server") << "streamed answer broke off " << left << " byte(s) short: " << why;
        // The headers promised a length: the only honest end now is to close.
        return make_error_code(beast::errc::io_error);
    };
    std::size_t n = 0;
    try {
        n = co_await source.Read(
            asio::buffer(current.data(), std::min<std::uint64_t>(kChunk, left)));
    } catch (const std::exception& e) {
        co_return broke_off(e.what());
    }
    while (left > 0) {
        if (n == 0) co_return broke_off("the source ended");
        left -= n;
        answer.body().data = current.data();
        answer.body().size = n;
        answer.body().more = left > 0;
        tcp_stream.expires_after(limits_.read_timeout);
        if (left == 0) {
            auto [ec, written] = co_await http::async_write(stream, serializer, kNoThrow);
            if (ec && ec != http::error::need_buffer) co_return ec;
            break;
        }
        using namespace asio::experimental::awaitable_operators;
        // The write's (error, bytes) and the read's bytes, flattened by operator&&.
        beast::error_code write_ec;
        std::size_t written = 0, read = 0;
        try {
            std::tie(write_ec, written, read) = co_await (
                http::async_write(stream, serializer, kNoThrow) &&
                source.Read(asio::buffer(next.data(), std::min<std::uint64_t>(kChunk, left))));
        } catch (const std::exception& e) {
            co_return broke_off(e.what());
        }
        if (write_ec && write_ec != http::error::need_buffer) co_return write_ec;
        current.swap(next);
        n = read;
    }
    if (!serializer.is_done()) {
        answer.body().data = nullptr;
        answer.body().size = 0;
        answer.body().more = false;
        auto [ec, written] = co_await http::async_write(stream, serializer, kNoThrow);
        if (ec && ec != http::error::need_buffer) co_return ec;
    }
    co_return beast::error_code{};
}

HttpServer::Routed HttpServer::Route(http::verb method, std::string_view target) const {
    Routed routed;
    const auto path = PathOf(target);
    for (const auto* face : faces_) {
        auto relative = face->owns(path);
        if (!relative) continue;
        routed.face = face;
        routed.relative = std::string(*relative);
        routed.match = face->router->Find(method, *relative);
        return routed;
    }
    routed.face = faces_.front();
    return routed;
}

asio::awaitable<Response> HttpServer::Dispatch(const http::request<http::string_body>& request,
                                               Routed& routed,
                                               BodyReader* body,
                                               bool tls) {
    const auto start = std::chrono::steady_clock::now();
    std::string_view target = request.target();
    const Face& face = *routed.face;
    Response response;
    try {
        Request req{request, routed.relative.value_or(""), {}, std::move(routed.match.params)};
        req.body_reader = body;
        req.tls = tls;
        if (auto q = target.find('?'); q != std::string_view::npos)
            req.query = std::string(target.substr(q + 1));
        std::optional<Response> refused;
        if (!routed.match.handler || !routed.match.options.public_route)
            refused = co_await face.authenticate(req);
        const bool mutating =
            request.method() != http::verb::get && request.method() != http::verb::head;
        if (refused) {
            response = std::move(*refused);
        } else if (!routed.relative) {
            response = face.error(404, "no such path: " + std::string(PathOf(target)));
        } else if (routed.match.handler && mutating &&
                   !routed.match.options.allowed_in_maintenance && in_maintenance_ &&
                   in_maintenance_()) {
            response = face.error(503, "escd is in maintenance mode");
        } else if (routed.match.handler) {
            response = co_await (*routed.match.handler)(req);
        } else if (routed.match.path_known) {
            response = face.error(405, "method " + std::string(request.method_string()) +
                                           " not allowed on " + *routed.relative);
            response.headers.emplace_back("Allow", AllowHeader(routed.match.allowed));
        } else {
            response = face.error(404, "no such path: " + std::string(PathOf(target)));
        }
    } catch (...) {
        response =
            face.for_exception(std::current_exception(), std::string(request.method_string()) +
                                                             " " + std::string(PathOf(target)));
    }
    ESCD_INFO("http") << request.method_string() << " " << PathOf(target) << " "
                      << static_cast<int>(response.status) << " " << Elapsed(start)
                      << (response.transaction_id.empty() ? "" : " tx=") << response.transaction_id;
    co_return response;
}

}  // namespace escd::server
