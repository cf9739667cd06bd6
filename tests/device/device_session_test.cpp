// Sessions to the emulated IOS XR router (tools/xr-device) over SSH and telnet, directly and
// through an OpenSSH jump host: login, commands, planes, questions, deadlines, failures, a
// reload, and twenty sessions at once on two threads. Needs root (device_harness.hpp).

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "orchestrator/csm/device/device_session.hpp"
#include "tests/device/device_harness.hpp"

namespace escd::orchestrator::csm {
namespace {

using namespace std::chrono_literals;
using model::csm::ConnectionType;
using std::chrono::steady_clock;
using test::Await;
using test::JumpSshd;
using test::XrDevice;

constexpr auto kTestLimit = std::chrono::seconds(120);

bool Contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

double SecondsSince(steady_clock::time_point start) {
    return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// Prints a memory transcript when its test failed (or is failing with an exception).
struct TranscriptOnFailure {
    const Transcript& log;
    ~TranscriptOnFailure() {
        if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
            std::cout << "transcript:\n" << log.Text() << "\n";
        }
    }
};

// The router all tests but the reload test share: brought up by the first test that needs it,
// taken down after the last (the environment's TearDown).
class SharedDevice : public ::testing::Environment {
  public:
    static XrDevice* Get(std::string& why) {
        if (!tried_) {
            tried_ = true;
            device_ = XrDevice::Up("d" + std::to_string(::getpid() % 100000),
                                   {"--op-seconds", "1", "--reload-seconds", "5"}, why_);
        }
        why = why_;
        return device_.get();
    }
    void TearDown() override { device_.reset(); }

  private:
    static inline bool tried_ = false;
    static inline std::string why_;
    static inline std::unique_ptr<XrDevice> device_;
};
[[maybe_unused]] const auto* const kSharedDevice =
    ::testing::AddGlobalTestEnvironment(new SharedDevice);

ConnectionPlan PlanFor(const XrDevice& device,
                       ConnectionType type,
                       std::string password = XrDevice::kPassword) {
    ConnectionPlan plan;
    plan.device = device.name();
    const std::uint16_t port = type == ConnectionType::kSsh ? 22 : 23;
    plan.targets.push_back(Endpoint{type, device.address(), port, XrDevice::kUser, password});
    plan.connect_timeout = 20s;
    return plan;
}

Endpoint JumpEndpoint(const JumpSshd& sshd, std::string password = JumpSshd::kPassword) {
    return Endpoint{ConnectionType::kSsh, "127.0.0.1", sshd.port(), JumpSshd::kUser, password};
}

void ExpectVersionOutput(const std::string& version, const XrDevice& device) {
    EXPECT_TRUE(Contains(version, "Version 6.1.3")) << version;
    // The output starts after the echo (and without a time stamp line: `terminal exec prompt
    // no-timestamp` was typed) and ends before the prompt.
    EXPECT_EQ(version.rfind("Cisco IOS XR Software, Version 6.1.3", 0), 0u) << version;
    EXPECT_FALSE(Contains(version, "show version")) << version;
    EXPECT_FALSE(Contains(version, device.prompt())) << version;
}

// A login to the shared device through a jump host: the jump sshd, the plan through it, and the
// transcript (printed when the test fails).
struct JumpLogin {
    std::unique_ptr<JumpSshd> sshd;
    ConnectionPlan plan;
    Transcript log;
    const TranscriptOnFailure shown{log};
};

class DeviceSessionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        device_ = SharedDevice::Get(why);
        if (!device_) ESCD_SKIP_OR_FAIL(why);
    }

    // Logs in by `plan`, runs `show version`, closes; returns the output.
    std::string ShowVersion(const ConnectionPlan& plan, Transcript& log) {
        return Await(
            io_.ioc(),
            [&]() -> asio::awaitable<std::string> {
                auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
                EXPECT_EQ(session->prompt(), device_->prompt());
                EXPECT_TRUE(session->connected());
                auto version = co_await session->Command("show version", 30s);
                co_await session->Close();
                EXPECT_FALSE(session->connected());
                co_return version;
            }(),
            kTestLimit);
    }

    // The DeviceError Connect throws for `plan` (a failure when it logs in).
    DeviceError ConnectError(const ConnectionPlan& plan, Transcript& log) {
        auto error = Await(
            io_.ioc(),
            [&]() -> asio::awaitable<std::optional<DeviceError>> {
                try {
                    auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
                } catch (const DeviceError& e) {
                    co_return e;
                }
                co_return std::nullopt;
            }(),
            kTestLimit);
        if (error) return *error;
        ADD_FAILURE() << "Connect succeeded";
        return DeviceError(DeviceFailure::kBusy, "Connect succeeded");
    }

    // Brings up a jump sshd that asks for `auth`, and through it logs in to the device by `type`
    // and checks `show version`. Ends the test (skipped, or failed) when the jump host does not
    // come up: then jump.sshd stays null.
    void LoginViaJump(JumpSshd::Auth auth, ConnectionType type, JumpLogin& jump) {
        std::string why;
        jump.sshd = JumpSshd::Up(auth, why);
        if (!jump.sshd) ESCD_SKIP_OR_FAIL(why);
        jump.plan = PlanFor(*device_, type);
        jump.plan.jump_host = JumpEndpoint(*jump.sshd);
        ExpectVersionOutput(ShowVersion(jump.plan, jump.log), *device_);
    }

    test::IoThreads io_{2};
    XrDevice* device_ = nullptr;
};

TEST_F(DeviceSessionTest, SshLoginAndShowVersion) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    ExpectVersionOutput(ShowVersion(PlanFor(*device_, ConnectionType::kSsh), log), *device_);
    EXPECT_TRUE(Contains(log.Text(), "host key ssh-ed25519 SHA256:")) << log.Text();
}

TEST_F(DeviceSessionTest, TelnetLoginAndShowVersion) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    ExpectVersionOutput(ShowVersion(PlanFor(*device_, ConnectionType::kTelnet), log), *device_);
    EXPECT_TRUE(Contains(log.Text(), "Username: ")) << log.Text();
}

TEST_F(DeviceSessionTest, AdminPlaneThenBack) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto plan = PlanFor(*device_, ConnectionType::kSsh);
    Await(
        io_.ioc(),
        [&]() -> asio::awaitable<void> {
            auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
            co_await session->Command("admin", 20s);
            EXPECT_EQ(session->prompt(), "sysadmin-vm:0_RP0#");
            const auto inventory = co_await session->Command("show inventory", 20s);
            EXPECT_TRUE(Contains(inventory, "Name: Rack 0")) << inventory;
            EXPECT_FALSE(Contains(inventory, "sysadmin-vm")) << inventory;
            const auto version = co_await session->Command("show version", 20s);
            EXPECT_TRUE(Contains(version, "Cisco IOS XR Admin Software")) << version;
            co_await session->Command("exit", 20s);
            EXPECT_EQ(session->prompt(), device_->prompt());
            const auto xr = co_await session->Command("show inventory", 20s);
            EXPECT_TRUE(Contains(xr, "NAME: \"Rack 0\"")) << xr;
            co_await session->Close();
        }(),
        kTestLimit);
}

TEST_F(DeviceSessionTest, WrongPasswordFailsNamingTheTarget) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto ssh = ConnectError(PlanFor(*device_, ConnectionType::kSsh, "wrong"), log);
    EXPECT_EQ(ssh.failure(), DeviceFailure::kLoginFailed) << ssh.what();
    EXPECT_EQ(ssh.code(), ErrorCode::kUnauthorized);
    EXPECT_TRUE(Contains(ssh.what(), "ssh://cisco@" + device_->address() + ":22")) << ssh.what();
    EXPECT_TRUE(Contains(ssh.what(), "SSH authentication refused")) << ssh.what();

    const auto telnet = ConnectError(PlanFor(*device_, ConnectionType::kTelnet, "wrong"), log);
    EXPECT_EQ(telnet.failure(), DeviceFailure::kLoginFailed) << telnet.what();
    EXPECT_TRUE(Contains(telnet.what(), "telnet://cisco@" + device_->address() + ":23"))
        << telnet.what();
    EXPECT_TRUE(Contains(telnet.what(), "% Authentication failed")) << telnet.what();
    EXPECT_FALSE(Contains(log.Text(), "wrong")) << "the plan's password is a secret";
}

TEST_F(DeviceSessionTest, StandbyAddressAfterUnreachableOnes) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    auto plan = PlanFor(*device_, ConnectionType::kSsh);
    const Endpoint active = plan.targets.front();
    plan.targets = {active, active, active};
    plan.targets[0].port = 2323;                       // closed: refused at once
    plan.targets[1].host = device_->silent_address();  // nobody: the connect timeout
    // Per target: long enough for a login on a loaded test machine (an ASan build).
    plan.connect_timeout = 5s;
    const auto start = steady_clock::now();
    std::string target;
    Await(
        io_.ioc(),
        [&]() -> asio::awaitable<void> {
            auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
            target = session->target();
            const auto clock = co_await session->Command("show clock", 20s);
            EXPECT_TRUE(Contains(clock, "UTC")) << clock;
            co_await session->Close();
        }(),
        kTestLimit);
    const auto took = SecondsSince(start);
    EXPECT_EQ(target, "ssh://cisco@" + device_->address() + ":22");
    EXPECT_LT(took, 20.0);
    const auto text = log.Text();
    EXPECT_TRUE(Contains(text, device_->address() + ":2323: Connection refused")) << text;
    // The silent address ends at its connect timeout, or sooner when the kernel gives up on
    // ARP (about 3 s, at once while the failure is cached): "No route to host".
    const auto silent = "failed: " + device_->silent_address() + ":22: ";
    EXPECT_TRUE(Contains(text, silent + "no TCP connection within") ||
                Contains(text, silent + "No route to host"))
        << text;
}

TEST_F(DeviceSessionTest, NoTargetAnswersErrorNamesEach) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    auto plan = PlanFor(*device_, ConnectionType::kTelnet);
    plan.targets.push_back(plan.targets.front());
    plan.targets[0].port = 2323;
    plan.targets[1].host = device_->silent_address();
    plan.connect_timeout = 1500ms;
    const auto error = ConnectError(plan, log);
    const std::string what = error.what();
    EXPECT_TRUE(Contains(what, device_->name() + ": no login on any of 2 target(s)")) << what;
    EXPECT_TRUE(Contains(what, "telnet://cisco@" + device_->address() + ":2323 (")) << what;
    EXPECT_TRUE(Contains(what, "Connection refused")) << what;
    EXPECT_TRUE(Contains(what, "telnet://cisco@" + device_->silent_address() + ":23 (")) << what;
    EXPECT_TRUE(error.failure() == DeviceFailure::kTimeout ||
                error.failure() == DeviceFailure::kUnreachable)
        << what;
}

TEST_F(DeviceSessionTest, JumpHostToSshDevice) {
    JumpLogin jump;
    LoginViaJump(JumpSshd::Auth::kPassword, ConnectionType::kSsh, jump);
    if (!jump.sshd) return;  // skipped, or failed: no jump host
    const auto text = jump.log.Text();
    EXPECT_TRUE(Contains(text, "jump host: logged in as escdjump (password)")) << text;
    EXPECT_TRUE(Contains(text, "connected to " + device_->address() + ":22")) << text;
    EXPECT_FALSE(Contains(text, JumpSshd::kPassword)) << text;
}

TEST_F(DeviceSessionTest, JumpHostToTelnetDeviceWithKeyboardInteractive) {
    JumpLogin jump;
    LoginViaJump(JumpSshd::Auth::kKeyboardInteractive, ConnectionType::kTelnet, jump);
    if (!jump.sshd) return;  // skipped, or failed: no jump host
    const auto text = jump.log.Text();
    EXPECT_TRUE(Contains(text, "(keyboard-interactive)")) << text;
    EXPECT_TRUE(Contains(text, "connected to " + device_->address() + ":23")) << text;

    // A wrong jump password: refused, and the message says it was the jump host.
    jump.plan.jump_host = JumpEndpoint(*jump.sshd, "not-it");
    const auto error = ConnectError(jump.plan, jump.log);
    EXPECT_EQ(error.failure(), DeviceFailure::kLoginFailed) << error.what();
    EXPECT_TRUE(Contains(error.what(), "jump host ssh://escdjump@127.0.0.1:")) << error.what();
}

TEST_F(DeviceSessionTest, TranscriptFileHasCommandsAndOutputsButNoPassword) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("escd-session-" + std::to_string(::getpid()) + ".log");
    std::filesystem::remove(path);
    asio::thread_pool pool(1);
    {
        Transcript log(pool, path);
        log.AddSecret("Secret-Repo-Pw");
        const auto plan = PlanFor(*device_, ConnectionType::kTelnet);
        Await(
            io_.ioc(),
            [&]() -> asio::awaitable<void> {
                auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
                co_await session->Command("show version", 20s);
                // An answer that echoes a secret back (an invalid command here).
                co_await session->Command("show Secret-Repo-Pw", 20s);
                co_await session->Close();  // flushes the transcript
            }(),
            kTestLimit);
    }
    pool.join();
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    const auto text = content.str();
    std::filesystem::remove(path);
    EXPECT_TRUE(Contains(text, "--- ")) << text;
    // The user name is echoed, the password is not; both are `cisco` here, so both are masked.
    EXPECT_TRUE(Contains(text, "Username: \n>>> ***\n***\nPassword: \n>>> ***\n")) << text;
    EXPECT_TRUE(Contains(text, ">>> show version\nshow version\n")) << text;
    EXPECT_TRUE(Contains(text, "Cisco IOS XR Software, Version 6.1.3")) << text;
    EXPECT_TRUE(Contains(text, ">>> terminal len 0")) << text;
    EXPECT_TRUE(Contains(text, ">>> show ***\n")) << text;
    EXPECT_FALSE(Contains(text, XrDevice::kPassword)) << text;
    EXPECT_FALSE(Contains(text, "Secret-Repo-Pw")) << text;
    EXPECT_FALSE(Contains(text, "\r")) << "the transcript is text";
}

TEST_F(DeviceSessionTest, CommandTimesOutAtItsDeadlineThenSendAnswersTheQuestion) {
    // An image in the repository: activating it asks whether the system may reload.
    const auto image = std::filesystem::path(device_->repo()) / "xrv9k-mini-x-6.2.1.iso";
    std::ofstream(image) << "version=6.2.1\n";
    std::filesystem::permissions(
        image, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                   std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto plan = PlanFor(*device_, ConnectionType::kSsh);
    Await(
        io_.ioc(),
        [&]() -> asio::awaitable<void> {
            auto session = co_await DeviceConnector(io_.executor()).Connect(plan, log);
            const auto add = co_await session->Command(
                "install add source tftp://" + device_->address() + "/repo xrv9k-mini-x-6.2.1.iso",
                30s);
            EXPECT_TRUE(Contains(add, "Install operation will continue in the background")) << add;
            asio::steady_timer pause(co_await asio::this_coro::executor);
            for (int i = 0; i < 30; ++i) {
                const auto request = co_await session->Command("show install request", 10s);
                if (Contains(request, "No install operation in progress")) break;
                pause.expires_after(1s);
                co_await pause.async_wait(asio::use_awaitable);
            }

            // The question never ends in a prompt: the command times out at its deadline.
            const auto start = steady_clock::now();
            std::optional<DeviceError> timeout;
            try {
                co_await session->Command("install activate xrv9k-mini-x-6.2.1", 2s);
            } catch (const DeviceError& e) {
                timeout = e;
            }
            const auto took = SecondsSince(start);
            EXPECT_TRUE(timeout && timeout->failure() == DeviceFailure::kTimeout);
            if (timeout) {
                EXPECT_TRUE(Contains(timeout->what(), "[yes/no]")) << timeout->what();
            }
            EXPECT_GE(took, 2.0);
            EXPECT_LT(took, 4.0) << "at the deadline (give or take a loaded machine)";
            EXPECT_TRUE(session->connected());

            // The answer: the question came before it (earlier), the prompt after.
            // Patterns are named first: a braced temporary inside a co_await is destroyed twice by
            // g++ 12 (docs/decisions.md, "Coroutine parameters").
            const std::vector<std::string> question{R"(\[yes/no\])"};
            const std::vector<std::string> aborted_or_question{"aborted",
                                                               R"(continue\?\s*\[yes/no\])"};
            const std::vector<std::string> none;
            const auto declined = co_await session->Send("no", question, 20s);
            EXPECT_EQ(declined.index, ExpectResult::kPrompt) << declined.text;
            EXPECT_TRUE(Contains(declined.earlier, "will reload the system, continue?"))
                << declined.earlier;
            EXPECT_TRUE(Contains(declined.text, "cancelled by user")) << declined.text;

            // The same question met by Send: the pattern matches, the rest of the line stays.
            const auto asked = co_await session->Send("install activate xrv9k-mini-x-6.2.1",
                                                      aborted_or_question, 20s);
            EXPECT_EQ(asked.index, 1) << asked.text;
            EXPECT_TRUE(Contains(asked.text, "Install operation")) << asked.text;
            const auto again = co_await session->Send("no", none, 20s);
            EXPECT_EQ(again.index, ExpectResult::kPrompt);
            EXPECT_EQ(again.earlier, ":[yes] ");
            const auto version = co_await session->Command("show version", 20s);
            EXPECT_TRUE(Contains(version, "Version 6.1.3")) << version;
            co_await session->Close();
        }(),
        kTestLimit);
}

TEST_F(DeviceSessionTest, OneCallAtATime) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto plan = PlanFor(*device_, ConnectionType::kSsh);
    auto session = Await(io_.ioc(), DeviceConnector(io_.executor()).Connect(plan, log), kTestLimit);
    // The first call waits at `reload`'s question (no prompt until its deadline) when the
    // second comes.
    auto first = asio::co_spawn(io_.ioc(), session->Command("reload", 3s), asio::use_future);
    std::this_thread::sleep_for(500ms);
    auto second = asio::co_spawn(io_.ioc(), session->Command("show clock", 5s), asio::use_future);
    try {
        second.get();
        ADD_FAILURE() << "a second call ran";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.failure(), DeviceFailure::kBusy) << e.what();
    }
    try {
        first.get();
        ADD_FAILURE() << "reload answered with a prompt";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.failure(), DeviceFailure::kTimeout) << e.what();
    }
    const std::vector<std::string> none;
    const auto declined = Await(io_.ioc(), session->Send("n", none, 10s), kTestLimit);
    EXPECT_EQ(declined.index, ExpectResult::kPrompt);
    EXPECT_TRUE(Contains(declined.earlier, "Proceed with reload? [confirm]")) << declined.earlier;
    const auto clock = Await(io_.ioc(), session->Command("show clock", 10s), kTestLimit);
    EXPECT_TRUE(Contains(clock, "UTC")) << clock;
    Await(io_.ioc(), session->Close(), kTestLimit);
}

TEST_F(DeviceSessionTest, CloseEndsAWaitingCall) {
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto plan = PlanFor(*device_, ConnectionType::kTelnet);
    auto session = Await(io_.ioc(), DeviceConnector(io_.executor()).Connect(plan, log), kTestLimit);
    auto waiting = asio::co_spawn(io_.ioc(), session->Command("reload", 60s), asio::use_future);
    std::this_thread::sleep_for(500ms);
    const auto start = steady_clock::now();
    Await(io_.ioc(), session->Close(), kTestLimit);
    try {
        waiting.get();
        ADD_FAILURE() << "reload answered with a prompt";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.failure(), DeviceFailure::kDisconnected) << e.what();
        EXPECT_TRUE(Contains(e.what(), "closed by escd")) << e.what();
    }
    EXPECT_LT(SecondsSince(start), 3.0);
    EXPECT_FALSE(session->connected());
}

TEST(DeviceReload, SessionDropsAtOnceAndTheDeviceComesBack) {
    std::string why;
    auto device =
        XrDevice::Up("r" + std::to_string(::getpid() % 100000), {"--reload-seconds", "5"}, why);
    if (!device) ESCD_SKIP_OR_FAIL(why);
    test::IoThreads io(2);
    Transcript log;
    const TranscriptOnFailure shown{log};
    const auto plan = PlanFor(*device, ConnectionType::kSsh);
    Await(
        io.ioc(),
        [&]() -> asio::awaitable<void> {
            auto session = co_await DeviceConnector(io.executor()).Connect(plan, log);
            const std::vector<std::string> confirm{R"(\[confirm\])"};
            const auto asked = co_await session->Send("reload", confirm, 20s);
            EXPECT_EQ(asked.index, 0) << asked.text;
            const auto start = steady_clock::now();
            std::optional<DeviceError> dropped;
            try {
                co_await session->Command("y", 120s);
            } catch (const DeviceError& e) {
                dropped = e;
            }
            const auto took = SecondsSince(start);
            EXPECT_TRUE(dropped && dropped->failure() == DeviceFailure::kDisconnected);
            if (dropped) {
                EXPECT_TRUE(Contains(dropped->what(), "closed")) << dropped->what();
            }
            EXPECT_LT(took, 20.0) << "at once, not at the 120 s deadline";
            std::cout << "the session dropped " << took << " s after the reload was confirmed\n";
            EXPECT_FALSE(session->connected());
            const auto again = steady_clock::now();
            try {
                co_await session->Command("show version", 30s);
                ADD_FAILURE() << "a command on a dropped session";
            } catch (const DeviceError& e) {
                EXPECT_EQ(e.failure(), DeviceFailure::kDisconnected) << e.what();
            }
            EXPECT_LT(SecondsSince(again), 1.0);
            co_await session->Close();

            // CSM's reload wait: reconnect until the device takes logins again.
            asio::steady_timer pause(co_await asio::this_coro::executor);
            std::unique_ptr<DeviceSession> back;
            for (int i = 0; i < 30 && !back; ++i) {
                try {
                    back = co_await DeviceConnector(io.executor()).Connect(plan, log);
                } catch (const DeviceError&) {
                }
                if (back) break;
                pause.expires_after(1s);
                co_await pause.async_wait(asio::use_awaitable);
            }
            EXPECT_TRUE(back != nullptr) << "the device never came back";
            if (back) {
                const auto uptime = co_await back->Command("show version | include uptime", 20s);
                EXPECT_TRUE(Contains(uptime, "System uptime is")) << uptime;
                co_await back->Close();
            }
        }(),
        kTestLimit);
    EXPECT_TRUE(Contains(log.Text(), "USER_RESET")) << log.Text();
}

// A 10 ms ticker on the sessions' io_context: a blocked Asio thread shows as a late tick.
asio::awaitable<void> Tick(std::atomic<bool>* done, std::atomic<long>* worst_ms) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!*done) {
        const auto due = steady_clock::now() + 10ms;
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        const auto late =
            std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - due)
                .count();
        if (late > *worst_ms) *worst_ms = late;
    }
}

// One of the concurrent sessions: its time from connecting to closed.
asio::awaitable<double> OneSession(asio::any_io_executor executor,
                                   const ConnectionPlan* plan,
                                   Transcript* log) {
    const auto began = steady_clock::now();
    auto session = co_await DeviceConnector(executor).Connect(*plan, *log);
    const auto version = co_await session->Command("show version", 60s);
    EXPECT_TRUE(Contains(version, "Version 6.1.3")) << version;
    const auto inventory = co_await session->Command("show inventory", 60s);
    EXPECT_TRUE(Contains(inventory, "Rack 0")) << inventory;
    co_await session->Command("show platform", 60s);
    co_await session->Close();
    co_return SecondsSince(began);
}

TEST_F(DeviceSessionTest, TwentySessionsAtOnceOnTwoThreads) {
    constexpr int kSessions = 20;
    std::atomic<bool> done{false};
    std::atomic<long> worst_ms{0};
    auto ticker = asio::co_spawn(io_.ioc(), Tick(&done, &worst_ms), asio::use_future);
    std::vector<Transcript> logs(kSessions);
    std::vector<ConnectionPlan> plans;
    for (int i = 0; i < kSessions; ++i) {
        // Half over SSH, half over telnet: the namespace's sshd drops unauthenticated
        // connections beyond its MaxStartups (10), as any OpenSSH does.
        plans.push_back(PlanFor(*device_, i % 2 ? ConnectionType::kTelnet : ConnectionType::kSsh));
        plans.back().connect_timeout = 60s;
    }
    const auto start = steady_clock::now();
    std::vector<std::future<double>> sessions;
    for (int i = 0; i < kSessions; ++i) {
        sessions.push_back(asio::co_spawn(
            io_.ioc(), OneSession(io_.executor(), &plans[i], &logs[i]), asio::use_future));
    }
    double longest = 0;
    int completed = 0;
    std::string times;
    for (auto& session : sessions) {
        ASSERT_EQ(session.wait_for(kTestLimit), std::future_status::ready);
        try {
            const auto took = session.get();
            longest = std::max(longest, took);
            times += " " + std::to_string(took).substr(0, 4);
            ++completed;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "a session failed: " << e.what();
        }
    }
    const auto total = SecondsSince(start);
    done = true;
    ticker.wait();
    EXPECT_EQ(completed, kSessions);
    // A blocked thread (a blocking connect, a DNS lookup, a blocking libssh call) shows as
    // seconds; a loaded machine's scheduling as tens of milliseconds.
    EXPECT_LT(worst_ms.load(), 500) << "an Asio thread was blocked";
    std::cout << kSessions << " sessions (ssh, telnet, ...): " << total
              << " s in all, each (s):" << times << "; the worst late tick " << worst_ms.load()
              << " ms\n";
}

}  // namespace
}  // namespace escd::orchestrator::csm
