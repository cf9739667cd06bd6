#pragma once
/// @file
/// What the ICMPPing metric asks of a pinger (alive_check.hpp, vm_monitor.hpp): whether an
/// address may be pinged, and how many of a few echo requests to it were answered. escd's is the
/// IcmpPinger (icmp_pinger.hpp); the engine tests put one of their own in its place, whose
/// guests answer or stay silent as the test says (docs/architecture.md, "The fake VIM and
/// in-process engine tests").

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/asio.hpp"

namespace escd::orchestrator {

class Pinger {
  public:
    /// What Echoes() returns when escd cannot tell (IcmpPinger::Echoes): not a verdict.
    static constexpr int kInconclusive = -1;

    virtual ~Pinger() = default;
    /// Whether `address` may be pinged (monitor.allowed_cidrs).
    virtual bool Allows(const asio::ip::address& address) const = 0;
    /// `text` as an address escd pings, or nullopt: the VIM's word then decides whether its VM
    /// is alive.
    virtual std::optional<asio::ip::address> Pingable(std::string_view text) const = 0;
    /// `count` echo requests to `address` at once; how many were answered within `timeout`, or
    /// kInconclusive.
    virtual asio::awaitable<int> Echoes(asio::ip::address address,
                                        int count,
                                        std::chrono::milliseconds timeout) = 0;
    /// Requests sent, replies matched and polls that could not tell, so far (for logs).
    virtual std::uint64_t sent() const = 0;
    virtual std::uint64_t answered() const = 0;
    virtual std::uint64_t inconclusive() const = 0;
};

}  // namespace escd::orchestrator
