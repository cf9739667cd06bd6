#include "orchestrator/csm/device/ssh_transport.hpp"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "common/log.hpp"
#include "common/text.hpp"

namespace escd::orchestrator::csm::detail {
namespace {

using std::chrono::steady_clock;

// libssh's defaults plus what older IOS XR and IOS images still need (SHA-1 key exchange, RSA
// with SHA-1 host keys, CBC ciphers, HMAC-SHA1): a device that cannot be upgraded because its
// SSH is old is exactly what CSM exists for. libssh drops names it does not implement.
constexpr const char* kSshKeyExchange =
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,"
    "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1";
constexpr const char* kSshHostKeys =
    "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,ecdsa-sha2-nistp256,rsa-sha2-512,"
    "rsa-sha2-256,ssh-rsa";
constexpr const char* kSshCiphers =
    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,"
    "aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc";
constexpr const char* kSshMacs =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,"
    "hmac-sha1";
// A wide terminal: IOS XR pads and wraps output to the terminal's width until `terminal width
// 0`, and a wrapped echo would not be recognised.
constexpr int kPtyColumns = 511;
constexpr int kPtyRows = 100;
constexpr std::size_t kSshChunk = 32 * 1024;
// How long Close() lets queued output leave before it closes the channel.
constexpr auto kSshCloseGrace = std::chrono::seconds(2);
// Rounds of keyboard-interactive questions answered before the login counts as refused (a
// server that asks again after the password was given did not take it).
constexpr int kKbdintRounds = 3;

}  // namespace

struct SshTransport::Core {
    Core(const Strand& s, int fd, std::string peer, std::string username)
        : strand(s),
          socket(s, fd),
          label(std::move(peer)),
          user(std::move(username)),
          readable(s),
          room(s) {}
    ~Core() { Release(); }

    // Frees libssh's objects (a channel still open gets its close, the session its disconnect,
    // both sent without waiting). escd's descriptor closes with `socket`, after this.
    void Release() {
        if (channel) {
            ssh_channel_free(channel);
            channel = nullptr;
        }
        if (!session) return;
        // libssh closes its descriptor itself after some errors (then ssh_get_fd is invalid);
        // with a descriptor given as an option, ssh_disconnect leaves it open for its owner.
        const socket_t open_copy = connect_called ? ssh_get_fd(session) : libssh_fd;
        ssh_disconnect(session);
        ssh_free(session);
        session = nullptr;
        if (open_copy != SSH_INVALID_SOCKET) ::close(open_copy);
    }

    // Ends the stream: the reader gets 0, a waiting writer returns, the driver stops.
    void End(std::string reason) {
        if (ended) return;
        ended = true;
        why = std::move(reason);
        readable.cancel();
        room.cancel();
        Kick();
    }

    // Wakes the driver when it waits on the socket: there is output, or room for input.
    void Kick() {
        if (!waiting) return;
        boost::system::error_code ec;
        socket.cancel(ec);
    }

    std::string Error() const { return session ? ssh_get_error(session) : "no session"; }

    Strand strand;
    asio::posix::stream_descriptor socket;  // escd's copy: the waits
    std::string label;
    std::string user;
    ssh_session session = nullptr;
    ssh_channel channel = nullptr;
    int libssh_fd = -1;  // libssh's copy
    bool connect_called = false;

    std::string in;   // from the channel, for ReadSome
    std::string out;  // for the channel, from Write
    bool ended = false;
    std::string why;
    bool waiting = false;         // the driver waits on the socket
    asio::steady_timer readable;  // ReadSome waits here; cancelled when `in` grows or at the end
    asio::steady_timer room;      // Write and Close wait here; cancelled when `out` shrinks
};

namespace {

// The driver: the only user of libssh once the channel is open (see the header).
asio::awaitable<void> DriveSshLoop(SshTransport::Core& c) {
    std::array<char, 16 * 1024> buffer;
    while (!c.ended) {
        bool moved = false;
        // Output first: what was typed leaves before more of the answer is read.
        while (!c.out.empty()) {
            const auto chunk = std::min(c.out.size(), kSshChunk);
            const int n = ssh_channel_write(c.channel, c.out.data(), static_cast<uint32_t>(chunk));
            if (n < 0) {
                c.End("connection to " + c.label + " lost: " + c.Error());
                break;
            }
            if (n == 0) break;  // the peer's window is closed: its adjustment comes as input
            c.out.erase(0, static_cast<std::size_t>(n));
            moved = true;
            c.room.cancel();
        }
        // Input while there is room, stderr and stdout alike (a pty merges them anyway), until a
        // whole pass reads nothing: a read of one stream may have received the other's data.
        for (bool more = true; more && !c.ended && c.in.size() < kTransportBufferLimit;) {
            more = false;
            for (const int stderr_stream : {1, 0}) {
                const int n = ssh_channel_read_nonblocking(
                    c.channel, buffer.data(), static_cast<uint32_t>(buffer.size()), stderr_stream);
                if (n > 0) {
                    c.in.append(buffer.data(), static_cast<std::size_t>(n));
                    moved = more = true;
                } else if (n == SSH_EOF && stderr_stream == 0) {
                    c.End("the device closed the session (" + c.label + ")");
                    break;
                } else if (n == SSH_ERROR) {
                    c.End("connection to " + c.label + " lost: " + c.Error());
                    break;
                }
            }
        }
        if (moved) c.readable.cancel();
        if (c.ended) break;
        if (moved) {
            // Let the strand's other work run, then look again without waiting: libssh may hold
            // data it already read from the socket.
            co_await asio::post(c.strand, asio::use_awaitable);
            continue;
        }
        const bool write_pending = (ssh_get_poll_flags(c.session) & SSH_WRITE_PENDING) != 0;
        c.waiting = true;
        auto [ec] =
            co_await c.socket.async_wait(write_pending ? asio::posix::stream_descriptor::wait_write
                                                       : asio::posix::stream_descriptor::wait_read,
                                         kNoThrow);
        c.waiting = false;
        if (ec && ec != asio::error::operation_aborted) {
            c.End("connection to " + c.label + " lost: " + ec.message());
        }
    }
}

// Holds the state while it drives; whatever escapes (bad_alloc) still ends the stream, so that
// no reader waits forever.
asio::awaitable<void> DriveSsh(std::shared_ptr<SshTransport::Core> core) {
    std::exception_ptr failure;
    try {
        co_await DriveSshLoop(*core);
    } catch (const std::exception& e) {
        core->End(std::string("SSH driver failed: ") + e.what());
        failure = std::current_exception();
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

SshTransport::SshTransport(const Strand& strand,
                           int fd,
                           const std::string& host,
                           std::uint16_t port,
                           const std::string& username)
    : core_(std::make_shared<Core>(strand, fd, HostPort(host, port), username)) {
    auto& c = *core_;
    c.session = ssh_new();
    c.libssh_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (!c.session || c.libssh_fd < 0) {
        throw Error(ErrorCode::kInternal, "cannot create an SSH session for " + c.label);
    }
    ssh_set_blocking(c.session, 0);
    const bool no = false;
    const int yes = 1;
    const unsigned int port_number = port;
    ssh_options_set(c.session, SSH_OPTIONS_FD, &c.libssh_fd);
    ssh_options_set(c.session, SSH_OPTIONS_HOST, host.c_str());
    ssh_options_set(c.session, SSH_OPTIONS_PORT, &port_number);
    ssh_options_set(c.session, SSH_OPTIONS_USER, username.c_str());
    // No user configuration, no files read on an Asio thread (and no home directory looked up:
    // NSS may be a network service).
    ssh_options_set(c.session, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(c.session, SSH_OPTIONS_SSH_DIR, "/nonexistent/.ssh");
    ssh_options_set(c.session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(c.session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    ssh_options_set(c.session, SSH_OPTIONS_NODELAY, &yes);
    ssh_options_set(c.session, SSH_OPTIONS_KEY_EXCHANGE, kSshKeyExchange);
    ssh_options_set(c.session, SSH_OPTIONS_HOSTKEYS, kSshHostKeys);
    ssh_options_set(c.session, SSH_OPTIONS_CIPHERS_C_S, kSshCiphers);
    ssh_options_set(c.session, SSH_OPTIONS_CIPHERS_S_C, kSshCiphers);
    ssh_options_set(c.session, SSH_OPTIONS_HMAC_C_S, kSshMacs);
    ssh_options_set(c.session, SSH_OPTIONS_HMAC_S_C, kSshMacs);
}

SshTransport::~SshTransport() {
    // The driver may still run on the strand: it is told there, and the state goes with the
    // last of them.
    const auto strand = core_->strand;
    asio::post(strand, [core = std::move(core_)] { core->End("closed by escd"); });
}

asio::awaitable<void> SshTransport::Retry(AttemptClock& clock, std::string_view what) {
    auto& c = *core_;
    const bool write_pending = (ssh_get_poll_flags(c.session) & SSH_WRITE_PENDING) != 0;
    auto [ec] =
        co_await c.socket.async_wait(write_pending ? asio::posix::stream_descriptor::wait_write
                                                   : asio::posix::stream_descriptor::wait_read,
                                     asio::bind_cancellation_slot(clock.slot(), kNoThrow));
    clock.ThrowIfExpired(c.label + ": " + std::string(what));
    if (c.ended) throw DeviceError(DeviceFailure::kUnreachable, c.label + ": " + c.why);
    if (ec && ec != asio::error::operation_aborted) {
        throw DeviceError(DeviceFailure::kUnreachable,
                          c.label + ": " + std::string(what) + ": " + ec.message());
    }
}

asio::awaitable<std::string> SshTransport::Handshake(AttemptClock& clock) {
    auto& c = *core_;
    c.connect_called = true;
    int rc;
    while ((rc = ssh_connect(c.session)) == SSH_AGAIN) co_await Retry(clock, "SSH handshake");
    if (rc != SSH_OK) {
        throw DeviceError(DeviceFailure::kUnreachable,
                          c.label + ": SSH handshake failed: " + c.Error());
    }
    std::string text = "SSH to " + c.label;
    if (const char* banner = ssh_get_serverbanner(c.session))
        text += std::string(" (") + banner + ")";
    ssh_key key = nullptr;
    unsigned char* hash = nullptr;
    std::size_t hash_length = 0;
    if (ssh_get_server_publickey(c.session, &key) == SSH_OK &&
        ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) == 0) {
        char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_length);
        text += std::string(", host key ") + ssh_key_type_to_char(ssh_key_type(key)) + " " +
                (fingerprint ? fingerprint : "?") + " accepted unchecked (devices are re-imaged)";
        ssh_string_free_char(fingerprint);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    // What an old device agreed to, for the reader of a session log that failed later.
    const auto shown = [](const char* name) { return std::string(name ? name : "?"); };
    text += "; " + shown(ssh_get_kex_algo(c.session)) + ", " +
            shown(ssh_get_cipher_out(c.session)) + ", " + shown(ssh_get_hmac_out(c.session));
    co_return text;
}

asio::awaitable<std::string> SshTransport::Authenticate(const std::string& password,
                                                        AttemptClock& clock) {
    auto& c = *core_;
    constexpr std::string_view kWhat = "SSH authentication";
    const auto broken = [&c] {
        return DeviceError(DeviceFailure::kUnreachable,
                           c.label + ": SSH authentication failed: " + c.Error());
    };
    int rc;
    // "none" first: it answers which methods the server offers.
    while ((rc = ssh_userauth_none(c.session, nullptr)) == SSH_AUTH_AGAIN) {
        co_await Retry(clock, kWhat);
    }
    if (rc == SSH_AUTH_SUCCESS) co_return "none";
    if (rc == SSH_AUTH_ERROR) throw broken();
    const int methods = ssh_userauth_list(c.session, nullptr);
    std::string tried;
    if (methods & SSH_AUTH_METHOD_PASSWORD) {
        while ((rc = ssh_userauth_password(c.session, nullptr, password.c_str())) ==
               SSH_AUTH_AGAIN) {
            co_await Retry(clock, kWhat);
        }
        if (rc == SSH_AUTH_SUCCESS) co_return "password";
        if (rc == SSH_AUTH_ERROR) throw broken();
        tried = "password";
    }
    if (methods & SSH_AUTH_METHOD_INTERACTIVE) {
        int rounds = 0;
        for (;;) {
            rc = ssh_userauth_kbdint(c.session, nullptr, nullptr);
            if (rc == SSH_AUTH_AGAIN) {
                co_await Retry(clock, kWhat);
                continue;
            }
            if (rc != SSH_AUTH_INFO) break;
            const int prompts = ssh_userauth_kbdint_getnprompts(c.session);
            if (prompts > 0 && ++rounds > kKbdintRounds) {
                rc = SSH_AUTH_DENIED;
                break;
            }
            // Every question is the password, except a visible one asking for the user.
            for (int i = 0; i < prompts; ++i) {
                char echo = 0;
                const char* prompt =
                    ssh_userauth_kbdint_getprompt(c.session, static_cast<unsigned>(i), &echo);
                const auto asked = Lower(prompt ? prompt : "");
                const bool for_user = echo && (asked.find("user") != std::string::npos ||
                                               asked.find("login") != std::string::npos);
                ssh_userauth_kbdint_setanswer(c.session, static_cast<unsigned>(i),
                                              for_user ? c.user.c_str() : password.c_str());
            }
        }
        if (rc == SSH_AUTH_SUCCESS) co_return "keyboard-interactive";
        if (rc == SSH_AUTH_ERROR) throw broken();
        tried += tried.empty() ? "keyboard-interactive" : " and keyboard-interactive";
    }
    throw DeviceError(DeviceFailure::kLoginFailed,
                      c.label + ": SSH authentication refused (" +
                          (tried.empty() ? "the server offers neither password nor "
                                           "keyboard-interactive authentication"
                                         : "tried " + tried) +
                          ")");
}

asio::awaitable<void> SshTransport::OpenShell(AttemptClock& clock) {
    auto& c = *core_;
    c.channel = ssh_channel_new(c.session);
    if (!c.channel) throw DeviceError(DeviceFailure::kUnreachable, c.label + ": " + c.Error());
    int rc;
    while ((rc = ssh_channel_open_session(c.channel)) == SSH_AGAIN) {
        co_await Retry(clock, "opening the SSH session channel");
    }
    if (rc != SSH_OK) {
        throw DeviceError(DeviceFailure::kUnreachable,
                          c.label + ": no SSH session channel: " + c.Error());
    }
    while ((rc = ssh_channel_request_pty_size(c.channel, "vt100", kPtyColumns, kPtyRows)) ==
           SSH_AGAIN) {
        co_await Retry(clock, "requesting a pty");
    }
    if (rc != SSH_OK) {
        throw DeviceError(DeviceFailure::kUnreachable,
                          c.label + ": the device refused a pty: " + c.Error());
    }
    while ((rc = ssh_channel_request_shell(c.channel)) == SSH_AGAIN) {
        co_await Retry(clock, "starting the shell");
    }
    if (rc != SSH_OK) {
        throw DeviceError(DeviceFailure::kUnreachable,
                          c.label + ": the device refused a shell: " + c.Error());
    }
    StartDriver();
}

asio::awaitable<void> SshTransport::OpenForward(const std::string& host,
                                                std::uint16_t port,
                                                AttemptClock& clock) {
    auto& c = *core_;
    c.channel = ssh_channel_new(c.session);
    if (!c.channel) throw DeviceError(DeviceFailure::kUnreachable, c.label + ": " + c.Error());
    const auto target = HostPort(host, port);
    const auto what = "jump host connecting to " + target;
    int rc;
    // The originator is informational (OpenSSH logs it); escd is the origin.
    while ((rc = ssh_channel_open_forward(c.channel, host.c_str(), port, "127.0.0.1", 0)) ==
           SSH_AGAIN) {
        co_await Retry(clock, what);
    }
    if (rc != SSH_OK) {
        throw DeviceError(
            DeviceFailure::kUnreachable,
            "jump host " + c.label + " could not connect to " + target + ": " + c.Error());
    }
    StartDriver();
}

void SshTransport::StartDriver() {
    asio::co_spawn(core_->strand, DriveSsh(core_),
                   log::LogFailure(log::Level::kError, "csm", "SSH driver of " + core_->label));
}

asio::awaitable<std::size_t> SshTransport::ReadSome(std::span<char> buffer) {
    auto& c = *core_;
    for (;;) {
        if (!c.in.empty()) {
            const bool was_full = c.in.size() >= kTransportBufferLimit;
            const auto n = std::min(buffer.size(), c.in.size());
            std::memcpy(buffer.data(), c.in.data(), n);
            c.in.erase(0, n);
            if (was_full) c.Kick();
            co_return n;
        }
        if (c.ended) co_return 0;
        c.readable.expires_at(SteadyTime::max());
        co_await c.readable.async_wait(kNoThrow);
    }
}

asio::awaitable<void> SshTransport::Write(std::string_view bytes) {
    auto& c = *core_;
    while (c.out.size() >= kTransportBufferLimit && !c.ended) {
        c.room.expires_at(SteadyTime::max());
        co_await c.room.async_wait(kNoThrow);
    }
    if (c.ended) co_return;  // the reader reports why
    c.out.append(bytes);
    c.Kick();
}

asio::awaitable<void> SshTransport::Close() {
    auto& c = *core_;
    const auto grace = steady_clock::now() + kSshCloseGrace;
    while (!c.out.empty() && !c.ended && steady_clock::now() < grace) {
        c.room.expires_at(grace);
        co_await c.room.async_wait(kNoThrow);
    }
    const bool orderly = !c.ended;
    c.End("closed by escd");  // the driver stops before it calls libssh again
    if (orderly && c.channel) {
        ssh_channel_close(c.channel);  // EOF and CLOSE, sent without waiting
    }
    c.Release();  // the disconnect message
}

void SshTransport::Abort(std::string_view why) {
    core_->End(std::string(why));
}

std::string SshTransport::ended_because() const {
    return core_->why;
}

}  // namespace escd::orchestrator::csm::detail
