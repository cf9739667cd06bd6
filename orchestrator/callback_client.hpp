#pragma once
/// @file
/// The HTTP/HTTPS client that POSTs one callback. A coroutine on the caller's executor (the
/// notifier's strand); every step is bounded by one deadline.

#include <chrono>
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

/// POSTs `body` to `url`, connecting only to `endpoints` (already resolved and checked against
/// the allow-list). `tls` is used for https URLs. Never throws for network failures.
asio::awaitable<CallbackResult> PostCallback(const Url& url, const std::vector<tcp::endpoint>& endpoints,
                                             const std::vector<std::pair<std::string, std::string>>& headers,
                                             const std::string& body, std::chrono::milliseconds timeout,
                                             ssl::context& tls);

}  // namespace escd::orchestrator
