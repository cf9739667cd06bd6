#include "orchestrator/csm/device/jump_tunnel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace escd::orchestrator::csm::detail {
namespace {

constexpr std::size_t kPumpChunk = 16 * 1024;

}  // namespace

asio::awaitable<std::shared_ptr<JumpTunnel>> JumpTunnel::Open(const Strand& strand,
                                                              const Endpoint& jump,
                                                              const std::string& host,
                                                              std::uint16_t port,
                                                              const CidrList& allowed,
                                                              Transcript& transcript,
                                                              AttemptClock& clock) {
    if (jump.type != model::csm::ConnectionType::kSsh) {
        throw DeviceError(DeviceFailure::kUnsupported,
                          "jump host " + Describe(jump) +
                              ": only SSH jump hosts are supported (a direct-tcpip channel)");
    }
    transcript.Note("connecting to jump host " + Describe(jump));
    std::unique_ptr<SshTransport> outer;
    try {
        const int fd = co_await ConnectTcp(strand, jump.host, jump.port, allowed, clock);
        outer = std::make_unique<SshTransport>(strand, fd, jump.host, jump.port, jump.username);
        const auto key = co_await outer->Handshake(clock);
        transcript.Note("jump host: " + key);
        const auto method = co_await outer->Authenticate(jump.password, clock);
        transcript.Note("jump host: logged in as " + jump.username + " (" + method + ")");
        co_await outer->OpenForward(host, port, clock);
    } catch (const DeviceError& e) {
        // Said so: a refused password or a silent address is the jump host's, not the device's.
        const std::string what = e.what();
        throw DeviceError(e.failure(), what.rfind("jump host", 0) == 0
                                           ? what
                                           : "jump host " + Describe(jump) + ": " + what);
    }
    transcript.Note("jump host " + HostPort(jump.host, jump.port) + " connected to " +
                    HostPort(host, port));
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0) {
        throw Error(ErrorCode::kInternal,
                    std::string("socketpair for a jump host: ") + std::strerror(errno));
    }
    auto tunnel = std::make_shared<JumpTunnel>(strand, std::move(outer), ends[1], ends[0]);
    const auto label = "jump tunnel to " + HostPort(host, port);
    asio::co_spawn(strand, PumpIn(tunnel), log::LogFailure(log::Level::kError, "csm", label));
    asio::co_spawn(strand, PumpOut(tunnel), log::LogFailure(log::Level::kError, "csm", label));
    co_return tunnel;
}

JumpTunnel::JumpTunnel(const Strand& strand,
                       std::unique_ptr<SshTransport> outer,
                       int ours,
                       int inner)
    : outer_(std::move(outer)), pair_(AdoptSocket(strand, ours)), inner_(inner) {}

JumpTunnel::~JumpTunnel() {
    if (inner_ >= 0) ::close(inner_);
}

int JumpTunnel::TakeInnerEnd() {
    const int fd = inner_;
    inner_ = -1;
    return fd;
}

// The channel's data to the inner client.
asio::awaitable<void> JumpTunnel::PumpIn(std::shared_ptr<JumpTunnel> self) {
    std::array<char, kPumpChunk> buffer;
    for (;;) {
        const auto n = co_await self->outer_->ReadSome(buffer);
        if (n == 0) break;
        auto [ec, written] =
            co_await asio::async_write(self->pair_, asio::buffer(buffer.data(), n), kNoThrow);
        if (ec) break;
    }
    // The channel ended: the inner client reads the end of its stream.
    boost::system::error_code ec;
    self->pair_.shutdown(StreamSocket::shutdown_send, ec);
}

// The inner client's data into the channel.
asio::awaitable<void> JumpTunnel::PumpOut(std::shared_ptr<JumpTunnel> self) {
    std::array<char, kPumpChunk> buffer;
    for (;;) {
        auto [ec, n] = co_await self->pair_.async_read_some(asio::buffer(buffer), kNoThrow);
        if (ec) break;
        co_await self->outer_->Write(std::string_view(buffer.data(), n));
    }
    // The inner client closed (or the tunnel was aborted): so does the channel.
    co_await self->outer_->Close();
}

asio::awaitable<void> JumpTunnel::Close() {
    co_await outer_->Close();
    boost::system::error_code ec;
    pair_.close(ec);
}

void JumpTunnel::Abort() {
    outer_->Abort("closed by escd");
    boost::system::error_code ec;
    pair_.close(ec);
}

}  // namespace escd::orchestrator::csm::detail
