#pragma once
/// @file
/// The HTTP/HTTPS client that POSTs callbacks. Plain-HTTP connections are kept alive and reused
/// per target (a northbound controller usually has one callback URL, so most callbacks ride an
/// open connection). Not thread safe: used on the notifier's strand only; every step is bounded
/// by the timeout.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "common/url.hpp"

namespace escd::orchestrator {

struct CallbackResult {
    int status = 0;     ///< HTTP status of the receiver's answer; 0 when none arrived
    std::string error;  ///< why no answer arrived (connect refused, timeout, TLS, ...)
    bool Delivered() const { return status >= 200 && status < 300; }
};

class CallbackClient {
  public:
    /// `max_idle_per_target`: the open connections kept per target between callbacks. The
    /// notifier passes its limit of POSTs at once, so that every connection a burst opened is
    /// reused rather than closed and opened again (a connect and a close per callback beyond
    /// the cap, on both sides).
    CallbackClient(ssl::context& tls,
                   std::chrono::milliseconds timeout,
                   std::size_t max_idle_per_target)
        : tls_(tls), timeout_(timeout), max_idle_per_target_(max_idle_per_target) {}

    /// POSTs `body` to `url`, connecting only to `endpoints` (already resolved and checked
    /// against the allow-list). Never throws for network failures.
    asio::awaitable<CallbackResult> Post(
        const Url& url,
        const std::vector<tcp::endpoint>& endpoints,
        const std::vector<std::pair<std::string, std::string>>& headers,
        const std::string& body);
    /// Closes every idle connection.
    void CloseIdle() { idle_.clear(); }

  private:
    using Stream = std::unique_ptr<beast::tcp_stream>;

    asio::awaitable<CallbackResult> PostPlain(const Url& url,
                                              const std::vector<tcp::endpoint>& endpoints,
                                              http::request<http::string_body>& request);
    asio::awaitable<CallbackResult> PostTls(const Url& url,
                                            const std::vector<tcp::endpoint>& endpoints,
                                            http::request<http::string_body>& request);

    ssl::context& tls_;
    std::chrono::milliseconds timeout_;
    std::size_t max_idle_per_target_;
    std::map<std::string, std::vector<Stream>> idle_;  ///< "host:port" -> open plain connections
};

}  // namespace escd::orchestrator
