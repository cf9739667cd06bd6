#pragma once
// The test's own view of a VNF: whether it answers an ICMP echo, independent of escd's pinger.
// A raw socket, so root (tests/run-vnf.sh runs the VNF tests as root inside their namespace).

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

namespace escd::test {

inline std::uint16_t IcmpChecksum(const unsigned char* data, std::size_t size) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < size; i += 2) sum += (data[i] << 8) | data[i + 1];
    if (size % 2) sum += data[size - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

/// Whether IPv4 `address` answers one echo request within `timeout`.
inline bool AnswersPing(const std::string& address, std::chrono::milliseconds timeout) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) return false;
    const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) return false;
    static std::uint16_t sequence = 0;
    const auto id = static_cast<std::uint16_t>(::getpid());
    const auto seq = ++sequence;
    unsigned char request[16] = {ICMP_ECHO, 0, 0, 0};
    request[4] = id >> 8;
    request[5] = id & 0xff;
    request[6] = seq >> 8;
    request[7] = seq & 0xff;
    const auto sum = IcmpChecksum(request, sizeof request);
    request[2] = sum >> 8;
    request[3] = sum & 0xff;
    bool answered = false;
    if (::sendto(fd, request, sizeof request, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
        static_cast<ssize_t>(sizeof request)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!answered) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd pfd{fd, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
            unsigned char packet[1500];
            sockaddr_in from{};
            socklen_t from_size = sizeof from;
            const auto n = ::recvfrom(fd, packet, sizeof packet, 0,
                                      reinterpret_cast<sockaddr*>(&from), &from_size);
            if (n < 20) continue;
            const std::size_t header = (packet[0] & 0x0f) * 4u;  // a raw socket sees the IP header
            if (static_cast<std::size_t>(n) < header + 8) continue;
            const unsigned char* icmp = packet + header;
            answered = from.sin_addr.s_addr == to.sin_addr.s_addr && icmp[0] == ICMP_ECHOREPLY &&
                       ((icmp[4] << 8) | icmp[5]) == id && ((icmp[6] << 8) | icmp[7]) == seq;
        }
    }
    ::close(fd);
    return answered;
}

}  // namespace escd::test
