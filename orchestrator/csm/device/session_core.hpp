#pragma once
/// @file
/// Internal: a DeviceSession's state and the one exchange everything is built of (type a line,
/// wait for a pattern or the prompt), shared by the session's calls and the connector's login.
///
/// A reader coroutine on the session's strand reads the transport all the time, not only during
/// a call: what arrives is logged at once, appended to `buffer`, and wakes a waiting call
/// (`wake`, a timer that the reader cancels: a condition variable for one waiter). So the end of
/// the connection is seen as it happens (a reload ends a waiting Command at once and turns
/// connected() false between calls), and a call's deadline is only a timer: no I/O is cancelled
/// to enforce it, and what arrives after a timeout is still read and kept.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/regex.hpp>

#include "orchestrator/csm/device/cli_text.hpp"
#include "orchestrator/csm/device/device_session.hpp"
#include "orchestrator/csm/device/jump_tunnel.hpp"
#include "orchestrator/csm/device/transport.hpp"

namespace escd::orchestrator::csm {

struct DeviceSession::Core {
    Core(const detail::Strand& s, Transcript& log, std::string name)
        : strand(s), transcript(log), target(std::move(name)), wake(s) {}

    /// Drops the connection at once (the jump host's too). On the strand.
    void Shutdown(std::string_view why);
    std::string Prompt() const;
    void SetPrompt(std::string text);

    detail::Strand strand;
    Transcript& transcript;
    const std::string target;  ///< Describe() of the endpoint
    // The tunnel before the transport: members are destroyed in reverse, the inner client first.
    std::shared_ptr<detail::JumpTunnel> tunnel;
    std::unique_ptr<detail::Transport> transport;

    cli::TerminalText terminal;
    std::string buffer;          ///< clean text received and not yet consumed by a call
    std::uint64_t arrivals = 0;  ///< chunks received so far
    bool ended = false;          ///< the transport's stream ended
    std::string why;             ///< why it ended
    bool closing = false;        ///< escd ends it (Close, Shutdown): not an event to report
    asio::steady_timer wake;     ///< a waiting call sleeps here; the reader cancels it
    bool busy = false;           ///< a public call runs
    std::atomic<bool> connected{false};

  private:
    mutable std::mutex prompt_mutex_;  // prompt() is read from the caller's thread
    std::string prompt_;
};

namespace detail {

/// Starts the reader (the transport is set). The session counts as connected from then on.
void StartReader(const std::shared_ptr<DeviceSession::Core>& core);

/// Patterns as Send() takes them. Throws Error(kBadRequest) for one that does not compile.
std::vector<boost::regex> CompilePatterns(const std::vector<std::string>& patterns);

/// One exchange: types `line` (when `send`) and waits until `until` for the earliest match of
/// `patterns` or for the prompt in what arrives after the line's echo (DeviceSession::Send);
/// without `send`, in what arrived since the last exchange too.
/// A prompt that is not the current one must stay the last line for kPromptSettle (output that
/// merely pauses on a prompt-shaped line goes on); with `settle_questions` so must a match that
/// ends the text (the login's questions: a device that reprints `Username:` for an Enter of
/// escd's prints it twice, and only the last one waits for an answer). Throws DeviceError
/// kTimeout or kDisconnected naming the target and `line`.
asio::awaitable<ExpectResult> Exchange(DeviceSession::Core& core,
                                       std::string_view line,
                                       bool send,
                                       const std::vector<boost::regex>& patterns,
                                       SteadyTime until,
                                       bool settle_questions = false);

inline constexpr auto kPromptSettle = std::chrono::milliseconds(250);

}  // namespace detail
}  // namespace escd::orchestrator::csm
