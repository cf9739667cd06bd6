#pragma once
/// What escd_bench_vnf (bench/vnf.cpp) observes itself, not through escd: libvirt's lifecycle
/// events (when each domain started) and the guests' first answers to an echo.

#include <arpa/inet.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace escd::bench {

using Clock = std::chrono::steady_clock;

inline void Quiet(void*, virErrorPtr) {}

/// libvirt's lifecycle events, timed here: when each domain was STARTED.
class DomainWatch {
  public:
    explicit DomainWatch(const std::string& uri) {
        virSetErrorFunc(nullptr, Quiet);
        if (virEventRegisterDefaultImpl() != 0) throw std::runtime_error("no libvirt event loop");
        conn_ = virConnectOpen(uri.c_str());
        if (!conn_)
            throw std::runtime_error("cannot open " + uri + ": " + virGetLastErrorMessage());
        callback_ = virConnectDomainEventRegisterAny(
            conn_, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(&DomainWatch::OnLifecycle), this, nullptr);
        if (callback_ < 0) throw std::runtime_error("cannot watch lifecycle events");
        loop_ = std::thread([this] {
            while (!stop_) virEventRunDefaultImpl();
        });
    }
    ~DomainWatch() {
        virConnectDomainEventDeregisterAny(conn_, callback_);
        stop_ = true;
        virEventAddTimeout(
            0, [](int timer, void*) { virEventRemoveTimeout(timer); }, nullptr, nullptr);
        loop_.join();
        virConnectClose(conn_);
    }

    /// Called on libvirt's event thread for each STARTED event, after it was recorded.
    void OnStarted(std::function<void(const std::string& name)> hook) {
        std::lock_guard lock(mutex_);
        on_started_ = std::move(hook);
    }

    std::optional<Clock::time_point> Started(const std::string& name) const {
        std::lock_guard lock(mutex_);
        auto it = started_.find(name);
        if (it == started_.end()) return std::nullopt;
        return it->second;
    }

  private:
    static int OnLifecycle(virConnectPtr, virDomainPtr domain, int event, int, void* self) {
        if (event != VIR_DOMAIN_EVENT_STARTED) return 0;
        auto* watch = static_cast<DomainWatch*>(self);
        const std::string name = virDomainGetName(domain);
        std::function<void(const std::string&)> hook;
        {
            std::lock_guard lock(watch->mutex_);
            watch->started_[name] = Clock::now();  // the latest start counts
            hook = watch->on_started_;
        }
        if (hook) hook(name);
        return 0;
    }

    virConnectPtr conn_ = nullptr;
    int callback_ = -1;
    std::atomic<bool> stop_{false};
    std::thread loop_;
    mutable std::mutex mutex_;
    std::map<std::string, Clock::time_point> started_;
    std::function<void(const std::string&)> on_started_;
};

/// Pings every watched address each `period` until it first answers; remembers when.
class FirstAnswers {
  public:
    explicit FirstAnswers(Clock::duration period) : period_(period) {
        fd_ = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd_ < 0) throw std::runtime_error("no raw ICMP socket (run as root)");
        thread_ = std::thread([this] { Run(); });
    }
    ~FirstAnswers() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    /// Forgets every answer and address: the next deployment's guests are new.
    void Reset() {
        std::lock_guard lock(mutex_);
        answered_.clear();
        addresses_.clear();
    }
    void Watch(const std::string& address) {
        std::lock_guard lock(mutex_);
        addresses_.insert(address);
    }
    /// Forgets `address`'s answer and watches it again: a guest made again on it.
    void Rearm(const std::string& address) {
        std::lock_guard lock(mutex_);
        answered_.erase(address);
        addresses_.insert(address);
    }
    std::optional<Clock::time_point> Answered(const std::string& address) const {
        std::lock_guard lock(mutex_);
        auto it = answered_.find(address);
        if (it == answered_.end()) return std::nullopt;
        return it->second;
    }

  private:
    static std::uint16_t Checksum(const unsigned char* data, std::size_t size) {
        std::uint32_t sum = 0;
        for (std::size_t i = 0; i + 1 < size; i += 2) sum += (data[i] << 8) | data[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        return static_cast<std::uint16_t>(~sum);
    }

    void Send(const std::string& address, std::uint16_t seq) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
        unsigned char packet[16] = {ICMP_ECHO,
                                    0,
                                    0,
                                    0,
                                    static_cast<unsigned char>(id_ >> 8),
                                    static_cast<unsigned char>(id_ & 0xff),
                                    static_cast<unsigned char>(seq >> 8),
                                    static_cast<unsigned char>(seq & 0xff)};
        const auto sum = Checksum(packet, sizeof packet);
        packet[2] = sum >> 8;
        packet[3] = sum & 0xff;
        // An address without a guest yet fails (no ARP answer): that is the point.
        ::sendto(fd_, packet, sizeof packet, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
    }

    void Run() {
        std::uint16_t seq = 0;
        auto next = Clock::now();
        while (!stop_) {
            if (Clock::now() >= next) {
                ++seq;
                std::vector<std::string> targets;
                {
                    std::lock_guard lock(mutex_);
                    for (const auto& address : addresses_)
                        if (!answered_.contains(address)) targets.push_back(address);
                }
                for (const auto& address : targets) Send(address, seq);
                next += period_;
            }
            pollfd pfd{fd_, POLLIN, 0};
            const auto wait = std::max<long>(
                0,
                std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count());
            if (::poll(&pfd, 1, static_cast<int>(wait)) <= 0) continue;
            unsigned char packet[1500];
            sockaddr_in from{};
            socklen_t size = sizeof from;
            const auto n = ::recvfrom(fd_, packet, sizeof packet, MSG_DONTWAIT,
                                      reinterpret_cast<sockaddr*>(&from), &size);
            const auto at = Clock::now();
            if (n < 28) continue;
            const unsigned char* icmp = packet + (packet[0] & 0x0f) * 4;
            if (icmp[0] != ICMP_ECHOREPLY || ((icmp[4] << 8) | icmp[5]) != id_) continue;
            char text[INET_ADDRSTRLEN];
            ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
            std::lock_guard lock(mutex_);
            answered_.emplace(text, at);
        }
    }

    Clock::duration period_;
    int fd_ = -1;
    std::uint16_t id_ = static_cast<std::uint16_t>(::getpid() ^ 0x5a5a);
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::set<std::string> addresses_;
    std::map<std::string, Clock::time_point> answered_;
};

}  // namespace escd::bench
