#include "tests/device/device_harness.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <sstream>

namespace escd::test {
namespace {

const std::string kXrDeviceDir = ESCD_XR_DEVICE_DIR;
const std::string kTestDir = ESCD_DEVICE_TEST_DIR;

// The value of `key=` in the KEY=VALUE lines of `text`.
std::string EnvValue(const std::string& text, const std::string& key) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    }
    return "";
}

}  // namespace

IoThreads::IoThreads(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

IoThreads::~IoThreads() {
    work_.reset();
    ioc_.stop();
    for (auto& thread : threads_) thread.join();
}

std::string ShellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted.push_back(c);
        }
    }
    return quoted + "'";
}

CommandResult RunCommand(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::string DeviceTestsUnavailable() {
    if (::geteuid() != 0) {
        return "the device tests need root (network namespaces, sshd, local accounts): run "
               "escd_device_tests as root";
    }
    return "";
}

std::unique_ptr<XrDevice> XrDevice::Up(const std::string& name,
                                       const std::vector<std::string>& options,
                                       std::string& why) {
    why = DeviceTestsUnavailable();
    if (!why.empty()) return nullptr;
    std::string command = ShellQuoted(kXrDeviceDir + "/netns-device.sh") + " up " + name;
    for (const auto& option : options) command += " " + ShellQuoted(option);
    // A device left over by a crashed run of the same name goes first.
    RunCommand(ShellQuoted(kXrDeviceDir + "/netns-device.sh") + " down " + name);
    const auto result = RunCommand(command);
    if (result.status != 0) {
        why = "netns-device.sh up " + name + " failed: " + result.output;
        return nullptr;
    }
    std::unique_ptr<XrDevice> device(new XrDevice(name));
    device->address_ = EnvValue(result.output, "XR_ADDR");
    device->index_ = EnvValue(result.output, "XR_INDEX");
    device->repo_ = EnvValue(result.output, "XR_REPO");
    if (device->address_.empty() || device->index_.empty()) {
        why = "netns-device.sh up printed no XR_ADDR: " + result.output;
        return nullptr;
    }
    return device;
}

XrDevice::~XrDevice() {
    RunCommand(ShellQuoted(kXrDeviceDir + "/netns-device.sh") + " down " + name_);
}

std::string XrDevice::silent_address() const {
    return "198.18." + index_ + ".3";
}

std::uint16_t FreeLoopbackPort() {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

std::unique_ptr<JumpSshd> JumpSshd::Up(Auth auth, std::string& why) {
    why = DeviceTestsUnavailable();
    if (!why.empty()) return nullptr;
    std::unique_ptr<JumpSshd> sshd(new JumpSshd());
    sshd->port_ = FreeLoopbackPort();
    sshd->dir_ =
        "/tmp/escd-jump-sshd-" + std::to_string(::getpid()) + "-" + std::to_string(sshd->port_);
    const auto result =
        RunCommand(ShellQuoted(kTestDir + "/jump-sshd.sh") + " up " + ShellQuoted(sshd->dir_) +
                   " " + std::to_string(sshd->port_) + " " + kUser + " " + ShellQuoted(kPassword) +
                   (auth == Auth::kPassword ? " password" : " kbdint"));
    if (result.status != 0) {
        why = "jump-sshd.sh up failed: " + result.output;
        sshd->dir_.clear();
        return nullptr;
    }
    return sshd;
}

JumpSshd::~JumpSshd() {
    if (!dir_.empty())
        RunCommand(ShellQuoted(kTestDir + "/jump-sshd.sh") + " down " + ShellQuoted(dir_));
}

}  // namespace escd::test
