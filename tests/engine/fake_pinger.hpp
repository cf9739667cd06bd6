#pragma once
/// @file
/// The guests' side of the ICMPPing metric for the engine tests (orchestrator/monitor/pinger.hpp):
/// no packet is sent; every allowed address answers each echo, unless the test silenced it (a
/// guest that never comes up, or went down). A silent address's echoes come back unanswered at
/// once: what the tests drive is the engine's time (bootup_time, the probe pauses, the
/// monitor's polls, all on its clock), not the echoes' own timeouts. One poll can be held out
/// on purpose (StallNextPoll).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
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
    /// Blocks until `count` echo requests in all went to `address`, or `timeout` (real time)
    /// passed; whether they did.
    bool AwaitEchoesTo(const std::string& address,
                       std::uint64_t count,
                       std::chrono::milliseconds timeout) const;
    /// The next poll of `address` (a monitor's or a KPI's, not a boot probe's single echo) stays
    /// out until ReleaseStalledPoll(): a poll under way while something else happens. It then
    /// comes back unanswered, as a poll whose echoes timed out.
    void StallNextPoll(const std::string& address);
    /// Blocks until the stalled poll is out, or `timeout` passed; whether it is.
    bool AwaitStalledPoll(std::chrono::milliseconds timeout) const;
    void ReleaseStalledPoll();

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
    mutable std::condition_variable changed_;
    std::set<std::string> silent_;
    std::set<std::string> stall_next_;
    /// The stalled poll's wait, once out; cancelled to release it.
    std::shared_ptr<asio::steady_timer> stalled_;
    std::map<std::string, std::uint64_t> sent_to_;
    std::uint64_t sent_ = 0;
    std::uint64_t answered_ = 0;
};

}  // namespace escd::test
