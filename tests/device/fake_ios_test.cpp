// What the emulated router cannot show: an IOS user-mode prompt and `enable`, and a console line
// that says nothing until it gets an Enter. A fake telnet device on 127.0.0.1, served by a
// thread of the test with blocking socket calls; no root needed.

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "orchestrator/csm/device/device_session.hpp"
#include "tests/device/device_harness.hpp"

namespace escd::orchestrator::csm {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

// One connection of an IOS-like device: `Username:`, `Password:`, `r1>`, `enable`.
class FakeIos {
  public:
    struct Options {
        bool silent_until_enter = false;  // a console line: nothing until the first Enter
        std::string enable_password = "en-secret";
    };

    explicit FakeIos(Options options)
        : options_(std::move(options)),
          acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          thread_([this] { Serve(); }) {}
    // shutdown(2) wakes the serving thread's blocking accept or read (close(2) would not).
    ~FakeIos() {
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        if (const int fd = connection_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::vector<std::string>& lines() const { return lines_; }  // after the test

  private:
    void Serve() {
        boost::system::error_code ec;
        socket_ = std::make_unique<tcp::socket>(ioc_);
        acceptor_.accept(*socket_, ec);
        if (ec) return;
        connection_fd_ = socket_->native_handle();
        try {
            Dialogue();
        } catch (const std::exception&) {
            // The client went away.
        }
    }

    void Put(std::string_view text) { asio::write(*socket_, asio::buffer(text)); }

    // A line the client typed, its telnet commands dropped; echoed unless `secret`.
    std::string Line(bool secret) {
        std::string line;
        for (;;) {
            unsigned char c = 0;
            asio::read(*socket_, asio::buffer(&c, 1));
            if (c == 255) {  // IAC verb option
                unsigned char command[2];
                asio::read(*socket_, asio::buffer(command, 2));
                continue;
            }
            if (c == '\r') {
                asio::read(*socket_, asio::buffer(&c, 1));  // the LF (or NUL) of the line end
                break;
            }
            line.push_back(static_cast<char>(c));
        }
        Put(secret ? "\r\n" : line + "\r\n");
        lines_.push_back(secret ? "(secret)" : line);
        return line;
    }

    void Dialogue() {
        // IOS offers to echo and to suppress go-ahead.
        Put(std::string("\xff\xfb\x01\xff\xfb\x03", 6));
        if (options_.silent_until_enter) Line(false);
        Put("\r\n\r\nUser Access Verification\r\n\r\nUsername: ");
        while (Line(false) != "admin") Put("Username: ");
        Put("Password: ");
        if (Line(true) != "pw") {
            Put("% Login invalid\r\n\r\nUsername: ");
            Line(false);
            return;
        }
        std::string prompt = "r1>";
        for (;;) {
            Put("\r\n" + prompt);
            const auto command = Line(false);
            if (command == "enable") {
                Put("Password: ");
                if (Line(true) == options_.enable_password) {
                    prompt = "r1#";
                } else {
                    Put("% Access denied\r\n");
                }
            } else if (command == "show version") {
                Put("Cisco IOS Software, Version 15.2(4)M\r\nr1 uptime is 1 week");
            } else if (command == "exit") {
                return;
            }
        }
    }

    Options options_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::unique_ptr<tcp::socket> socket_;
    std::atomic<int> connection_fd_{-1};
    std::vector<std::string> lines_;
    std::thread thread_;
};

ConnectionPlan PlanFor(const FakeIos& fake, std::string enable_password) {
    ConnectionPlan plan;
    plan.device = "r1";
    plan.targets.push_back(
        Endpoint{model::csm::ConnectionType::kTelnet, "127.0.0.1", fake.port(), "admin", "pw"});
    plan.enable_password = std::move(enable_password);
    plan.connect_timeout = 20s;
    return plan;
}

// Logs in by `plan`, runs `show version` and closes; the output.
std::string ShowVersion(const ConnectionPlan& plan, Transcript& log) {
    test::IoThreads io(2);
    return test::Await(
        io.ioc(),
        [&]() -> asio::awaitable<std::string> {
            auto session = co_await DeviceConnector(io.executor()).Connect(plan, log);
            auto text = co_await session->Command("show version", 10s);
            text = session->prompt() + " " + text;
            co_await session->Close();
            co_return text;
        }(),
        60s);
}

DeviceError LoginError(const ConnectionPlan& plan, Transcript& log) {
    try {
        ShowVersion(plan, log);
    } catch (const DeviceError& e) {
        return e;
    }
    ADD_FAILURE() << "logged in";
    return DeviceError(DeviceFailure::kBusy, "logged in");
}

TEST(FakeIosDevice, UserModePromptThenEnable) {
    FakeIos fake({});
    Transcript log;
    EXPECT_EQ(ShowVersion(PlanFor(fake, "en-secret"), log),
              "r1# Cisco IOS Software, Version 15.2(4)M\nr1 uptime is 1 week");
    const auto text = log.Text();
    EXPECT_NE(text.find(">>> enable\nenable\nPassword: \n>>> ***\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("en-secret"), std::string::npos) << text;
}

TEST(FakeIosDevice, WithoutAnEnablePasswordTheSessionStaysInUserMode) {
    FakeIos fake({});
    Transcript log;
    EXPECT_EQ(ShowVersion(PlanFor(fake, ""), log).substr(0, 4), "r1> ");
}

TEST(FakeIosDevice, AWrongEnablePasswordIsALoginFailure) {
    FakeIos fake({});
    Transcript log;
    const auto error = LoginError(PlanFor(fake, "not-it"), log);
    EXPECT_EQ(error.failure(), DeviceFailure::kLoginFailed) << error.what();
    EXPECT_NE(std::string(error.what()).find("enable refused (\"% Access denied\")"),
              std::string::npos)
        << error.what();
}

TEST(FakeIosDevice, AWrongPasswordIsALoginFailure) {
    FakeIos fake({});
    Transcript log;
    auto plan = PlanFor(fake, "");
    plan.targets[0].password = "nope";
    const auto error = LoginError(plan, log);
    EXPECT_EQ(error.failure(), DeviceFailure::kLoginFailed) << error.what();
    EXPECT_NE(std::string(error.what()).find("% Login invalid"), std::string::npos) << error.what();
}

TEST(FakeIosDevice, ASilentConsoleLineGetsAnEnter) {
    FakeIos fake({.silent_until_enter = true});
    Transcript log;
    const auto start = steady_clock::now();
    EXPECT_EQ(ShowVersion(PlanFor(fake, ""), log).substr(0, 4), "r1> ");
    const auto took = std::chrono::duration<double>(steady_clock::now() - start).count();
    EXPECT_GE(took, 5.0) << "the Enter comes after 5 s of silence";
    EXPECT_LT(took, 10.0);
    EXPECT_EQ(fake.lines().at(0), "") << "the Enter";
    EXPECT_EQ(fake.lines().at(1), "admin") << "the user name, once";
}

TEST(FakeIosDevice, AnAddressOutsideTheAllowedOnesIsNeverConnectedTo) {
    FakeIos fake({});
    Transcript log;
    auto plan = PlanFor(fake, "");
    plan.allowed_addresses = CidrList::Parse("198.18.0.0/15");
    const auto error = LoginError(plan, log);
    EXPECT_EQ(error.failure(), DeviceFailure::kUnreachable) << error.what();
    EXPECT_NE(std::string(error.what()).find("device_allowed_cidrs 198.18.0.0/15"),
              std::string::npos)
        << error.what();
    EXPECT_TRUE(fake.lines().empty()) << "the fake device saw a login";
}

}  // namespace
}  // namespace escd::orchestrator::csm
