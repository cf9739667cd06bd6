#include "orchestrator/monitor/icmp_pinger.hpp"

#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/log.hpp"

namespace escd::orchestrator {
namespace {
static_assert(std::is_trivially_destructible_v<asio::ip::address>,
              "Ping takes its address by value (see common/offload.hpp on g++ 12)");
constexpr std::uint8_t kEchoRequest = 8;
constexpr std::uint8_t kEchoReply = 0;
// Room for the replies of a burst of polls: every VM of a large deployment is checked at once,
// 3 echoes each, and a small reply still takes about 1 KiB of buffer (8 MiB: some 8,000
// replies). The kernel doubles it.
constexpr int kReceiveBuffer = 8 << 20;

std::uint16_t Checksum(const std::uint8_t* data, std::size_t size) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < size; i += 2) sum += (data[i] << 8) | data[i + 1];
    if (size % 2) sum += data[size - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::array<std::uint8_t, 16> EchoRequest(std::uint16_t identifier, std::uint16_t sequence) {
    std::array<std::uint8_t, 16> packet{};
    packet[0] = kEchoRequest;
    packet[4] = static_cast<std::uint8_t>(identifier >> 8);
    packet[5] = static_cast<std::uint8_t>(identifier);
    packet[6] = static_cast<std::uint8_t>(sequence >> 8);
    packet[7] = static_cast<std::uint8_t>(sequence);
    std::memcpy(packet.data() + 8, "escd-kpi", 8);
    const auto sum = Checksum(packet.data(), packet.size());
    packet[2] = static_cast<std::uint8_t>(sum >> 8);
    packet[3] = static_cast<std::uint8_t>(sum);
    return packet;
}
}  // namespace

// The echoes of one Echoes() call: answered counts their replies.
struct IcmpPinger::Pending {
    explicit Pending(asio::strand<asio::io_context::executor_type> strand) : timer(strand) {}
    asio::steady_timer timer;
    int expected = 0;
    int answered = 0;
};

IcmpPinger::IcmpPinger(asio::io_context& ioc, CidrList allowed)
    : allowed_(std::move(allowed)),
      strand_(asio::make_strand(ioc)),
      identifier_(static_cast<std::uint16_t>(::getpid())) {}

std::optional<asio::ip::address> IcmpPinger::Pingable(std::string_view text) const {
    auto ip = ParseIp(text);
    if (!ip || !available_ || !Allows(*ip)) return std::nullopt;
    return ip;
}

IcmpPinger::~IcmpPinger() = default;

bool IcmpPinger::Start(std::string* why) {
    socket_ = std::make_unique<asio::ip::icmp::socket>(strand_);
    boost::system::error_code ec;
    socket_->open(asio::ip::icmp::v4(), ec);  // raw: root or CAP_NET_RAW
    if (ec) {
        // The unprivileged kind, where net.ipv4.ping_group_range admits this process's group.
        int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd < 0) {
            std::string reason = "no ICMP socket (raw: " + ec.message() +
                                 "; datagram: " + std::strerror(errno) +
                                 "); run escd with CAP_NET_RAW or widen net.ipv4.ping_group_range";
            ESCD_WARN("monitor") << reason;
            if (why) *why = reason;
            socket_.reset();
            return false;
        }
        socket_->assign(asio::ip::icmp::v4(), fd, ec);
        datagram_ = true;
    }
    socket_->non_blocking(true, ec);  // a full send buffer fails a ping, never stalls a thread
    const int fd = socket_->native_handle();
    if (!datagram_) {
        // A raw socket gets a copy of every ICMP packet of the host, on loopback even the echo
        // requests escd sends. Receive() reads echo replies only: the kernel need not queue the
        // rest, which would take half of the buffer.
        const icmp_filter only_replies{~(1U << kEchoReply)};
        ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &only_replies, sizeof only_replies);
    }
    // A reply dropped for want of room fails its echo only at its timeout (up to 1 s), which
    // delays VM_ALIVE by that much. SO_RCVBUFFORCE (CAP_NET_ADMIN) may exceed net.core.rmem_max;
    // SO_RCVBUF is capped by it.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
    // The kernel then says, with each packet, how many it dropped for want of room: a poll
    // that lost replies that way cannot tell anything about its VM (Echoes).
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
    int buffer = 0;
    socklen_t length = sizeof buffer;
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, &length);
    available_ = true;
    asio::co_spawn(strand_, Receive(),
                   log::LogFailure(log::Level::kError, "pinger", "ICMP receiver ended"));
    ESCD_INFO("monitor") << "ICMP " << (datagram_ ? "datagram" : "raw")
                         << " socket open, receive buffer " << buffer / 1024 << " KiB";
    return true;
}

void IcmpPinger::Stop() {
    asio::post(strand_, [this] {
        if (socket_) socket_->close();
        available_ = false;
    });
}

asio::awaitable<void> IcmpPinger::Receive() {
    while (socket_ && socket_->is_open()) {
        auto [ec] = co_await socket_->async_wait(asio::socket_base::wait_read, kNoThrow);
        if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
        Drain();
    }
}

void IcmpPinger::Drain() {
    std::array<std::uint8_t, 1500> buffer;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(std::uint32_t))> control;
    const int fd = socket_ ? socket_->native_handle() : -1;
    while (fd >= 0) {
        iovec io{buffer.data(), buffer.size()};
        msghdr message{};
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        const auto size = ::recvmsg(fd, &message, MSG_DONTWAIT);
        if (size < 0) return;  // nothing queued (or the socket is closing)
        // SO_RXQ_OVFL: how many packets the kernel dropped on this socket so far.
        for (auto* header = CMSG_FIRSTHDR(&message); header;
             header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SO_RXQ_OVFL) {
                std::uint32_t dropped = 0;
                std::memcpy(&dropped, CMSG_DATA(header), sizeof dropped);
                dropped_ = dropped;
            }
        }
        Handle(buffer.data(), static_cast<std::size_t>(size));
    }
}

void IcmpPinger::Handle(const std::uint8_t* packet, std::size_t size) {
    std::size_t offset = 0;
    if (!datagram_) {
        if (size < 20) return;
        offset = static_cast<std::size_t>(packet[0] & 0x0f) * 4;  // the IPv4 header
    }
    if (size < offset + 8 || packet[offset] != kEchoReply) return;
    const auto identifier =
        static_cast<std::uint16_t>((packet[offset + 4] << 8) | packet[offset + 5]);
    const auto sequence =
        static_cast<std::uint16_t>((packet[offset + 6] << 8) | packet[offset + 7]);
    // A raw socket sees every echo reply of the host; the kernel filters datagram ones.
    if (!datagram_ && identifier != identifier_) return;
    auto it = pending_.find(sequence);
    if (it == pending_.end()) return;  // late: its request timed out
    auto& pending = *it->second;
    pending_.erase(it);  // a duplicate reply counts once
    ++answered_;
    if (++pending.answered == pending.expected) pending.timer.cancel();
}

asio::awaitable<bool> IcmpPinger::Ping(asio::ip::address address,
                                       std::chrono::milliseconds timeout) {
    co_return co_await Echoes(address, 1, timeout) > 0;
}

asio::awaitable<int> IcmpPinger::Echoes(asio::ip::address address,
                                        int count,
                                        std::chrono::milliseconds timeout) {
    if (!allowed_.Contains(address)) {
        throw Error(ErrorCode::kBadRequest,
                    "address " + address.to_string() + " is not in monitor.allowed_cidrs");
    }
    if (!available_ || !address.is_v4() || count <= 0) co_return 0;
    // Everything below runs on the pinger's strand, like the receiver, so that a reply can never
    // slip between sending and waiting.
    co_return co_await asio::co_spawn(
        strand_,
        [this, address, count, timeout]() -> asio::awaitable<int> {
            auto pending = std::make_shared<Pending>(strand_);
            std::vector<std::uint16_t> sequences;
            bool unsent = false;
            const auto dropped_before = dropped_;
            const asio::ip::icmp::endpoint to(address, 0);
            for (int i = 0; i < count; ++i) {
                const std::uint16_t sequence = next_sequence_++;
                const auto packet = EchoRequest(identifier_, sequence);
                boost::system::error_code ec;
                socket_->send_to(asio::buffer(packet), to, 0, ec);
                if (ec) {
                    // No room (escd's own trouble) says nothing about the VM; a refusal (no
                    // route, a firewall: EHOSTUNREACH, EPERM, ...) is an unanswered request.
                    if (ec == asio::error::would_block || ec == asio::error::no_buffer_space ||
                        ec == asio::error::no_memory)
                        unsent = true;
                    continue;
                }
                ++sent_;
                pending_[sequence] = pending;
                sequences.push_back(sequence);
            }
            pending->expected = static_cast<int>(sequences.size());
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            if (pending->answered < pending->expected) {
                pending->timer.expires_at(deadline);
                co_await pending->timer.async_wait(kNoThrow);
            }
            // A reply the kernel queued before the deadline counts, even when this strand was
            // too busy to read it in time.
            if (pending->answered < pending->expected) Drain();
            for (const auto sequence : sequences) {
                auto it = pending_.find(sequence);
                if (it != pending_.end() && it->second == pending) pending_.erase(it);
            }
            // Missing answers say nothing about the VM when escd itself failed: a request the
            // socket refused, replies the kernel dropped for want of room in the socket's
            // buffer, or a wake-up so late that this may have happened unseen (escd starved of
            // CPU).
            const auto late = std::chrono::steady_clock::now() - deadline;
            if (pending->answered < count && (unsent || dropped_ != dropped_before ||
                                              late > std::max(kLateWakeUp, timeout / 2))) {
                ++inconclusive_;
                co_return kInconclusive;
            }
            co_return pending->answered;
        },
        asio::use_awaitable);
}

}  // namespace escd::orchestrator
