#pragma once
/// @file
/// ICMP echo for the ICMPPing metric (docs/decisions.md#a-poll-that-cannot-tell-is-no-verdict): one
/// socket for every VM escd monitors, replies matched to requests by sequence number, each request
/// bounded by its own timeout.
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
#include <optional>
#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "orchestrator/monitor/pinger.hpp"

namespace escd::orchestrator {

class IcmpPinger final : public Pinger {
  public:
    IcmpPinger(asio::io_context& ioc, CidrList allowed);
    ~IcmpPinger() override;

    /// Opens the socket and starts receiving. False (with `why`) when no ICMP socket can be had.
    bool Start(std::string* why = nullptr);
    void Stop();
    bool available() const { return available_; }
    /// Whether `address` may be pinged (monitor.allowed_cidrs).
    bool Allows(const asio::ip::address& address) const override {
        return allowed_.Contains(address);
    }
    /// `text` as an address escd pings: one it may ping (Allows) with a socket to ping it from
    /// (available). nullopt otherwise: the VIM's word then decides whether its VM is alive, at
    /// deploy time and in the monitor alike.
    std::optional<asio::ip::address> Pingable(std::string_view text) const override;

    /// One echo request to `address`; true when the reply arrived within `timeout`. Takes the
    /// address by value (trivially destructible, so safe under g++ 12): callers also co_spawn it.
    /// Throws Error(kBadRequest) for an address outside the allow-list.
    asio::awaitable<bool> Ping(asio::ip::address address, std::chrono::milliseconds timeout);
    /// Echoes() returns kInconclusive when escd cannot tell: a request could not be sent, or
    /// escd woke up kLateWakeUp or more after the deadline (starved of CPU), too late to trust
    /// that missing replies were not lost in its own socket's buffer. Not a verdict on the VM.
    static constexpr std::chrono::milliseconds kLateWakeUp{200};

    /// `count` echo requests to `address` at once; how many were answered within `timeout`
    /// (one timer for all of them: a KPI poll is one call), or kInconclusive. Same rules as
    /// Ping().
    asio::awaitable<int> Echoes(asio::ip::address address,
                                int count,
                                std::chrono::milliseconds timeout) override;

    /// Requests sent and replies matched so far (for logs and benchmarks).
    std::uint64_t sent() const override { return sent_; }
    std::uint64_t answered() const override { return answered_; }
    /// Polls that could not tell (kInconclusive).
    std::uint64_t inconclusive() const override { return inconclusive_; }

  private:
    struct Pending;
    asio::awaitable<void> Receive();
    /// Reads every packet queued on the socket now, without waiting (on strand_), noting the
    /// kernel's count of packets it dropped.
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
    std::uint32_t dropped_ = 0;  ///< packets the kernel dropped on the socket (SO_RXQ_OVFL)
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> answered_{0};
    std::atomic<std::uint64_t> inconclusive_{0};
};

}  // namespace escd::orchestrator
