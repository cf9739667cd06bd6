#pragma once
/// @file
/// Internal: a connection to a target made through an SSH jump host, as `ssh -J` makes it: escd
/// logs in to the jump host and opens a `direct-tcpip` channel to the target's host:port (the
/// jump host connects there, so the target is seen from the jump host's network), then runs the
/// inner session (SSH or telnet, unchanged) over that channel.
///
/// The inner client needs a descriptor (libssh takes its transport as a socket), so the channel
/// is offered as one end of a socketpair: two pump coroutines on the session's strand copy bytes
/// between the other end and the channel (in: the channel's data to the pair; out: the pair's
/// data into the channel). Each side's end is passed on: the channel's end closes the pair's
/// write side (the inner client sees its peer close), the inner client's close closes the
/// channel and disconnects from the jump host. Flow control: a pump waits while the other side
/// is full, and the SSH channel's window holds the jump host back.
///
/// Only SSH jump hosts: a telnet jump host would mean typing `telnet`/`ssh` at a shell prompt
/// of the jump host, a dialogue that differs by operating system (condoor had drivers for it).
/// Such a plan fails with DeviceError(kUnsupported).

#include <memory>
#include <string>

#include "orchestrator/csm/device/ssh_transport.hpp"

namespace escd::orchestrator::csm::detail {

class JumpTunnel : public std::enable_shared_from_this<JumpTunnel> {
  public:
    /// Connects and logs in to `jump`, asks it to connect to host:port, starts the pumps.
    /// Throws DeviceError (naming the jump host) as the SSH steps do.
    static asio::awaitable<std::shared_ptr<JumpTunnel>> Open(const Strand& strand,
                                                             const Endpoint& jump,
                                                             const std::string& host,
                                                             std::uint16_t port,
                                                             const CidrList& allowed,
                                                             Transcript& transcript,
                                                             AttemptClock& clock);

    JumpTunnel(const Strand& strand, std::unique_ptr<SshTransport> outer, int ours, int inner);
    ~JumpTunnel();
    JumpTunnel(const JumpTunnel&) = delete;
    JumpTunnel& operator=(const JumpTunnel&) = delete;

    /// The inner client's end of the socketpair; the caller owns it. Once.
    int TakeInnerEnd();
    /// Closes the channel and disconnects from the jump host (what is queued leaves first).
    asio::awaitable<void> Close();
    /// Drops both at once. On the strand.
    void Abort();

  private:
    static asio::awaitable<void> PumpIn(std::shared_ptr<JumpTunnel> self);
    static asio::awaitable<void> PumpOut(std::shared_ptr<JumpTunnel> self);

    std::unique_ptr<SshTransport> outer_;
    StreamSocket pair_;  // escd's end of the socketpair
    int inner_ = -1;
};

}  // namespace escd::orchestrator::csm::detail
