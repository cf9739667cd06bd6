#pragma once
/// @file
/// A real HTTP/1.1 server on 127.0.0.1 that records the webhook callbacks escd delivers, so
/// integration tests can assert on what arrived and simulate an unhealthy or absent receiver.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace escd::test {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< keys lower-cased; repeated fields joined ", "
    std::string body;
    int answered_status = 0;
    /// 1-based sequence number of the TCP connection the request came on; equal numbers mean the
    /// sender reused a keep-alive connection.
    std::uint64_t connection = 0;
    /// When the whole request had arrived (for benchmarks' timings).
    std::chrono::steady_clock::time_point received_at;

    /// Case-insensitive lookup; "" if absent.
    std::string Header(std::string_view name) const;
};

/// Runs its own io_context on its own thread. All member functions are thread-safe.
class CallbackReceiver {
  public:
    /// Listens on 127.0.0.1:`port` (0: an ephemeral port, fixed for the object's lifetime).
    explicit CallbackReceiver(std::uint16_t port = 0);
    ~CallbackReceiver();
    CallbackReceiver(const CallbackReceiver&) = delete;
    CallbackReceiver& operator=(const CallbackReceiver&) = delete;

    std::uint16_t port() const;
    /// "http://127.0.0.1:<port><path>"
    std::string Url(std::string_view path = "/callback") const;

    /// Status answered to the requests that arrive from now on (default 200).
    void SetResponseStatus(int status);

    /// Closes the listening socket and every open connection, so the port refuses connections.
    void Stop();
    /// Listens again on the same port. No-op while listening.
    void Start();

    /// Blocks until at least `count` requests were answered 2xx or `timeout` passes; returns the
    /// 2xx-answered requests in arrival order (possibly fewer than `count` on timeout).
    std::vector<ReceivedRequest> WaitForDelivered(std::size_t count,
                                                  std::chrono::milliseconds timeout);
    /// Same as WaitForDelivered, counting every request whatever it was answered.
    std::vector<ReceivedRequest> WaitForAttempts(std::size_t count,
                                                 std::chrono::milliseconds timeout);
    /// Every request so far, in arrival order.
    std::vector<ReceivedRequest> Requests() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace escd::test
