#pragma once
/// @file
/// What the device session tests stand on: an io_context run by two threads (as escd's), an
/// emulated IOS XR router in a network namespace (tools/xr-device/netns-device.sh) and an
/// OpenSSH jump host on 127.0.0.1 (tests/device/jump-sshd.sh). Both need root; a test that needs
/// them is skipped with the reason when they cannot be had.
///
/// Addresses: the device is 198.18.N.2 in its namespace (RFC 2544 benchmark range, never
/// routed), escd's side 198.18.N.1; 198.18.N.3 is in the same subnet and answers nobody. The
/// jump host listens on 127.0.0.1. Nothing else is ever connected to.

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/asio.hpp"

namespace escd::test {

/// An io_context run by `threads` threads for the object's lifetime.
class IoThreads {
  public:
    explicit IoThreads(int threads = 2);
    ~IoThreads();
    IoThreads(const IoThreads&) = delete;
    IoThreads& operator=(const IoThreads&) = delete;

    asio::io_context& ioc() { return ioc_; }
    asio::any_io_executor executor() { return ioc_.get_executor(); }

  private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
    std::vector<std::thread> threads_;
};

/// Runs `task` on `ioc` and waits for it (from the test's thread) at most `limit`.
template <class T>
T Await(asio::io_context& ioc, asio::awaitable<T> task, std::chrono::seconds limit) {
    auto future = asio::co_spawn(ioc, std::move(task), asio::use_future);
    if (future.wait_for(limit) != std::future_status::ready) {
        throw std::runtime_error("the test's coroutine did not finish within " +
                                 std::to_string(limit.count()) + " s");
    }
    return future.get();
}

/// A shell command's exit status and standard output (its standard error included).
struct CommandResult {
    int status = -1;
    std::string output;
};
CommandResult RunCommand(const std::string& command);
/// `text` quoted for /bin/sh.
std::string ShellQuoted(const std::string& text);

/// An emulated IOS XR router (netns-device.sh up NAME), down again when destroyed.
class XrDevice {
  public:
    /// Brings up device `name` (1-11 of a-z 0-9 -) with netns-device.sh options; nullptr and
    /// `why` when it cannot (not root, a tool missing: the script's own message).
    static std::unique_ptr<XrDevice> Up(const std::string& name,
                                        const std::vector<std::string>& options,
                                        std::string& why);
    ~XrDevice();

    const std::string& name() const { return name_; }
    /// 198.18.N.2: the router's ssh (22) and telnet (23).
    const std::string& address() const { return address_; }
    /// 198.18.N.3: in the router's subnet, nobody there.
    std::string silent_address() const;
    /// The repository directory its TFTP server serves as /repo.
    const std::string& repo() const { return repo_; }
    /// `RP/0/RP0/CPU0:<name>#`.
    std::string prompt() const { return "RP/0/RP0/CPU0:" + name_ + "#"; }
    static constexpr const char* kUser = "cisco";
    static constexpr const char* kPassword = "cisco";

  private:
    explicit XrDevice(std::string name) : name_(std::move(name)) {}
    std::string name_;
    std::string address_;
    std::string index_;
    std::string repo_;
};

/// OpenSSH sshd on 127.0.0.1 as a jump host (jump-sshd.sh), stopped when destroyed.
class JumpSshd {
  public:
    enum class Auth { kPassword, kKeyboardInteractive };
    static std::unique_ptr<JumpSshd> Up(Auth auth, std::string& why);
    ~JumpSshd();

    std::uint16_t port() const { return port_; }
    static constexpr const char* kUser = "escdjump";
    static constexpr const char* kPassword = "Jump-Pass-7781";

  private:
    JumpSshd() = default;
    std::string dir_;
    std::uint16_t port_ = 0;
};

/// Why the device tests cannot run here, "" when they can: root is needed.
std::string DeviceTestsUnavailable();

/// Ends a test whose device or jump host did not come up: skipped where the device tests
/// cannot run (not root), failed where they can (a tool missing, a script's error: CI runs as
/// root and must not pass a test that never ran).
#define ESCD_SKIP_OR_FAIL(why)                                                      \
    do {                                                                            \
        if (!::escd::test::DeviceTestsUnavailable().empty()) GTEST_SKIP() << (why); \
        FAIL() << (why);                                                            \
    } while (false)

/// A free TCP port on 127.0.0.1 (bound and released: good enough for a test).
std::uint16_t FreeLoopbackPort();

}  // namespace escd::test
