#pragma once
/// @file
/// The guests' side of the ICMPPing metric for the engine tests (orchestrator/monitor/pinger.hpp):
/// no packet is sent; every allowed address answers each echo, unless the test silenced it (a
/// guest that never comes up, or went down). A silent address's echoes come back unanswered at
/// once: what the tests drive is the engine's time (bootup_time, the probe pauses, the
/// monitor's polls, all on its clock), not the echoes' own timeouts.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/cidr.hpp"
#include "orchestrator/monitor/pinger.hpp"

namespace escd::test {

class FakePinger final : public orchestrator::Pinger {
  public:
    explicit FakePinger(CidrList allowed) : allowed_(std::move(allowed)) {}

    /// From now on `address` answers no echo; Answer() undoes it.
    void Silence(const std::string& address);
    void Answer(const std::string& address);
    /// Echo requests sent to `address` so far.
    std::uint64_t EchoesTo(const std::string& address) const;

    bool Allows(const asio::ip::address& address) const override {
        return allowed_.Contains(address);
    }
    std::optional<asio::ip::address> Pingable(std::string_view text) const override;
    asio::awaitable<int> Echoes(asio::ip::address address,
                                int count,
                                std::chrono::milliseconds timeout) override;
    std::uint64_t sent() const override;
    std::uint64_t answered() const override;
    std::uint64_t inconclusive() const override { return 0; }

  private:
    CidrList allowed_;
    mutable std::mutex mutex_;
    std::set<std::string> silent_;
    std::map<std::string, std::uint64_t> sent_to_;
    std::uint64_t sent_ = 0;
    std::uint64_t answered_ = 0;
};

}  // namespace escd::test
