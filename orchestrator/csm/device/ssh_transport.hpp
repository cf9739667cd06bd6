#pragma once
/// @file
/// Internal: an SSH client connection with one channel (a shell with a pty, or a `direct-tcpip`
/// forward for a jump host), on libssh in non-blocking mode.
///
/// How libssh meets Asio. The session is non-blocking (ssh_set_blocking(0)): every libssh call
/// returns at once, SSH_AGAIN (or 0 bytes) when it needs the socket. The socket's descriptor is
/// watched with a posix::stream_descriptor: after SSH_AGAIN the coroutine awaits
/// async_wait(wait_write) when libssh has output pending (ssh_get_poll_flags) and
/// async_wait(wait_read) otherwise, then calls again. Asio's async_wait re-arms the descriptor
/// (EPOLL_CTL_MOD), so it also completes for data that arrived before the wait: nothing is
/// missed. libssh's own poll() inside a call has a zero timeout in non-blocking mode. No
/// blocking libssh call is made anywhere: connect (over a socket escd connected), key exchange,
/// authentication, channel open, pty and shell requests, reads, writes, close and disconnect all
/// have non-blocking forms. Host names are resolved by Asio (transport.cpp), and libssh reads no
/// configuration or known_hosts file (SSH_OPTIONS_PROCESS_CONFIG off, known_hosts /dev/null).
///
/// Before the channel is open, the steps run one after another in the connecting coroutine
/// (their waits bound to the attempt's deadline). Then a driver coroutine owns libssh: it moves
/// queued output into the channel and channel data into an input buffer, and waits on the
/// socket when neither moves. Only the driver calls libssh from then on, so a read can never
/// swallow the data another waiter waits for; ReadSome and Write only touch the buffers (a
/// Write, or a ReadSome that frees room, wakes the driver by cancelling its wait).
///
/// Host keys are not checked: devices are re-imaged and get new keys, and CSM accepted any
/// (condoor did). The key's type and SHA256 fingerprint go to the transcript, so a changed key
/// is visible afterwards.
///
/// The descriptor: libssh gets a dup() of escd's socket (SSH_OPTIONS_FD) because it closes its
/// descriptor itself on some errors; escd's own copy stays valid for the watch until the end, so
/// no descriptor number is ever closed twice. escd's copy is only waited on (a stream_descriptor
/// writing would risk SIGPIPE); libssh sends with MSG_NOSIGNAL.

#include <memory>
#include <string>

#include "orchestrator/csm/device/transport.hpp"

namespace escd::orchestrator::csm::detail {

class SshTransport final : public Transport {
  public:
    /// Over `fd`, a connected stream socket (owned from now on), to `username` at host:port
    /// (which name the peer in messages; the connection itself is `fd`'s).
    SshTransport(const Strand& strand,
                 int fd,
                 const std::string& host,
                 std::uint16_t port,
                 const std::string& username);
    ~SshTransport() override;

    /// Protocol version exchange and key exchange. Returns the host key for the transcript
    /// ("host key ssh-ed25519 SHA256:..."). Throws DeviceError kUnreachable or kTimeout.
    asio::awaitable<std::string> Handshake(AttemptClock& clock);
    /// Password authentication, then keyboard-interactive answering the password (IOS XR
    /// offers either). Returns the method that worked. Throws DeviceError(kLoginFailed).
    asio::awaitable<std::string> Authenticate(const std::string& password, AttemptClock& clock);
    /// A session channel with a pty (vt100, 511 columns) and a shell; starts the driver.
    asio::awaitable<void> OpenShell(AttemptClock& clock);
    /// A `direct-tcpip` channel to host:port (the peer connects there); starts the driver.
    asio::awaitable<void> OpenForward(const std::string& host,
                                      std::uint16_t port,
                                      AttemptClock& clock);

    asio::awaitable<std::size_t> ReadSome(std::span<char> buffer) override;
    asio::awaitable<void> Write(std::string_view bytes) override;
    asio::awaitable<void> Close() override;
    void Abort(std::string_view why) override;
    std::string ended_because() const override;
    std::string_view line_end() const override { return "\r"; }

    struct Core;  ///< libssh's session and channel, the buffers; shared with the driver

  private:
    asio::awaitable<void> Retry(AttemptClock& clock, std::string_view what);
    void StartDriver();

    std::shared_ptr<Core> core_;
};

}  // namespace escd::orchestrator::csm::detail
