#include "tests/engine/fake_pinger.hpp"

#include <utility>

#include "common/ip_network.hpp"

namespace escd::test {

void FakePinger::Silence(const std::string& address) {
    std::lock_guard lock(mutex_);
    silent_.insert(address);
}

void FakePinger::Answer(const std::string& address) {
    std::lock_guard lock(mutex_);
    silent_.erase(address);
}

std::uint64_t FakePinger::EchoesTo(const std::string& address) const {
    std::lock_guard lock(mutex_);
    auto it = sent_to_.find(address);
    return it == sent_to_.end() ? 0 : it->second;
}

std::optional<asio::ip::address> FakePinger::Pingable(std::string_view text) const {
    auto ip = ParseIp(text);
    if (!ip || !Allows(*ip)) return std::nullopt;
    return ip;
}

bool FakePinger::AwaitEchoesTo(const std::string& address,
                               std::uint64_t count,
                               std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        auto it = sent_to_.find(address);
        return it != sent_to_.end() && it->second >= count;
    });
}

void FakePinger::StallNextPoll(const std::string& address) {
    std::lock_guard lock(mutex_);
    stall_next_.insert(address);
}

bool FakePinger::AwaitStalledPoll(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return stalled_ != nullptr; });
}

void FakePinger::ReleaseStalledPoll() {
    std::shared_ptr<asio::steady_timer> stalled;
    {
        std::lock_guard lock(mutex_);
        stalled = std::exchange(stalled_, nullptr);
    }
    // On the poll's own executor: it waits there already (it registered the timer and began
    // its wait in one handler), so the cancel cannot come before the wait.
    if (stalled) asio::post(stalled->get_executor(), [stalled] { stalled->cancel(); });
}

asio::awaitable<int> FakePinger::Echoes(asio::ip::address address,
                                        int count,
                                        std::chrono::milliseconds /*timeout*/) {
    auto executor = co_await asio::this_coro::executor;
    int answers = 0;
    std::shared_ptr<asio::steady_timer> stall;
    {
        std::lock_guard lock(mutex_);
        const auto text = address.to_string();
        sent_ += count;
        sent_to_[text] += count;
        if (count > 1 && stall_next_.erase(text)) {
            stall = std::make_shared<asio::steady_timer>(executor,
                                                         asio::steady_timer::time_point::max());
            stalled_ = stall;
        } else if (!silent_.contains(text)) {
            answers = count;
        }
        answered_ += answers;
    }
    changed_.notify_all();
    if (stall) co_await stall->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return answers;
}

std::uint64_t FakePinger::sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
}

std::uint64_t FakePinger::answered() const {
    std::lock_guard lock(mutex_);
    return answered_;
}

}  // namespace escd::test
