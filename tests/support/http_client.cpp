#include "tests/support/http_client.hpp"

#include <fcntl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "common/asio.hpp"
#include "tests/support/text_and_sockets.hpp"

namespace escd::test {
namespace {

// Deliberately not escd::Base64Encode: the test side must not share a bug with the server code
// that decodes the header.
std::string Base64(std::string_view data) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const unsigned v = static_cast<unsigned char>(data[i]) << 16 |
                           static_cast<unsigned char>(data[i + 1]) << 8 |
                           static_cast<unsigned char>(data[i + 2]);
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
                kAlphabet[v & 63]};
    }
    if (const std::size_t rest = data.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned char>(data[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Errors that mean the server had closed the idle keep-alive connection before our request.
bool IsStaleConnection(const beast::error_code& error) {
    return error == http::error::end_of_stream || error == asio::error::eof ||
           error == asio::error::connection_reset || error == asio::error::broken_pipe ||
           error == asio::error::connection_aborted || error == ssl::error::stream_truncated;
}

// Drives one coroutine to completion on the client's private io_context, which is what makes
// the client synchronous while still honouring beast::tcp_stream timeouts.
void RunSync(asio::io_context& io, asio::awaitable<void> task) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(task), [&failure](std::exception_ptr error) { failure = error; });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
    auto it = headers.find(ToLower(name));
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Connection {
    asio::io_context io;
    ssl::context tls_context{ssl::context::tls_client};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;

    Connection() { tls_context.set_verify_mode(ssl::verify_none); }

    bool open() const { return plain.has_value() || secure.has_value(); }
    beast::tcp_stream& Layer() { return secure ? secure->next_layer() : *plain; }

    void Close() {
        if (open()) {
            beast::error_code ignored;
            Layer().socket().close(ignored);
        }
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    asio::awaitable<void> Connect(const std::string& host,
                                  std::uint16_t port,
                                  bool tls,
                                  std::chrono::milliseconds timeout) {
        const std::string where = host + ":" + std::to_string(port);
        tcp::resolver resolver(io);
        auto [resolve_error, endpoints] =
            co_await resolver.async_resolve(host, std::to_string(port), kNoThrow);
        if (resolve_error) {
            throw std::runtime_error("HttpClient: cannot resolve " + where + ": " +
                                     resolve_error.message());
        }
        if (tls) {
            secure.emplace(io, tls_context);
        } else {
            plain.emplace(io);
        }
        Layer().expires_after(timeout);
        [[maybe_unused]] auto [connect_error, endpoint] =
            co_await Layer().async_connect(endpoints, kNoThrow);
        if (connect_error) {
            Close();
            throw std::runtime_error("HttpClient: cannot connect to " + where + ": " +
                                     connect_error.message());
        }
        SetCloseOnExec(Layer().socket().native_handle());
        if (tls) {
            // escd's certificate names localhost; send SNI like a real client would.
            SSL_set_tlsext_host_name(secure->native_handle(), "localhost");
            Layer().expires_after(timeout);
            auto [handshake_error] =
                co_await secure->async_handshake(ssl::stream_base::client, kNoThrow);
            if (handshake_error) {
                Close();
                throw std::runtime_error("HttpClient: TLS handshake with " + where +
                                         " failed: " + handshake_error.message());
            }
        }
        Layer().expires_never();
    }

    template <class Stream>
    asio::awaitable<void> Exchange(Stream& stream,
                                   http::request<http::string_body>& request,
                                   http::response_parser<http::string_body>& parser,
                                   std::chrono::milliseconds timeout,
                                   beast::error_code& error) {
        Layer().expires_after(timeout);
        [[maybe_unused]] auto [write_error, written] =
            co_await http::async_write(stream, request, kNoThrow);
        if (write_error) {
            error = write_error;
            co_return;
        }
        Layer().expires_after(timeout);
        [[maybe_unused]] auto [read_error, read] =
            co_await http::async_read(stream, buffer, parser, kNoThrow);
        error = read_error;
        if (!error) Layer().expires_never();
    }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, bool tls)
    : host_(std::move(host)), port_(port), tls_(tls), connection_(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::SetBasicAuth(std::string user, std::string password) {
    authorization_ = "Basic " + Base64(user + ":" + password);
}

void HttpClient::ClearAuth() {
    authorization_.clear();
}

void HttpClient::SetTimeout(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
}

void HttpClient::Disconnect() {
    connection_->Close();
}

HttpResponse HttpClient::Request(std::string_view method,
                                 std::string target,
                                 std::string body,
                                 std::map<std::string, std::string> headers) {
    http::request<http::string_body> request;
    if (const auto verb = http::string_to_verb(method); verb != http::verb::unknown) {
        request.method(verb);
    } else {
        request.method_string(method);
    }
    request.target(target);
    request.version(11);
    request.set(http::field::host, host_ + ":" + std::to_string(port_));
    request.set(http::field::user_agent, "escd-test-client");
    if (!body.empty()) request.set(http::field::content_type, "application/xml");
    if (!authorization_.empty()) request.set(http::field::authorization, authorization_);
    request.body() = std::move(body);
    request.prepare_payload();
    // After prepare_payload so a test can also send a deliberately wrong Content-Length.
    for (const auto& [name, value] : headers) request.set(name, value);

    for (int attempt = 0;; ++attempt) {
        const bool reused = connection_->open();
        if (!reused) {
            RunSync(connection_->io, connection_->Connect(host_, port_, tls_, timeout_));
            ++connections_opened_;
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        if (request.method() == http::verb::head) parser.skip(true);
        beast::error_code error;
        if (connection_->secure) {
            RunSync(connection_->io,
                    connection_->Exchange(*connection_->secure, request, parser, timeout_, error));
        } else {
            RunSync(connection_->io,
                    connection_->Exchange(*connection_->plain, request, parser, timeout_, error));
        }
        if (!error) {
            const auto& message = parser.get();
            HttpResponse response;
            response.status = static_cast<int>(message.result_int());
            for (const auto& field : message) {
                auto& value = response.headers[ToLower(field.name_string())];
                if (!value.empty()) value += ", ";
                value += field.value();
            }
            response.body = message.body();
            if (!message.keep_alive()) connection_->Close();
            return response;
        }
        connection_->Close();
        if (reused && attempt == 0 && IsStaleConnection(error)) continue;
        throw std::runtime_error("HttpClient: " + std::string(method) + " " +
                                 std::string(request.target()) + " to " + host_ + ":" +
                                 std::to_string(port_) + " failed: " + error.message());
    }
}

HttpResponse HttpClient::Get(std::string target, std::map<std::string, std::string> headers) {
    return Request("GET", std::move(target), "", std::move(headers));
}

HttpResponse HttpClient::Post(std::string target,
                              std::string body,
                              std::map<std::string, std::string> headers) {
    return Request("POST", std::move(target), std::move(body), std::move(headers));
}

HttpResponse HttpClient::Put(std::string target,
                             std::string body,
                             std::map<std::string, std::string> headers) {
    return Request("PUT", std::move(target), std::move(body), std::move(headers));
}

HttpResponse HttpClient::Delete(std::string target, std::map<std::string, std::string> headers) {
    return Request("DELETE", std::move(target), "", std::move(headers));
}

namespace {

asio::awaitable<void> WriteThenReadAll(tcp::socket& socket,
                                       std::string_view bytes,
                                       std::string& received) {
    // A write error is ignored: a server may answer and close before taking all the bytes, and
    // that answer is what the test wants to see.
    co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), kNoThrow);
    std::array<char, 4096> chunk;
    for (;;) {
        auto [error, size] = co_await socket.async_read_some(asio::buffer(chunk), kNoThrow);
        received.append(chunk.data(), size);
        if (error) co_return;
    }
}

}  // namespace

std::string RawRequest(std::uint16_t port, std::string_view bytes) {
    asio::io_context io;
    tcp::socket socket(io);
    beast::error_code error;
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), error);
    if (error) {
        throw std::runtime_error("RawRequest: cannot connect to 127.0.0.1:" + std::to_string(port) +
                                 ": " + error.message());
    }
    SetCloseOnExec(socket.native_handle());
    std::string received;
    bool done = false;
    asio::co_spawn(io, WriteThenReadAll(socket, bytes, received),
                   [&done](std::exception_ptr) { done = true; });
    io.run_for(std::chrono::seconds(5));
    if (!done) {
        // Time is up: closing cancels the pending read, and run() lets the coroutine finish.
        socket.close(error);
        io.run();
    }
    return received;
}

}  // namespace escd::test
