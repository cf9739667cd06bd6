#pragma once
// What the OpenStack tests share: the control plane's exports (tests/openstack/up.sh), the escd
// user's credentials, and running one coroutine to completion.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <random>
#include <string>

#include "common/asio.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::test {

inline std::string Env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

/// Why the OpenStack tests cannot run here; "" when they can.
inline std::string WhyNoOpenStack() {
    if (!Env("ESCD_TEST_OS_AUTH_URL").empty()) return "";
    return "no OpenStack control plane: ESCD_TEST_OS_AUTH_URL is not set (tests/run.sh sets "
           "it; by hand: eval \"$(tests/openstack/up.sh)\")";
}

/// The escd user of the control plane.
inline vim::openstack::Credentials TestCredentials() {
    vim::openstack::Credentials c;
    c.auth_url = Env("ESCD_TEST_OS_AUTH_URL");
    c.user = Env("ESCD_TEST_OS_USER");
    c.password = Env("ESCD_TEST_OS_PASSWORD");
    c.project = Env("ESCD_TEST_OS_PROJECT");
    c.user_domain = Env("ESCD_TEST_OS_USER_DOMAIN");
    c.project_domain = Env("ESCD_TEST_OS_PROJECT_DOMAIN");
    c.region = Env("ESCD_TEST_OS_REGION");
    return c;
}

/// A suffix no other test run on the shared plane uses: the pid and random hex digits.
inline std::string UniqueSuffix() {
    std::random_device random;
    std::uniform_int_distribution<unsigned> digits(0, 0xffffff);
    char hex[8];
    std::snprintf(hex, sizeof hex, "%06x", digits(random));
    return std::to_string(::getpid()) + hex;
}

/// Runs the coroutine `make()` returns on a fresh io_context; its value, or what it threw.
template <class T, class Make>
T RunNow(Make make) {
    asio::io_context ioc;
    std::promise<T> result;
    asio::co_spawn(ioc, make(), [&](std::exception_ptr e, T value) {
        if (e) {
            result.set_exception(e);
        } else {
            result.set_value(std::move(value));
        }
    });
    ioc.run();
    return result.get_future().get();
}

}  // namespace escd::test
