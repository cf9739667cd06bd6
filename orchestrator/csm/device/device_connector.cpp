// DeviceConnector: the connection plan of an inventory host, and logging in to the first target
// of a plan that answers (TCP or a jump host, SSH or telnet, the CLI login, the prompt, enable,
// the terminal settings).

#include <algorithm>
#include <charconv>

#include "orchestrator/csm/device/session_core.hpp"
#include "orchestrator/csm/device/ssh_transport.hpp"
#include "orchestrator/csm/device/telnet_transport.hpp"

namespace escd::orchestrator::csm {
namespace {

using detail::Exchange;
using detail::SteadyTime;
using std::chrono::steady_clock;
using CoreRef = std::shared_ptr<DeviceSession::Core>;

constexpr std::uint16_t kSshPort = 22;
constexpr std::uint16_t kTelnetPort = 23;
// A console server's line says nothing until it gets an Enter: one is sent after this silence.
// Long enough for a busy device's banner: an Enter that crosses it makes the device ask again.
constexpr auto kWakeUpAfter = std::chrono::seconds(5);
// A device that keeps asking for the user name (an Enter of escd's, a console line's noise)
// gets it this often before the login counts as refused.
constexpr int kUsernameAnswers = 3;

// The login dialogue of IOS, IOS XR and console servers, and its failures (condoor's
// patterns). A question counts only at the end of what arrived: the device waits for the answer.
enum LoginPattern { kLoginRefused, kUsernameAsked, kPasswordAsked, kPressReturn };
const std::vector<boost::regex>& LoginPatterns() {
    static const auto patterns = detail::CompilePatterns({
        R"((?i)(% ?authentication failed|% ?login invalid|% ?bad passwords?|)"
        R"(% ?access denied|login incorrect))",
        R"((?i)(user ?name|login)\s*:\s*$)",
        R"((?i)password\s*:\s*$)",
        R"((?i)press return to get started)",
    });
    return patterns;
}

// The commands condoor types after the login on IOS XR; other platforms answer `% Invalid
// input` to some, which is ignored (the output is not looked at).
constexpr std::string_view kTerminalSetup[] = {"terminal exec prompt no-timestamp",
                                               "terminal len 0", "terminal width 0"};

std::string TrimBlanks(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos) return "";
    const auto end = text.find_last_not_of(" \t");
    return std::string(text.substr(begin, end - begin + 1));
}

std::uint16_t ProtocolPort(model::csm::ConnectionType type) {
    return type == model::csm::ConnectionType::kSsh ? kSshPort : kTelnetPort;
}

std::uint16_t ParsePort(std::string_view text,
                        model::csm::ConnectionType type,
                        std::string_view of) {
    const auto trimmed = TrimBlanks(text);
    if (trimmed.empty()) return ProtocolPort(type);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
    if (ec != std::errc() || end != trimmed.data() + trimmed.size() || value == 0 ||
        value > 65535) {
        throw DeviceError(DeviceFailure::kUnsupported,
                          std::string(of) + ": '" + trimmed + "' is not a port number");
    }
    return static_cast<std::uint16_t>(value);
}

std::string LastLineOf(std::string_view text) {
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    return std::string(text.substr(cli::LastLineStart(text)));
}

// The CLI login: answers `Username:` and `Password:` when the device asks (telnet; a console
// server behind SSH), until the prompt. A question counts once it stayed the last thing the
// device printed for a moment (Exchange's settle_questions).
asio::awaitable<void> CliLogIn(DeviceSession::Core& core,
                               const Endpoint& target,
                               SteadyTime until) {
    const auto& patterns = LoginPatterns();
    const auto now = steady_clock::now();
    ExpectResult answer;
    bool silent = false;
    try {
        answer =
            co_await Exchange(core, "", false, patterns, std::min(until, now + kWakeUpAfter), true);
    } catch (const DeviceError& e) {
        if (e.failure() != DeviceFailure::kTimeout || steady_clock::now() >= until) throw;
        silent = true;
    }
    if (silent) answer = co_await Exchange(core, "", true, patterns, until, true);
    int usernames = 0, enters = 0;
    bool password_sent = false;
    for (;;) {
        std::string_view reply;
        switch (answer.index) {
            case ExpectResult::kPrompt:
                co_return;
            case kLoginRefused:
                throw DeviceError(DeviceFailure::kLoginFailed, core.target + ": login refused (\"" +
                                                                   LastLineOf(answer.text) + "\")");
            case kUsernameAsked:
                // Asked again before the password: an empty line reached the question (answer
                // again); after the password: the password was refused without a word.
                if (password_sent || ++usernames > kUsernameAnswers) {
                    throw DeviceError(
                        DeviceFailure::kLoginFailed,
                        core.target + ": login refused (asked for the username again)");
                }
                reply = target.username;
                break;
            case kPasswordAsked:
                if (password_sent) {
                    throw DeviceError(
                        DeviceFailure::kLoginFailed,
                        core.target + ": login refused (asked for the password again)");
                }
                password_sent = true;
                reply = target.password;
                break;
            default:  // kPressReturn
                if (++enters > 2) {
                    throw DeviceError(DeviceFailure::kUnreachable,
                                      core.target + ": the line keeps asking for RETURN");
                }
                break;
        }
        answer = co_await Exchange(core, reply, true, patterns, until, true);
    }
}

// `enable` when the prompt is a user-mode one and the plan has the password.
asio::awaitable<void> EnterEnableMode(DeviceSession::Core& core,
                                      const std::string& password,
                                      SteadyTime until) {
    const auto prompt = core.Prompt();
    if (prompt.empty() || prompt.back() != '>' || password.empty()) co_return;
    const auto& patterns = LoginPatterns();
    auto answer = co_await Exchange(core, "enable", true, patterns, until);
    if (answer.index == kPasswordAsked) {
        answer = co_await Exchange(core, password, true, patterns, until);
    }
    const auto now = core.Prompt();
    if (answer.index != ExpectResult::kPrompt || now.empty() || now.back() != '#') {
        throw DeviceError(DeviceFailure::kLoginFailed,
                          core.target + ": enable refused (\"" + LastLineOf(answer.text) + "\")");
    }
}

asio::awaitable<void> SetUpTerminal(DeviceSession::Core& core, SteadyTime until) {
    const std::vector<boost::regex> none;
    for (const auto command : kTerminalSetup) {
        co_await Exchange(core, command, true, none, until);
    }
}

// The transport to `target`: TCP or a jump host's channel, then SSH up to the shell, or telnet.
asio::awaitable<void> ReachTarget(DeviceSession::Core& core,
                                  const ConnectionPlan& plan,
                                  const Endpoint& target,
                                  detail::AttemptClock& clock) {
    int fd = -1;
    if (plan.jump_host) {
        core.tunnel = co_await detail::JumpTunnel::Open(core.strand, *plan.jump_host, target.host,
                                                        target.port, plan.allowed_addresses,
                                                        core.transcript, clock);
        fd = core.tunnel->TakeInnerEnd();
    } else {
        fd = co_await detail::ConnectTcp(core.strand, target.host, target.port,
                                         plan.allowed_addresses, clock);
    }
    if (target.type == model::csm::ConnectionType::kTelnet) {
        core.transport = std::make_unique<detail::TelnetTransport>(
            core.strand, fd, detail::HostPort(target.host, target.port));
        core.transcript.Note("telnet connection open");
        co_return;
    }
    auto ssh = std::make_unique<detail::SshTransport>(core.strand, fd, target.host, target.port,
                                                      target.username);
    const auto key = co_await ssh->Handshake(clock);
    core.transcript.Note(key);
    const auto method = co_await ssh->Authenticate(target.password, clock);
    core.transcript.Note("SSH login as " + target.username + " (" + method + ")");
    co_await ssh->OpenShell(clock);
    core.transport = std::move(ssh);
}

// One target, within the plan's connect timeout.
asio::awaitable<CoreRef> TryTarget(const ConnectionPlan& plan,
                                   const Endpoint& target,
                                   Transcript& transcript,
                                   const detail::Strand& strand) {
    const auto deadline = steady_clock::now() + plan.connect_timeout;
    detail::AttemptClock clock(strand, deadline);
    auto core = std::make_shared<DeviceSession::Core>(strand, transcript, Describe(target));
    transcript.Note("connecting to " + core->target +
                    (plan.jump_host ? " through jump host " + Describe(*plan.jump_host) : ""));
    std::exception_ptr failure;
    try {
        co_await ReachTarget(*core, plan, target, clock);
        detail::StartReader(core);
        co_await CliLogIn(*core, target, deadline);
        co_await EnterEnableMode(*core, plan.enable_password, deadline);
        co_await SetUpTerminal(*core, deadline);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        core->Shutdown("login abandoned");
        std::rethrow_exception(failure);
    }
    transcript.Note("logged in to " + core->target + ", prompt " + core->Prompt());
    co_return core;
}

asio::awaitable<CoreRef> ConnectOnSessionStrand(const ConnectionPlan& plan,
                                                Transcript& transcript,
                                                const detail::Strand& strand) {
    std::string failures;
    std::vector<DeviceFailure> kinds;
    for (const auto& target : plan.targets) {
        try {
            co_return co_await TryTarget(plan, target, transcript, strand);
        } catch (const DeviceError& e) {
            transcript.Note(std::string("failed: ") + e.what());
            failures += (failures.empty() ? "" : "; ") + Describe(target) + " (" + e.what() + ")";
            kinds.push_back(e.failure());
        }
    }
    // One kind for all (every target refused the password): that kind; otherwise the last.
    const bool same = std::all_of(kinds.begin(), kinds.end(),
                                  [&kinds](DeviceFailure kind) { return kind == kinds.front(); });
    const auto failure = same ? kinds.front() : kinds.back();
    throw DeviceError(failure, (plan.device.empty() ? std::string("device") : plan.device) +
                                   ": no login on any of " + std::to_string(kinds.size()) +
                                   " target(s): " + failures);
}

}  // namespace

ConnectionPlan MakeConnectionPlan(const model::csm::Host& host,
                                  const std::optional<model::csm::JumpHost>& jump_host,
                                  std::chrono::milliseconds connect_timeout) {
    ConnectionPlan plan;
    plan.device = host.hostname;
    plan.enable_password = host.enable_password;
    plan.connect_timeout = connect_timeout;
    if (jump_host) {
        const auto& jump = *jump_host;
        plan.jump_host = Endpoint{
            jump.connection_type, TrimBlanks(jump.host_or_ip),
            ParsePort(jump.port_number, jump.connection_type, "jump host " + jump.hostname),
            jump.username, jump.password};
    }
    for (const auto& address : host.ts_or_ip) {
        const auto where = TrimBlanks(address);
        if (where.empty()) continue;
        auto add = [&](std::string_view port) {
            plan.targets.push_back(Endpoint{host.connection_type, where,
                                            ParsePort(port, host.connection_type, host.hostname),
                                            host.username, host.password});
        };
        if (host.port_number.empty()) add("");
        for (const auto& port : host.port_number) add(port);
    }
    if (plan.targets.empty()) {
        throw DeviceError(DeviceFailure::kUnsupported,
                          host.hostname + ": no address to connect to (ts_or_ip is empty)");
    }
    return plan;
}

DeviceConnector::DeviceConnector(asio::any_io_executor executor) : executor_(std::move(executor)) {}

asio::awaitable<std::unique_ptr<DeviceSession>> DeviceConnector::Connect(const ConnectionPlan& plan,
                                                                         Transcript& transcript) {
    if (plan.targets.empty()) {
        throw DeviceError(DeviceFailure::kUnsupported,
                          plan.device + ": the connection plan has no target");
    }
    if (plan.jump_host) transcript.AddSecret(plan.jump_host->password);
    for (const auto& target : plan.targets) transcript.AddSecret(target.password);
    transcript.AddSecret(plan.enable_password);
    // The session's strand: the attempts, then the session, run there.
    const detail::Strand strand = asio::make_strand(executor_);
    const auto* planned = &plan;
    auto* log = &transcript;
    const auto* on = &strand;
    auto core = co_await asio::co_spawn(
        strand,
        [planned, log, on]() -> asio::awaitable<CoreRef> {
            co_return co_await ConnectOnSessionStrand(*planned, *log, *on);
        },
        asio::use_awaitable);
    co_return std::make_unique<DeviceSession>(std::move(core));
}

}  // namespace escd::orchestrator::csm
