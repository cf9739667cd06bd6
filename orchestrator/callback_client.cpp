#include "orchestrator/callback_client.hpp"

namespace escd::orchestrator {
namespace {
// Socket results as (error_code, ...) values: a failed delivery is an outcome, not an exception.
const auto kTuple = asio::as_tuple(asio::use_awaitable);

http::request<http::string_body> BuildRequest(const Url& url,
                                              const std::vector<std::pair<std::string, std::string>>& headers,
                                              const std::string& body) {
    http::request<http::string_body> request{http::verb::post, url.target, 11};
    request.set(http::field::host, url.HostHeader());
    request.set(http::field::user_agent, "escd");
    request.set(http::field::content_type, "application/xml; charset=UTF-8");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    return request;
}

template <class Stream>
asio::awaitable<CallbackResult> Exchange(Stream& stream, http::request<http::string_body>& request) {
    auto [write_error, written] = co_await http::async_write(stream, request, kTuple);
    if (write_error) co_return CallbackResult{0, "write: " + write_error.message()};
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, kTuple);
    if (read_error) co_return CallbackResult{0, "read: " + read_error.message()};
    co_return CallbackResult{static_cast<int>(response.result_int()), {}};
}
}  // namespace

asio::awaitable<CallbackResult> PostCallback(const Url& url, const std::vector<tcp::endpoint>& endpoints,
                                             const std::vector<std::pair<std::string, std::string>>& headers,
                                             const std::string& body, std::chrono::milliseconds timeout,
                                             ssl::context& tls) {
    auto executor = co_await asio::this_coro::executor;
    auto request = BuildRequest(url, headers, body);
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(timeout);
    auto [connect_error, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
    if (connect_error) co_return CallbackResult{0, "connect: " + connect_error.message()};

    if (url.scheme == "http") {
        auto result = co_await Exchange(tcp_stream, request);
        beast::error_code ignored;
        tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return result;
    }

    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), tls);
    if (!url.ipv6_literal && !SSL_set_tlsext_host_name(tls_stream.native_handle(), url.host.c_str())) {
        co_return CallbackResult{0, "tls: cannot set SNI"};
    }
    tls_stream.set_verify_callback(ssl::host_name_verification(url.host));
    auto [handshake_error] = co_await tls_stream.async_handshake(ssl::stream_base::client, kTuple);
    if (handshake_error) co_return CallbackResult{0, "tls handshake: " + handshake_error.message()};
    auto result = co_await Exchange(tls_stream, request);
    // The receiver may close without close_notify; that is not a delivery failure.
    auto [shutdown_error] = co_await tls_stream.async_shutdown(kTuple);
    (void)shutdown_error;
    co_return result;
}

}  // namespace escd::orchestrator
