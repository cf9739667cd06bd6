#include "tests/support/escd_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace escd::test {
namespace {

constexpr std::chrono::seconds kReadyTimeout(60);
constexpr std::string_view kReadyPrefix = "escd ready http=";

std::system_error SystemError(std::string_view what) {
    return std::system_error(errno, std::generic_category(), std::string(what));
}

// dup2 onto itself keeps FD_CLOEXEC, which would close the descriptor at exec.
void MoveFd(int from, int to) {
    if (from == to) {
        ::fcntl(to, F_SETFD, 0);
    } else {
        ::dup2(from, to);
    }
}

// Runs in the forked child of a multi-threaded parent: async-signal-safe calls only.
[[noreturn]] void ExecChild(const char* path,
                            char* const argv[],
                            pid_t parent,
                            int stdin_fd,
                            int stdout_fd,
                            int stderr_fd,
                            long max_fd) {
    // A crashed test binary must not leave escd running.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    MoveFd(stdin_fd, 0);
    MoveFd(stdout_fd, 1);
    MoveFd(stderr_fd, 2);
    // Sockets of other tests' receivers/clients (Asio does not open them close-on-exec) must not
    // leak into escd, or a stopped receiver's port would keep accepting.
    if (::close_range(3, ~0U, 0) != 0) {
        for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
    }
    // Start as a service manager would: default dispositions, nothing blocked.
    for (int signal_number : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) {
        ::signal(signal_number, SIG_DFL);
    }
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(path, argv);
    static constexpr char kMessage[] = "escd_process: execv failed\n";
    if (::write(2, kMessage, sizeof kMessage - 1) < 0) {
    }
    ::_exit(127);
}

std::optional<std::uint16_t> ParsePort(std::string_view& text) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || value > 65535) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return static_cast<std::uint16_t>(value);
}

struct ReadyPorts {
    std::uint16_t http = 0;
    std::uint16_t https = 0;
    std::uint16_t csm = 0;  ///< 0 when the line names none (the CSM listener is off)
};

// "escd ready http=<port> https=<port>[ csm=<port> csm_https=<port>]" (a port of -1: off)
std::optional<ReadyPorts> ParseReadyLine(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.starts_with(kReadyPrefix)) return std::nullopt;
    line.remove_prefix(kReadyPrefix.size());
    const auto http = ParsePort(line);
    constexpr std::string_view kHttps = " https=";
    if (!http || !line.starts_with(kHttps)) return std::nullopt;
    line.remove_prefix(kHttps.size());
    const auto https = ParsePort(line);
    if (!https) return std::nullopt;
    ReadyPorts ports{*http, *https, 0};
    constexpr std::string_view kCsm = " csm=";
    if (line.starts_with(kCsm)) {
        line.remove_prefix(kCsm.size());
        if (const auto csm = ParsePort(line)) ports.csm = *csm;
        line = line.substr(std::min(line.size(), line.find(' ')));
        if (line.starts_with(" csm_https=")) line = {};
    }
    if (!line.empty()) return std::nullopt;
    return ports;
}

}  // namespace

EscdProcess::EscdProcess(EscdOptions options) : options_(std::move(options)) {
    namespace fs = std::filesystem;
    if (options_.data_dir.empty()) {
        std::string pattern = (fs::temp_directory_path() / "escd-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw SystemError("mkdtemp");
        data_dir_ = pattern;
        owns_data_dir_ = true;
    } else {
        data_dir_ = options_.data_dir;
        fs::create_directories(data_dir_);
    }
    log_path_ = fs::path(data_dir_) / "escd.log";
    std::error_code ignored;
    if (fs::exists(log_path_, ignored)) log_start_ = fs::file_size(log_path_, ignored);

    try {
        Spawn();
        WaitForReady();
        drainer_ = std::thread(&EscdProcess::Drain, this);
    } catch (...) {
        Cleanup();
        if (owns_data_dir_) fs::remove_all(data_dir_, ignored);
        throw;
    }
}

EscdProcess::~EscdProcess() {
    Cleanup();
    if (::testing::Test::HasFailure()) {
        std::cerr << "---- last 200 lines of " << log_path_.string() << " ----\n"
                  << Tail(200) << "---- end of " << log_path_.string() << " ----\n";
    }
    if (owns_data_dir_) {
        std::error_code ignored;
        std::filesystem::remove_all(data_dir_, ignored);
    }
}

void EscdProcess::Spawn() {
    const std::string binary = options_.binary.empty() ? ESCD_BINARY_PATH : options_.binary;
    std::vector<std::string> args = {
        binary,
        "--database.dsn=" + options_.dsn,
        "--server.listen_address=127.0.0.1",
        "--server.http_port=0",
        "--server.https_port=0",
        "--csm.http_port=0",
        "--general.data_dir=" + data_dir_,
        std::string("--general.schema_dir=") + ESCD_SCHEMA_DIR,
        "--auth.admin_password=" + options_.admin_password,
        "--callbacks.retry_initial_ms=100",
        "--callbacks.retry_max_ms=1000",
        // The ports are ephemeral, so the default name (<host>:<port>) would change at each
        // restart; named by its data directory, a restarted escd succeeds the process before it
        // and takes its work over at once, as one restarted on its port does (docs/cluster.md).
        "--cluster.node_name=escd@" + data_dir_,
    };
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    // Everything is opened close-on-exec; the child moves what it needs onto 0, 1 and 2.
    // Appending keeps the history of earlier escd runs on the same data_dir.
    log_fd_ = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd_ < 0) throw SystemError("open " + log_path_.string());
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (stop_fd_ < 0) throw SystemError("eventfd");
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) throw SystemError("open /dev/null");
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        ::close(null_fd);
        throw SystemError("pipe2");
    }
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const long max_fd = open_max > 0 && open_max < 65536 ? open_max : 65536;

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    // stderr shares the stdout pipe: everything escd prints passes the drainer, which appends it
    // to escd.log and wakes WaitForLog().
    if (pid == 0)
        ExecChild(argv[0], argv.data(), parent, null_fd, pipe_fds[1], pipe_fds[1], max_fd);
    const int fork_errno = errno;
    ::close(null_fd);
    ::close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
    if (pid < 0) {
        errno = fork_errno;
        throw SystemError("fork");
    }
    pid_ = pid;
    reaper_ = std::thread(&EscdProcess::Reap, this);
}

void EscdProcess::WaitForReady() {
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    std::string pending;
    char buffer[4096];
    std::string failure;
    while (failure.empty()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            Kill();
            failure = "escd was not ready within " + std::to_string(kReadyTimeout.count()) + " s";
            break;
        }
        pollfd out{stdout_fd_, POLLIN, 0};
        const int polled = ::poll(&out, 1, static_cast<int>(left.count()));
        if (polled < 0 && errno != EINTR) throw SystemError("poll");
        if (polled <= 0) continue;
        const ssize_t size = ::read(stdout_fd_, buffer, sizeof buffer);
        if (size < 0 && errno == EINTR) continue;
        if (size <= 0) {
            // stdout closed: escd is exiting. Give it a moment to be reaped so the message can
            // carry its exit code, and kill it if it merely closed stdout.
            {
                std::unique_lock lock(mutex_);
                exited_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return exited_; });
            }
            Kill();
            failure = "escd exited before it was ready (exit code " + std::to_string(exit_code_) +
                      ", negative: signal)";
            break;
        }
        AppendToLog(buffer, static_cast<std::size_t>(size));
        pending.append(buffer, static_cast<std::size_t>(size));
        for (auto newline = pending.find('\n'); newline != std::string::npos;
             newline = pending.find('\n')) {
            const auto ports = ParseReadyLine(std::string_view(pending).substr(0, newline));
            pending.erase(0, newline + 1);
            if (ports) {
                http_port_ = ports->http;
                https_port_ = ports->https;
                csm_port_ = ports->csm;
                return;
            }
        }
    }
    throw std::runtime_error(failure + "; last lines of " + log_path_.string() + ":\n" + Tail(50));
}

void EscdProcess::Reap() {
    // WNOWAIT leaves the zombie in place until the lock is held: while exited_ is false the pid
    // cannot be recycled, so Kill()/Signal() never hit an unrelated process.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    std::lock_guard lock(mutex_);
    int status = 0;
    pid_t reaped;
    do {
        reaped = ::waitpid(pid_, &status, 0);
    } while (reaped < 0 && errno == EINTR);
    if (reaped < 0) {
        exit_code_ = -1;
    } else if (WIFEXITED(status)) {
        exit_code_ = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        exit_code_ = -WTERMSIG(status);
    } else {
        exit_code_ = -1;
    }
    exited_ = true;
    exited_cv_.notify_all();
}

void EscdProcess::Drain() {
    // Keeps the stdout pipe empty so escd never blocks writing to it.
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {stdout_fd_, POLLIN, 0}};
    char buffer[4096];
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[0].revents != 0) {
            // Stopping: keep what is already in the pipe, without waiting for more (a grandchild
            // could hold the write end open forever).
            pollfd out{stdout_fd_, POLLIN, 0};
            while (::poll(&out, 1, 0) > 0 && (out.revents & POLLIN) != 0) {
                const ssize_t size = ::read(stdout_fd_, buffer, sizeof buffer);
                if (size <= 0) break;
                AppendToLog(buffer, static_cast<std::size_t>(size));
            }
            return;
        }
        if (fds[1].revents != 0) {
            std::unique_lock drain(drain_mutex_);
            const ssize_t size = ::read(stdout_fd_, buffer, sizeof buffer);
            if (size < 0 && errno == EINTR) continue;
            if (size > 0) AppendToLog(buffer, static_cast<std::size_t>(size));
            drain.unlock();
            drained_.notify_all();
            if (size <= 0) return;
        }
    }
}

void EscdProcess::AppendToLog(const char* data, std::size_t size) {
    {
        std::lock_guard lock(mutex_);
        output_.append(data, size);
    }
    output_cv_.notify_all();
    while (size > 0) {
        const ssize_t written = ::write(log_fd_, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

void EscdProcess::Cleanup() {
    if (pid_ > 0) Kill();
    if (reaper_.joinable()) reaper_.join();
    if (drainer_.joinable()) {
        const std::uint64_t one = 1;
        if (::write(stop_fd_, &one, sizeof one) < 0) {
        }
        drainer_.join();
    }
    for (int* fd : {&stdout_fd_, &stop_fd_, &log_fd_}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
}

HttpClient EscdProcess::Client(bool tls) const {
    HttpClient client("127.0.0.1", tls ? https_port_ : http_port_, tls);
    client.SetBasicAuth("admin", options_.admin_password);
    return client;
}

void EscdProcess::CatchUpWithOutput() {
    if (!drainer_.joinable() || stdout_fd_ < 0) return;
    // Under drain_mutex_, "nothing left in the pipe" also means "everything read was logged":
    // the drainer reads and logs holding it, and signals `drained_` after each read.
    std::unique_lock drain(drain_mutex_);
    drained_.wait_for(drain, std::chrono::seconds(2), [this] {
        int pending = 0;
        return ::ioctl(stdout_fd_, FIONREAD, &pending) != 0 || pending == 0;
    });
}

void EscdProcess::Kill() {
    std::unique_lock lock(mutex_);
    if (pid_ <= 0) return;
    if (!exited_) ::kill(pid_, SIGKILL);
    exited_cv_.wait(lock, [this] { return exited_; });
    lock.unlock();
    CatchUpWithOutput();
}

int EscdProcess::Terminate(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    if (pid_ <= 0) return -1;
    if (!exited_) ::kill(pid_, SIGTERM);
    if (!exited_cv_.wait_for(lock, timeout, [this] { return exited_; })) {
        ADD_FAILURE() << "escd (pid " << pid_ << ") did not exit within " << timeout.count()
                      << " s of SIGTERM; sending SIGKILL";
        ::kill(pid_, SIGKILL);
        exited_cv_.wait(lock, [this] { return exited_; });
    }
    const int code = exit_code_;
    lock.unlock();
    CatchUpWithOutput();
    return code;
}

void EscdProcess::Signal(int signal_number) {
    std::lock_guard lock(mutex_);
    if (pid_ > 0 && !exited_) ::kill(pid_, signal_number);
}

bool EscdProcess::running() const {
    std::lock_guard lock(mutex_);
    return pid_ > 0 && !exited_;
}

std::string EscdProcess::Log() const {
    std::lock_guard lock(mutex_);
    return output_;
}

bool EscdProcess::WaitForLog(std::string_view needle,
                             std::size_t count,
                             std::chrono::milliseconds timeout) const {
    auto occurrences = [&] {
        std::size_t found = 0;
        for (auto pos = output_.find(needle); pos != std::string::npos;
             pos = output_.find(needle, pos + 1))
            ++found;
        return found;
    };
    std::unique_lock lock(mutex_);
    return output_cv_.wait_for(lock, timeout, [&] { return occurrences() >= count; });
}

std::string EscdProcess::Tail(std::size_t lines) const {
    std::ifstream file(log_path_, std::ios::binary);
    std::ostringstream stream;
    stream << file.rdbuf();
    std::string text = stream.str();
    if (!text.empty() && text.back() != '\n') text += '\n';
    std::size_t start = text.size() > 0 ? text.size() - 1 : 0;  // the final newline
    for (std::size_t seen = 0; start > 0;) {
        const auto newline = text.rfind('\n', start - 1);
        if (newline == std::string::npos) {
            start = 0;
            break;
        }
        if (++seen == lines) {
            start = newline + 1;
            break;
        }
        start = newline;
    }
    return text.substr(start);
}

}  // namespace escd::test
