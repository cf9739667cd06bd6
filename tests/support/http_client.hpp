#pragma once
/// @file
/// A small synchronous HTTP/1.1 client for tests, over one keep-alive connection, plain or TLS.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace escd::test {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< keys lower-cased; repeated fields joined ", "
    std::string body;

    /// Case-insensitive lookup; "" if absent.
    std::string Header(std::string_view name) const;
};

/// Not thread-safe: one client per thread.
class HttpClient {
  public:
    /// TLS does not verify the peer (escd's test certificate is self-signed) and sends SNI
    /// "localhost".
    HttpClient(std::string host, std::uint16_t port, bool tls = false);
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    void SetBasicAuth(std::string user, std::string password);
    void ClearAuth();
    /// Limit for connecting and for each of writing the request and reading the response
    /// (default 60 s); exceeding it throws std::runtime_error.
    void SetTimeout(std::chrono::milliseconds timeout);

    /// Sends `method` (any token, e.g. "POST") to `target`. Sets Host, Content-Type
    /// application/xml when `body` is non-empty, and Authorization when set; `headers` override
    /// them. Reuses the keep-alive connection and reconnects once if the server had closed it.
    /// Throws std::runtime_error when it cannot connect or the exchange fails.
    HttpResponse Request(std::string_view method,
                         std::string target,
                         std::string body = "",
                         std::map<std::string, std::string> headers = {});

    HttpResponse Get(std::string target, std::map<std::string, std::string> headers = {});
    HttpResponse Post(std::string target,
                      std::string body,
                      std::map<std::string, std::string> headers = {});
    HttpResponse Put(std::string target,
                     std::string body,
                     std::map<std::string, std::string> headers = {});
    HttpResponse Delete(std::string target, std::map<std::string, std::string> headers = {});

    /// Drops the keep-alive connection; the next request connects afresh.
    void Disconnect();
    /// TCP connections opened so far (shows whether keep-alive was used).
    std::size_t connections_opened() const { return connections_opened_; }

  private:
    struct Connection;

    std::string host_;
    std::uint16_t port_;
    bool tls_;
    std::string authorization_;
    std::chrono::milliseconds timeout_{std::chrono::seconds(60)};
    std::size_t connections_opened_ = 0;
    std::unique_ptr<Connection> connection_;
};

/// Writes `bytes` to 127.0.0.1:`port` and returns everything read until the server closes the
/// connection or 5 s pass, for malformed-request tests. Throws std::runtime_error if it cannot
/// connect.
std::string RawRequest(std::uint16_t port, std::string_view bytes);

}  // namespace escd::test
