// The ICMP pinger against the host's loopback (real ICMP; no packet leaves the machine).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "common/error.hpp"
#include "orchestrator/monitor/icmp_pinger.hpp"

namespace escd::test {
namespace {

bool CanOpenIcmp() {
    int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) fd = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

class IcmpPingerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!CanOpenIcmp()) GTEST_SKIP() << "no ICMP socket for this user (needs CAP_NET_RAW)";
        ASSERT_TRUE(pinger_.Start());
        thread_ = std::thread([this] { ioc_.run(); });
    }
    void TearDown() override {
        if (!thread_.joinable()) return;
        pinger_.Stop();
        work_.reset();
        ioc_.stop();
        thread_.join();
    }
    bool Ping(const char* address, std::chrono::milliseconds timeout) {
        return asio::co_spawn(ioc_, pinger_.Ping(asio::ip::make_address(address), timeout),
                              asio::use_future)
            .get();
    }

    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
    orchestrator::IcmpPinger pinger_{ioc_, CidrList::Parse("127.0.0.0/8")};
    std::thread thread_;
};

TEST_F(IcmpPingerTest, LoopbackAddressesAnswerAndEachReplyFindsItsRequest) {
    EXPECT_TRUE(Ping("127.0.0.1", std::chrono::seconds(2)));
    EXPECT_TRUE(Ping("127.42.0.7", std::chrono::seconds(2)));
    // Many at once: every request is matched to its own reply.
    std::vector<std::future<bool>> pings;
    for (int i = 1; i <= 50; ++i) {
        auto address = asio::ip::make_address("127.0.1." + std::to_string(i));
        pings.push_back(
            asio::co_spawn(ioc_, pinger_.Ping(address, std::chrono::seconds(2)), asio::use_future));
    }
    for (auto& ping : pings) EXPECT_TRUE(ping.get());
    EXPECT_EQ(pinger_.sent(), 52u);
    EXPECT_EQ(pinger_.answered(), 52u);
}

TEST_F(IcmpPingerTest, AddressesOutsideTheAllowListAreRefusedWithoutAPacket) {
    EXPECT_THROW(Ping("192.0.2.1", std::chrono::seconds(1)), Error);
    EXPECT_THROW(Ping("::1", std::chrono::seconds(1)), Error);
    EXPECT_EQ(pinger_.sent(), 0u);
}

}  // namespace
}  // namespace escd::test
