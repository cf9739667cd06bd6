#include "orchestrator/csm/device/transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <vector>

namespace escd::orchestrator::csm::detail {
namespace {

// Keepalive probes after 60 s of silence, every 10 s, 6 unanswered = dead: about two minutes.
constexpr int kKeepIdleSeconds = 60;
constexpr int kKeepIntervalSeconds = 10;
constexpr int kKeepCount = 6;

std::string ConnectSeconds(std::chrono::steady_clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") +
           " s";
}

}  // namespace

AttemptClock::AttemptClock(const Strand& strand, SteadyTime deadline)
    : deadline_(deadline), state_(std::make_shared<State>(strand)) {
    state_->timer.expires_at(deadline);
    state_->timer.async_wait([state = state_](const boost::system::error_code& ec) {
        if (ec || state->done) return;
        state->expired = true;
        state->signal.emit(asio::cancellation_type::terminal);
    });
}

AttemptClock::~AttemptClock() {
    state_->done = true;
    state_->timer.cancel();
}

void AttemptClock::ThrowIfExpired(std::string_view what) const {
    if (!state_->expired) return;
    throw DeviceError(DeviceFailure::kTimeout,
                      std::string(what) + ": no answer within the connect timeout");
}

StreamSocket AdoptSocket(const Strand& strand, int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    const int family = address.ss_family;
    const int protocol = family == AF_INET || family == AF_INET6 ? IPPROTO_TCP : 0;
    StreamSocket socket(strand);
    boost::system::error_code ec;
    socket.assign(asio::generic::stream_protocol(family, protocol), fd, ec);
    if (ec) {
        ::close(fd);
        throw Error(ErrorCode::kInternal, "cannot adopt a socket: " + ec.message());
    }
    return socket;
}

std::string HostPort(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

asio::awaitable<int> ConnectTcp(const Strand& strand,
                                const std::string& host,
                                std::uint16_t port,
                                const CidrList& allowed,
                                AttemptClock& clock) {
    const auto where = HostPort(host, port);
    const auto started = std::chrono::steady_clock::now();
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoints.emplace_back(literal, port);
    } else {
        // Asio resolves on its own background thread: no Asio thread waits for the DNS.
        tcp::resolver resolver(strand);
        auto [resolve_ec, results] = co_await resolver.async_resolve(
            host, std::to_string(port), tcp::resolver::numeric_service, kNoThrow);
        clock.ThrowIfExpired(where);
        if (resolve_ec) {
            throw DeviceError(DeviceFailure::kUnreachable,
                              where + ": cannot resolve the name: " + resolve_ec.message());
        }
        for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    if (!allowed.empty()) {
        std::erase_if(endpoints, [&](const tcp::endpoint& endpoint) {
            return !allowed.Contains(endpoint.address());
        });
        if (endpoints.empty()) {
            throw DeviceError(DeviceFailure::kUnreachable,
                              where +
                                  ": not an address escd may connect to ([csm] "
                                  "device_allowed_cidrs " +
                                  allowed.ToString() + ")");
        }
    }
    tcp::socket socket(strand);
    std::string failures;
    for (const auto& endpoint : endpoints) {
        auto [connect_ec] = co_await socket.async_connect(
            endpoint, asio::bind_cancellation_slot(clock.slot(), kNoThrow));
        if (clock.expired()) {
            throw DeviceError(DeviceFailure::kTimeout,
                              where + ": no TCP connection within " +
                                  ConnectSeconds(std::chrono::steady_clock::now() - started));
        }
        if (!connect_ec) break;
        failures += (failures.empty() ? "" : "; ") + connect_ec.message();
        socket.close(ec);
    }
    if (!socket.is_open()) {
        throw DeviceError(DeviceFailure::kUnreachable, where + ": " + failures);
    }
    socket.set_option(tcp::no_delay(true), ec);
    socket.set_option(asio::socket_base::keep_alive(true), ec);
    const int fd = socket.native_handle();
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepIdleSeconds, sizeof kKeepIdleSeconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepIntervalSeconds,
                 sizeof kKeepIntervalSeconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &kKeepCount, sizeof kKeepCount);
    socket.native_non_blocking(true, ec);
    co_return socket.release();
}

}  // namespace escd::orchestrator::csm::detail
