#pragma once
/// @file
/// Internal: the byte stream a DeviceSession reads and writes (an SSH shell channel, a telnet
/// connection), the deadline of a connection attempt, and the TCP connect they start from.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "orchestrator/csm/device/device_session.hpp"

namespace escd::orchestrator::csm::detail {

using Strand = asio::strand<asio::any_io_executor>;
using SteadyTime = std::chrono::steady_clock::time_point;

/// Bytes a transport buffers on its way in or out before it stops reading (or makes a writer
/// wait): SSH window flow control and TCP then hold the peer back.
inline constexpr std::size_t kTransportBufferLimit = 1 << 20;

/// The deadline of one connection attempt (a target's connect timeout) for the waits that come
/// before a session exists: the TCP connect, the SSH handshake and authentication, opening
/// channels. Such a wait binds slot() (asio::bind_cancellation_slot): at the deadline the wait
/// is cancelled and expired() turns true, which the waiting code checks after every wait (a
/// wait that completed just before the deadline is not cancelled, and the next one must not
/// start). Lives in the attempt's coroutine, on its strand.
class AttemptClock {
  public:
    AttemptClock(const Strand& strand, SteadyTime deadline);
    ~AttemptClock();
    AttemptClock(const AttemptClock&) = delete;
    AttemptClock& operator=(const AttemptClock&) = delete;

    SteadyTime deadline() const { return deadline_; }
    bool expired() const { return state_->expired; }
    asio::cancellation_slot slot() { return state_->signal.slot(); }
    /// Throws DeviceError(kTimeout) saying `what` did not finish in time, when expired().
    void ThrowIfExpired(std::string_view what) const;

  private:
    // Shared with the timer's handler, which may run after the attempt ended.
    struct State {
        explicit State(const Strand& strand) : timer(strand) {}
        asio::steady_timer timer;
        asio::cancellation_signal signal;
        bool expired = false;
        bool done = false;
    };
    SteadyTime deadline_;
    std::shared_ptr<State> state_;
};

/// A terminal byte stream to a device. Used on its strand only: one reader (the session's, or a
/// jump tunnel's pump), writers one after another.
class Transport {
  public:
    virtual ~Transport() = default;

    /// Some bytes from the device (telnet commands removed); 0 once the stream ended, after
    /// which ended_because() says why.
    virtual asio::awaitable<std::size_t> ReadSome(std::span<char> buffer) = 0;
    /// Queues `bytes` for the device, in order. Returns once they are queued (waiting only when
    /// kTransportBufferLimit is queued already); a failure to send ends the stream.
    virtual asio::awaitable<void> Write(std::string_view bytes) = 0;
    /// An orderly end: what is queued is sent (for a moment at most), then the SSH channel is
    /// closed and the disconnect sent, or the TCP connection shut down.
    virtual asio::awaitable<void> Close() = 0;
    /// Ends the stream at once: the reader returns 0, nothing more is sent. Idempotent.
    virtual void Abort(std::string_view why) = 0;
    /// Why the stream ended: "connection closed by 10.0.0.1:22", "closed by escd".
    virtual std::string ended_because() const = 0;
    /// The end of a typed line: "\r" on a terminal (SSH pty), "\r\n" for a telnet NVT.
    virtual std::string_view line_end() const = 0;
};

/// Connects a TCP socket to host:port (a name is resolved first) within `clock`'s deadline and
/// returns its descriptor, non-blocking, with TCP_NODELAY and keepalives set (a device that
/// vanishes during an hour-long install wait is noticed in about two minutes). Only the
/// addresses in `allowed` are connected to (all of them when it is empty). Throws DeviceError
/// kUnreachable (refused, no route, no allowed address) or kTimeout.
asio::awaitable<int> ConnectTcp(const Strand& strand,
                                const std::string& host,
                                std::uint16_t port,
                                const CidrList& allowed,
                                AttemptClock& clock);

/// A connected stream socket (TCP, or a jump tunnel's socketpair end) as Asio sees it. A socket
/// rather than a posix::stream_descriptor because Asio sends on sockets with MSG_NOSIGNAL: a
/// write(2) to a connection the device reset would raise SIGPIPE, which escd does not ignore.
using StreamSocket = asio::generic::stream_protocol::socket;

/// `fd` (a connected stream socket, owned from now on) as a StreamSocket on `strand`.
StreamSocket AdoptSocket(const Strand& strand, int fd);

/// `host:port`, with brackets around an IPv6 address.
std::string HostPort(const std::string& host, std::uint16_t port);

}  // namespace escd::orchestrator::csm::detail
