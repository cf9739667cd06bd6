#pragma once
/// @file
/// Sessions to network devices (IOS XR CLI) over SSH and telnet, directly or through an SSH jump
/// host: what the CSM job engine types commands through, as CSM did through condoor.
///
/// Everything runs on Asio and never blocks an Asio thread:
/// - SSH is libssh in non-blocking mode, driven by the readiness of its socket
///   (ssh_transport.hpp); telnet is an Asio socket with RFC 854 option negotiation
///   (telnet_transport.hpp); a jump host is an SSH `direct-tcpip` channel offered to the inner
///   client as a socketpair (jump_tunnel.hpp).
/// - Each session has one strand: its socket, its timers, its reader and every call run there.
///   A call made from another executor (the job's) runs on the session's strand and resumes the
///   caller on its own executor.
/// - The only blocking work is the transcript's file writes, on the pool the Transcript is given.
///
/// Usage (in a job's coroutine):
///   const auto plan = MakeConnectionPlan(host, jump_host);
///   Transcript log(blocking_pool, job_dir / "session.log");
///   auto session = co_await DeviceConnector(executor).Connect(plan, log);
///   const auto version = co_await session->Command("show version", 60s);
///   co_await session->Close();

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "common/error.hpp"
#include "model/csm/inventory.hpp"
#include "orchestrator/csm/device/transcript.hpp"

namespace escd::orchestrator::csm {

/// Why a conversation with a device failed (DeviceError::failure()).
enum class DeviceFailure {
    kUnreachable,   ///< no TCP connection, or the SSH or telnet handshake failed
    kLoginFailed,   ///< the credentials were refused (SSH authentication, `% Authentication
                    ///< failed`, the enable password)
    kTimeout,       ///< a deadline passed: a target's connect timeout, or a command's deadline
    kDisconnected,  ///< the connection ended: a reload, the device's idle timeout, a broken link
    kUnsupported,   ///< the plan asks what this client cannot do (a telnet jump host)
    kBusy,          ///< a call while another call of the same session runs
};
/// "unreachable", "login failed", "timeout", "disconnected", "unsupported", "busy".
std::string_view DeviceFailureName(DeviceFailure failure);

/// A device did not answer, refused the login, or dropped the session. Origin kRemote (another
/// server): kUnauthorized for kLoginFailed, kNotSupported for kUnsupported, kConflict for
/// kBusy, kUnavailable otherwise. Its message names the target (`ssh://cisco@10.0.0.1:22`).
class DeviceError : public Error {
  public:
    DeviceError(DeviceFailure failure, std::string message);
    DeviceFailure failure() const noexcept { return failure_; }

  private:
    DeviceFailure failure_;
};

/// One hop: a device's address, or a jump host's.
struct Endpoint {
    model::csm::ConnectionType type = model::csm::ConnectionType::kSsh;
    std::string host;  ///< an IP address or a name
    std::uint16_t port = 22;
    std::string username;
    std::string password;  ///< never logged (Transcript masks it)
};

/// `ssh://cisco@10.0.0.1:22`: how messages and the transcript name an endpoint (no password).
std::string Describe(const Endpoint& endpoint);

inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{60'000};

/// How to reach a device: its targets in order (an active and a standby address, a console
/// server's ports), each through the jump host when there is one.
struct ConnectionPlan {
    std::string device;  ///< the host's name, for messages
    std::optional<Endpoint> jump_host;
    std::vector<Endpoint> targets;
    std::string enable_password;  ///< "" when none; never logged
    /// Per target: the TCP connection, the handshakes, the login and the prompt together.
    std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
    /// The addresses escd itself may connect to (the jump host's, or the targets' without one:
    /// what is behind a jump host is the jump host's to reach); empty: any.
    CidrList allowed_addresses;
};

/// The plan of an inventory host (CSM's make_urls): each `ts_or_ip` × `port_number`, addresses
/// first, in the order given; a missing or empty port is the protocol's (22, 23). Throws
/// DeviceError(kUnsupported) for a port that is not a number in 1..65535 and for a host without
/// an address.
ConnectionPlan MakeConnectionPlan(
    const model::csm::Host& host,
    const std::optional<model::csm::JumpHost>& jump_host,
    std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout);

/// What Send() waited for.
struct ExpectResult {
    static constexpr int kPrompt = -1;
    int index = kPrompt;  ///< the pattern that matched, or kPrompt
    /// What the device printed after the line (its echo left out): up to the end of the match,
    /// or, for the prompt, the output before the prompt line.
    std::string text;
    /// What arrived since the previous call ended, before the line was sent or crossing it
    /// (ahead of its echo): an asynchronous message (`Install operation 3 finished
    /// successfully`), the rest of an answer whose call timed out. Never matched against the
    /// patterns.
    std::string earlier;
};

/// A logged-in CLI session: the prompt found, `terminal len 0` and its kin typed.
///
/// One call at a time (a second one fails with kBusy; Close() may come while a call waits, which
/// then fails with kDisconnected). The strings a call takes must live until it completes (the
/// caller awaits it at once). The Transcript given to Connect must outlive the session.
/// Destroying a session without Close() drops the connection at once (no logout); the io_context
/// must outlive the session.
class DeviceSession {
  public:
    ~DeviceSession();
    DeviceSession(const DeviceSession&) = delete;
    DeviceSession& operator=(const DeviceSession&) = delete;

    /// Types `command` and returns its output up to the next prompt, without the echo and the
    /// prompt. The next prompt is any prompt-shaped last line (cli_text.hpp), so `admin` and
    /// `exit` change planes: prompt() follows. What arrived between calls is left out (it is in
    /// the transcript). Throws DeviceError kTimeout when no prompt came within `deadline` (what
    /// came is kept for the next Send's `earlier`), kDisconnected when the connection ended
    /// first: at once, not at the deadline.
    asio::awaitable<std::string> Command(std::string_view command,
                                         std::chrono::milliseconds deadline);

    /// Types `line` and waits for the first of `patterns` (regular expressions, Perl syntax as
    /// Python's `re`: `.` stops at a newline, `^`/`$` anchor at the ends of what arrived; the
    /// earliest match wins, then the lowest index) or for the prompt, whichever comes first, in
    /// what arrives after the line. For questions: `continue? [yes/no]`, `Password:`. An empty
    /// `line` sends just the line end. Text after a match stays for the next call. Throws as
    /// Command does; Error(kBadRequest) for a pattern that is not a regular expression.
    asio::awaitable<ExpectResult> Send(std::string_view line,
                                       const std::vector<std::string>& patterns,
                                       std::chrono::milliseconds deadline);

    /// Ends the session: the SSH channel closed and the SSH disconnect sent, or the telnet
    /// connection shut down (the jump host's too); then the transcript flushed. Idempotent; no
    /// `exit` is typed (type it first if the device should log the logout).
    asio::awaitable<void> Close();

    /// The last prompt seen (`RP/0/RP0/CPU0:r1#`). Read between calls.
    std::string prompt() const;
    /// False once the connection ended (the device closed it, or Close()).
    bool connected() const noexcept;
    /// The target that logged in, as Describe() names it.
    const std::string& target() const noexcept;

    struct Core;  ///< session_core.hpp
    explicit DeviceSession(std::shared_ptr<Core> core);

  private:
    std::shared_ptr<Core> core_;
};

/// Logs in to a device by a ConnectionPlan.
class DeviceConnector {
  public:
    /// Sessions get strands of `executor` (escd's io_context).
    explicit DeviceConnector(asio::any_io_executor executor);

    /// Tries each target in order, each bounded by plan.connect_timeout, and returns the first
    /// that logs in: the TCP connection (through the jump host when there is one), SSH
    /// authentication (password, then keyboard-interactive) or the telnet `Username:` /
    /// `Password:` dialogue, the prompt, `enable` when the prompt ends in `>` and the plan has
    /// an enable password, then `terminal exec prompt no-timestamp`, `terminal len 0`,
    /// `terminal width 0` (an `% Invalid input` answer is ignored). The plan's passwords become
    /// secrets of `transcript`, which logs every attempt.
    ///
    /// Throws DeviceError naming every target tried and why it failed; its failure is the one
    /// every target failed with (kLoginFailed when each refused the login), otherwise the last
    /// target's.
    asio::awaitable<std::unique_ptr<DeviceSession>> Connect(const ConnectionPlan& plan,
                                                            Transcript& transcript);

  private:
    asio::any_io_executor executor_;
};

}  // namespace escd::orchestrator::csm
