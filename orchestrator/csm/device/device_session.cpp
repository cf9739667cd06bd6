#include <array>
#include <chrono>

#include "common/log.hpp"
#include "orchestrator/csm/device/session_core.hpp"

namespace escd::orchestrator::csm {
namespace {

using detail::SteadyTime;
using std::chrono::steady_clock;

constexpr std::size_t kSessionReadChunk = 16 * 1024;
// Text that arrives between calls (a `terminal monitor` session's logs) is kept up to this much,
// the newest: it is only the `earlier` of the next Send, and it is in the transcript anyway.
constexpr std::size_t kIdleBufferLimit = 1 << 20;
// A pattern search starts this far before where the previous one ended: a match may straddle
// two chunks.
constexpr std::size_t kSearchOverlap = 4096;

ErrorCode ErrorCodeOf(DeviceFailure failure) {
    switch (failure) {
        case DeviceFailure::kLoginFailed:
            return ErrorCode::kUnauthorized;
        case DeviceFailure::kUnsupported:
            return ErrorCode::kNotSupported;
        case DeviceFailure::kBusy:
            return ErrorCode::kConflict;
        default:
            return ErrorCode::kUnavailable;
    }
}

// `text` shortened to its last characters, for an error message.
std::string TailForMessage(std::string_view text) {
    constexpr std::size_t kShown = 120;
    std::string tail(text.size() > kShown ? text.substr(text.size() - kShown) : text);
    for (auto& c : tail) {
        if (c == '\n') c = '|';
    }
    return tail;
}

std::string QuotedLine(std::string_view line) {
    return "'" + std::string(line) + "'";
}

std::string ElapsedText(steady_clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

// Marks the session busy for one public call.
class SessionCallGuard {
  public:
    explicit SessionCallGuard(DeviceSession::Core& core) : core_(core) {
        if (core_.busy) {
            throw DeviceError(DeviceFailure::kBusy,
                              core_.target + ": another call of this session is running");
        }
        core_.busy = true;
    }
    ~SessionCallGuard() { core_.busy = false; }
    SessionCallGuard(const SessionCallGuard&) = delete;
    SessionCallGuard& operator=(const SessionCallGuard&) = delete;

  private:
    DeviceSession::Core& core_;
};

asio::awaitable<void> SessionReadLoop(std::shared_ptr<DeviceSession::Core> core) {
    auto& c = *core;
    std::array<char, kSessionReadChunk> chunk;
    for (;;) {
        const auto n = co_await c.transport->ReadSome(chunk);
        if (n == 0) break;
        const std::string_view bytes(chunk.data(), n);
        c.transcript.Received(bytes);
        c.buffer += c.terminal.Clean(bytes);
        if (!c.busy && c.buffer.size() > kIdleBufferLimit) {
            c.buffer.erase(0, c.buffer.size() - kIdleBufferLimit);
        }
        ++c.arrivals;
        c.wake.cancel();
    }
    c.ended = true;
    c.why = c.transport->ended_because();
    c.connected = false;
    if (!c.closing) c.transcript.Note("connection ended: " + c.why);
    c.wake.cancel();
}

// Sleeps until input arrives, the stream ends, or `until`.
asio::awaitable<void> WaitForDeviceInput(DeviceSession::Core& core, SteadyTime until) {
    if (core.ended) co_return;
    core.wake.expires_at(until);
    co_await core.wake.async_wait(kNoThrow);
}

// The earliest match of any pattern in `answer` from `from` on; the lowest index on a tie.
std::optional<std::pair<int, std::size_t>> EarliestPatternMatch(
    const std::vector<boost::regex>& patterns, std::string_view answer, std::size_t from) {
    std::optional<std::pair<int, std::size_t>> best;  // index, end of the match
    std::size_t best_start = 0;
    auto flags = boost::match_default | boost::match_not_dot_newline;
    if (from > 0) flags |= boost::match_prev_avail;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        boost::match_results<std::string_view::const_iterator> match;
        if (!boost::regex_search(answer.begin() + static_cast<std::ptrdiff_t>(from), answer.end(),
                                 match, patterns[i], flags)) {
            continue;
        }
        const auto start = from + static_cast<std::size_t>(match.position(std::size_t{0}));
        if (!best || start < best_start) {
            best = std::make_pair(static_cast<int>(i),
                                  start + static_cast<std::size_t>(match.length(0)));
            best_start = start;
        }
    }
    return best;
}

}  // namespace

std::string_view DeviceFailureName(DeviceFailure failure) {
    switch (failure) {
        case DeviceFailure::kUnreachable:
            return "unreachable";
        case DeviceFailure::kLoginFailed:
            return "login failed";
        case DeviceFailure::kTimeout:
            return "timeout";
        case DeviceFailure::kDisconnected:
            return "disconnected";
        case DeviceFailure::kUnsupported:
            return "unsupported";
        case DeviceFailure::kBusy:
            return "busy";
    }
    return "unknown";
}

DeviceError::DeviceError(DeviceFailure failure, std::string message)
    : Error(ErrorOrigin::kRemote, ErrorCodeOf(failure), std::move(message)), failure_(failure) {}

std::string Describe(const Endpoint& endpoint) {
    const auto scheme = endpoint.type == model::csm::ConnectionType::kSsh ? "ssh://" : "telnet://";
    return scheme + (endpoint.username.empty() ? "" : endpoint.username + "@") +
           detail::HostPort(endpoint.host, endpoint.port);
}

void DeviceSession::Core::Shutdown(std::string_view why) {
    closing = true;
    if (transport) transport->Abort(why);
    if (tunnel) tunnel->Abort();
    connected = false;
}

std::string DeviceSession::Core::Prompt() const {
    std::lock_guard lock(prompt_mutex_);
    return prompt_;
}

void DeviceSession::Core::SetPrompt(std::string text) {
    std::lock_guard lock(prompt_mutex_);
    prompt_ = std::move(text);
}

namespace detail {

void StartReader(const std::shared_ptr<DeviceSession::Core>& core) {
    core->connected = true;
    asio::co_spawn(core->strand, SessionReadLoop(core),
                   log::LogFailure(log::Level::kError, "csm", "reader of " + core->target));
}

std::vector<boost::regex> CompilePatterns(const std::vector<std::string>& patterns) {
    std::vector<boost::regex> compiled;
    compiled.reserve(patterns.size());
    for (const auto& pattern : patterns) {
        try {
            // Python's `re` defaults, as condoor's patterns were written for: `^` and `$` at the
            // ends of the text (no_mod_m); `.` not across lines (match_not_dot_newline, at the
            // search).
            compiled.emplace_back(pattern, boost::regex::perl | boost::regex::no_mod_m);
        } catch (const boost::regex_error& e) {
            throw Error(ErrorCode::kBadRequest,
                        "not a regular expression: " + pattern + " (" + e.what() + ")");
        }
    }
    return compiled;
}

asio::awaitable<ExpectResult> Exchange(DeviceSession::Core& core,
                                       std::string_view line,
                                       bool send,
                                       const std::vector<boost::regex>& patterns,
                                       SteadyTime until,
                                       bool settle_questions) {
    const auto what = send ? "the answer to " + QuotedLine(line) : std::string("the device");
    if (core.ended) {
        throw DeviceError(DeviceFailure::kDisconnected,
                          core.target + ": " + core.why + " (before " + QuotedLine(line) + ")");
    }
    ExpectResult result;
    if (send) {
        // The answer is what comes after the line; what came before it is `earlier`. Without
        // a line (the login's first look) what already arrived is the answer.
        result.earlier = std::move(core.buffer);
        core.buffer.clear();
        core.transcript.Sent(line);
        const auto bytes = std::string(line) + std::string(core.transport->line_end());
        co_await core.transport->Write(bytes);
    }
    const auto started = steady_clock::now();
    // An answer that counts only once it stayed the last thing received for kPromptSettle: a
    // new prompt, or a question at the very end when `settle_questions`.
    struct Settling {
        std::string key;
        SteadyTime since;
        std::uint64_t arrivals = 0;
    };
    std::optional<Settling> settling;
    const auto settled = [&settling, &core](std::string key, SteadyTime now) {
        if (settling && settling->key == key && settling->arrivals == core.arrivals) {
            return now >= settling->since + kPromptSettle;
        }
        settling = Settling{std::move(key), now, core.arrivals};
        return false;
    };
    std::size_t searched = 0;  // how much of the answer earlier searches covered
    for (;;) {
        const std::string_view text = core.buffer;
        const auto echo = send ? cli::FindEcho(text, line) : std::optional<cli::Echo>(cli::Echo{});
        const auto now = steady_clock::now();
        bool unsettled = false;
        if (echo) {
            const auto answer = text.substr(echo->end);
            // What crossed the typed line belongs to what came before it.
            const auto crossed = text.substr(0, echo->begin);
            const auto from = searched > kSearchOverlap ? searched - kSearchOverlap : 0;
            const auto match = EarliestPatternMatch(patterns, answer, from);
            searched = answer.size();
            if (match) {
                const bool at_end = match->second == answer.size();
                if (!settle_questions || !at_end ||
                    settled("pattern " + std::to_string(match->first), now)) {
                    result.index = match->first;
                    result.text = std::string(answer.substr(0, match->second));
                    result.earlier += crossed;
                    core.buffer.erase(0, echo->end + match->second);
                    co_return result;
                }
                unsettled = true;
            } else if (auto prompt = cli::TrailingPrompt(answer)) {
                if (*prompt == core.Prompt() || settled("prompt " + *prompt, now)) {
                    result.text = cli::OutputBefore(answer, cli::LastLineStart(answer));
                    result.earlier += crossed;
                    core.SetPrompt(std::move(*prompt));
                    core.buffer.clear();
                    co_return result;
                }
                unsettled = true;
            }
        }
        if (!unsettled) settling.reset();
        if (core.ended) {
            throw DeviceError(DeviceFailure::kDisconnected,
                              core.target + ": " + core.why + " while waiting for " + what);
        }
        if (now >= until) {
            core.transcript.Note("no answer in time: " + what);
            throw DeviceError(DeviceFailure::kTimeout, core.target + ": no prompt within " +
                                                           ElapsedText(now - started) + " for " +
                                                           what + " (last output: \"" +
                                                           TailForMessage(core.buffer) + "\")");
        }
        co_await WaitForDeviceInput(
            core, settling ? std::min(until, settling->since + kPromptSettle) : until);
    }
}

}  // namespace detail

DeviceSession::DeviceSession(std::shared_ptr<Core> core) : core_(std::move(core)) {}

DeviceSession::~DeviceSession() {
    if (!core_) return;
    // The reader and the transport's work run on the strand: they are stopped there. (The
    // strand is named first: the lambda's capture may be initialised before post's arguments.)
    const auto strand = core_->strand;
    asio::post(strand, [core = std::move(core_)] { core->Shutdown("closed by escd"); });
}

asio::awaitable<std::string> DeviceSession::Command(std::string_view command,
                                                    std::chrono::milliseconds deadline) {
    Core* core = core_.get();
    // Captures are a pointer and trivially destructible values (common/offload.hpp on g++ 12).
    co_return co_await asio::co_spawn(
        core->strand,
        [core, command, deadline]() -> asio::awaitable<std::string> {
            SessionCallGuard guard(*core);
            const std::vector<boost::regex> none;
            auto result = co_await detail::Exchange(*core, command, true, none,
                                                    steady_clock::now() + deadline);
            co_return std::move(result.text);
        },
        asio::use_awaitable);
}

asio::awaitable<ExpectResult> DeviceSession::Send(std::string_view line,
                                                  const std::vector<std::string>& patterns,
                                                  std::chrono::milliseconds deadline) {
    Core* core = core_.get();
    const auto compiled = detail::CompilePatterns(patterns);
    const auto* expected = &compiled;
    co_return co_await asio::co_spawn(
        core->strand,
        [core, line, expected, deadline]() -> asio::awaitable<ExpectResult> {
            SessionCallGuard guard(*core);
            co_return co_await detail::Exchange(*core, line, true, *expected,
                                                steady_clock::now() + deadline);
        },
        asio::use_awaitable);
}

asio::awaitable<void> DeviceSession::Close() {
    Core* core = core_.get();
    co_await asio::co_spawn(
        core->strand,
        [core]() -> asio::awaitable<void> {
            if (!core->closing) {
                core->closing = true;
                core->connected = false;
                core->transcript.Note("closing the session to " + core->target);
                if (core->transport) co_await core->transport->Close();
                if (core->tunnel) co_await core->tunnel->Close();
            }
            co_await core->transcript.Flush();
        },
        asio::use_awaitable);
}

std::string DeviceSession::prompt() const {
    return core_->Prompt();
}

bool DeviceSession::connected() const noexcept {
    return core_->connected;
}

const std::string& DeviceSession::target() const noexcept {
    return core_->target;
}

}  // namespace escd::orchestrator::csm
