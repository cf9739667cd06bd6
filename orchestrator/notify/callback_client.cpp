#include "orchestrator/notify/callback_client.hpp"

namespace escd::orchestrator {
namespace {
// Socket results as (error_code, ...) values: a failed delivery is an outcome, not an exception.

http::request<http::string_body> BuildRequest(
    const Url& url,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
    http::request<http::string_body> request{http::verb::post, url.target, 11};
    request.set(http::field::host, url.HostHeader());
    request.set(http::field::user_agent, "escd");
    request.set(http::field::content_type, "application/xml; charset=UTF-8");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.keep_alive(true);
    request.prepare_payload();
    return request;
}

struct Exchanged {
    CallbackResult result;
    bool keep_alive = false;
    bool sent = false;  ///< the request was written completely
};

template <class Stream>
asio::awaitable<Exchanged> Exchange(Stream& stream, http::request<http::string_body>& request) {
    Exchanged out;
    auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
    if (write_error) {
        out.result.error = "write: " + write_error.message();
        co_return out;
    }
    out.sent = true;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, kNoThrow);
    if (read_error) {
        out.result.error = "read: " + read_error.message();
        co_return out;
    }
    out.result.status = static_cast<int>(response.result_int());
    out.keep_alive = response.keep_alive();
    co_return out;
}

// Keeps `stream` open for the next callback to `key`. The pool is looked up again after every
// exchange, never held across one: CloseIdle() (the notifier's stop) may have cleared the map
// while the exchange was awaited.
template <typename Pools, typename Stream>
void KeepIdle(Pools& idle, const std::string& key, Stream stream, std::size_t max_per_target) {
    auto& pool = idle[key];
    if (pool.size() < max_per_target) pool.push_back(std::move(stream));
}
}  // namespace

asio::awaitable<CallbackResult> CallbackClient::Post(
    const Url& url,
    const std::vector<tcp::endpoint>& endpoints,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
    auto request = BuildRequest(url, headers, body);
    if (url.scheme == "http") co_return co_await PostPlain(url, endpoints, request);
    co_return co_await PostTls(url, endpoints, request);
}

asio::awaitable<CallbackResult> CallbackClient::PostPlain(
    const Url& url,
    const std::vector<tcp::endpoint>& endpoints,
    http::request<http::string_body>& request) {
    const std::string key = url.host + ":" + std::to_string(url.port);
    // A reused connection may have been closed by the receiver while idle: that attempt does not
    // count, and the request goes out once more on a fresh connection.
    for (;;) {
        auto& pool = idle_[key];
        if (pool.empty()) break;
        Stream stream = std::move(pool.back());
        pool.pop_back();
        stream->expires_after(timeout_);
        auto exchanged = co_await Exchange(*stream, request);
        if (exchanged.result.status == 0) continue;  // stale: try the next one, then a new one
        if (exchanged.keep_alive) KeepIdle(idle_, key, std::move(stream), max_idle_per_target_);
        co_return exchanged.result;
    }

    auto stream = std::make_unique<beast::tcp_stream>(co_await asio::this_coro::executor);
    stream->expires_after(timeout_);
    auto [connect_error, endpoint] = co_await stream->async_connect(endpoints, kNoThrow);
    if (connect_error) co_return CallbackResult{0, "connect: " + connect_error.message()};
    auto exchanged = co_await Exchange(*stream, request);
    if (exchanged.result.status != 0 && exchanged.keep_alive)
        KeepIdle(idle_, key, std::move(stream), max_idle_per_target_);
    co_return exchanged.result;
}

asio::awaitable<CallbackResult> CallbackClient::PostTls(const Url& url,
                                                        const std::vector<tcp::endpoint>& endpoints,
                                                        http::request<http::string_body>& request) {
    request.keep_alive(false);
    beast::tcp_stream tcp_stream(co_await asio::this_coro::executor);
    tcp_stream.expires_after(timeout_);
    auto [connect_error, endpoint] = co_await tcp_stream.async_connect(endpoints, kNoThrow);
    if (connect_error) co_return CallbackResult{0, "connect: " + connect_error.message()};
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), tls_);
    if (!url.ipv6_literal &&
        !SSL_set_tlsext_host_name(tls_stream.native_handle(), url.host.c_str())) {
        co_return CallbackResult{0, "tls: cannot set SNI"};
    }
    tls_stream.set_verify_callback(ssl::host_name_verification(url.host));
    auto [handshake_error] =
        co_await tls_stream.async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_error) co_return CallbackResult{0, "tls handshake: " + handshake_error.message()};
    auto exchanged = co_await Exchange(tls_stream, request);
    // The receiver may close without close_notify; that is not a delivery failure.
    auto [shutdown_error] = co_await tls_stream.async_shutdown(kNoThrow);
    (void)shutdown_error;
    co_return exchanged.result;
}

}  // namespace escd::orchestrator
