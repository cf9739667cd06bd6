#include "tests/engine/fake_pinger.hpp"

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

asio::awaitable<int> FakePinger::Echoes(asio::ip::address address,
                                        int count,
                                        std::chrono::milliseconds /*timeout*/) {
    int answers = 0;
    {
        std::lock_guard lock(mutex_);
        const auto text = address.to_string();
        sent_ += count;
        sent_to_[text] += count;
        if (!silent_.contains(text)) answers = count;
        answered_ += answers;
    }
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
