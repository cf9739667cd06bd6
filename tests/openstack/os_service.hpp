#pragma once
// One service of the shared control plane stopped for a while (tests/openstack/service.sh):
// the object stops it, and starts it again (waiting until its API answers) in Start() or, at the
// latest, in its destructor, so a failing test never leaves the plane without it. Other tests
// use the plane meanwhile: keep the service stopped as briefly as the test allows.

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "tests/openstack/os_test_env.hpp"

#ifndef ESCD_OS_SERVICE_SCRIPT
#error "ESCD_OS_SERVICE_SCRIPT (the path of tests/openstack/service.sh) must be defined"
#endif

namespace escd::test {

/// Runs `service.sh action name` on the plane of ESCD_TEST_OS_DIR; its exit status, and its
/// output (stdout and stderr) in `output`.
inline int RunServiceScript(const std::string& action,
                            const std::string& name,
                            std::string& output) {
    const std::string command = std::string(ESCD_OS_SERVICE_SCRIPT) + " " + action + " " + name +
                                " \"$ESCD_TEST_OS_DIR\" 2>&1";
    output.clear();
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return -1;
    char buffer[512];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class StoppedService {
  public:
    /// Stops `name` (e.g. "neutron", "nova-api"); a failure to stop fails the test (stopped()
    /// says whether it is down).
    explicit StoppedService(std::string name) : name_(std::move(name)) {
        std::string output;
        stopped_ = RunServiceScript("stop", name_, output) == 0;
        running_ = !stopped_;
        EXPECT_TRUE(stopped_) << "cannot stop " << name_ << ": " << output;
    }
    ~StoppedService() {
        if (!running_) Start();
    }
    StoppedService(const StoppedService&) = delete;
    StoppedService& operator=(const StoppedService&) = delete;

    /// Starts the service again and waits until its API answers; false (and a test failure)
    /// when it does not. Once started, the destructor leaves it alone.
    bool Start() {
        std::string output;
        running_ = RunServiceScript("start", name_, output) == 0;
        EXPECT_TRUE(running_) << "cannot start " << name_ << " again: " << output;
        return running_;
    }

    bool stopped() const { return stopped_ && !running_; }

  private:
    std::string name_;
    bool stopped_ = false;
    bool running_ = true;
};

}  // namespace escd::test
