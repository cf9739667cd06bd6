#pragma once
/// @file
/// ICMP echo for the ICMPPing metric (BEHAVIOUR.md §5): one socket for every VM escd monitors,
/// replies matched to requests by sequence number, each request bounded by its own timeout.
///
/// The socket is a raw ICMP socket (root or CAP_NET_RAW) or, where the kernel's
/// net.ipv4.ping_group_range admits escd's group, an unprivileged ICMP datagram socket. Without
/// either, available() is false and every ping reports "no answer" with the reason logged once.
/// Only addresses in monitor.allowed_cidrs are ever pinged (loopback by default): an address
/// outside is refused without a packet being sent. IPv4 only for now.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/asio.hpp"
#include "common/cidr.hpp"

namespace escd::orchestrator {

class IcmpPinger {
  public:
    IcmpPinger(asio::io_context& ioc, CidrList allowed);
    ~IcmpPinger();

    /// Opens the socket and starts receiving. False (with `why`) when no ICMP socket can be had.
    bool Start(std::string* why = nullptr);
    void Stop();
    bool available() const { return available_; }
    /// Whether `address` may be pinged (monitor.allowed_cidrs).
    bool Allows(const asio::ip::address& address) const { return allowed_.Contains(address); }

    /// One echo request to `address`; true when the reply arrived within `timeout`. Takes the
    /// address by value (trivially destructible, so safe under g++ 12): callers also co_spawn it.
    /// Throws Error(kBadRequest) for an address outside the allow-list.
    asio::awaitable<bool> Ping(asio::ip::address address, std::chrono::milliseconds timeout);
    /// `count` echo requests to `address` at once; how many were answered within `timeout`
    /// (one timer for all of them: a KPI poll is one call). Same rules as Ping().
    asio::awaitable<int> Echoes(asio::ip::address address,
                                int count,
                                std::chrono::milliseconds timeout);

    /// Requests sent and replies matched so far (for logs and benchmarks).
    std::uint64_t sent() const { return sent_; }
    std::uint64_t answered() const { return answered_; }

  private:
    struct Pending;
    asio::awaitable<void> Receive();
    /// Reads every packet queued on the socket now, without waiting (on strand_).
    void Drain();
    /// One received packet: an echo reply of ours counts for its request.
    void Handle(const std::uint8_t* packet, std::size_t size);

    CidrList allowed_;
    asio::strand<asio::io_context::executor_type> strand_;
    std::unique_ptr<asio::ip::icmp::socket> socket_;
    bool datagram_ = false;  ///< unprivileged socket: no IP header, the kernel sets the id
    std::atomic<bool> available_{false};
    std::uint16_t identifier_ = 0;
    // Touched on strand_ only.
    std::uint16_t next_sequence_ = 0;
    std::map<std::uint16_t, std::shared_ptr<Pending>> pending_;
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> answered_{0};
};

}  // namespace escd::orchestrator
