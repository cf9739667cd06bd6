// The device sessions' rules without a device: prompts, echoes, terminal text, the telnet
// protocol, connection plans.

#include "orchestrator/csm/device/cli_text.hpp"

#include <gtest/gtest.h>

#include "orchestrator/csm/device/device_session.hpp"
#include "orchestrator/csm/device/telnet_transport.hpp"

namespace escd::orchestrator::csm {
namespace {

using cli::OutputBefore;
using cli::TrailingPrompt;
using detail::TelnetCodec;

TEST(CliPrompt, FindsIosXrAdminAndIosPromptsAtTheEnd) {
    EXPECT_EQ(TrailingPrompt("out\nRP/0/RP0/CPU0:r1#"), "RP/0/RP0/CPU0:r1#");
    EXPECT_EQ(TrailingPrompt("cisco connected\nsysadmin-vm:0_RP0# "), "sysadmin-vm:0_RP0#");
    EXPECT_EQ(TrailingPrompt("\n\nrouter>"), "router>");
    EXPECT_EQ(TrailingPrompt("switch(config-if)#"), "switch(config-if)#");
    EXPECT_EQ(TrailingPrompt("user@host.example:~>"), std::nullopt) << "~ is not a prompt char";
}

TEST(CliPrompt, NothingMayFollowThePrompt) {
    EXPECT_EQ(TrailingPrompt("RP/0/RP0/CPU0:r1#\n"), std::nullopt);
    EXPECT_EQ(TrailingPrompt("RP/0/RP0/CPU0:r1#show version"), std::nullopt);
    EXPECT_EQ(TrailingPrompt("Username: "), std::nullopt);
    EXPECT_EQ(TrailingPrompt(" [yes/no]:[yes] "), std::nullopt);
    EXPECT_EQ(TrailingPrompt(""), std::nullopt);
    EXPECT_EQ(TrailingPrompt("interface GigabitEthernet0/0/0/0 # a comment"), std::nullopt);
}

// {begin, end} of the echo, or -1 while undecided.
std::pair<long, long> EchoOf(std::string_view answer, std::string_view line) {
    const auto echo = cli::FindEcho(answer, line);
    if (!echo) return {-1, -1};
    return {static_cast<long>(echo->begin), static_cast<long>(echo->end)};
}

TEST(CliEcho, SkipsTheEchoAndItsNewline) {
    using Span = std::pair<long, long>;
    EXPECT_EQ(EchoOf("show version\nCisco IOS", "show version"), Span(0, 13));
    EXPECT_EQ(EchoOf("show version.", "show version"), Span(0, 12)) << "no newline: the echo only";
    EXPECT_EQ(EchoOf("show ver", "show version"), Span(-1, -1)) << "still arriving";
    EXPECT_EQ(EchoOf("show version", "show version"), Span(-1, -1)) << "undecided";
    EXPECT_EQ(EchoOf("\nRP/0/RP0/CPU0:r1#", "cisco"), Span(0, 0)) << "a password: no echo";
    EXPECT_EQ(EchoOf("\n", "cisco"), Span(-1, -1)) << "what follows the newline decides";
    EXPECT_EQ(EchoOf("% Invalid input\nRP/0/RP0/CPU0:r1#", "shw version"), Span(0, 0));
    EXPECT_EQ(EchoOf("anything", ""), Span(0, 0));
}

TEST(CliEcho, TextThatCrossedTheTypedLineComesBeforeTheEcho) {
    using Span = std::pair<long, long>;
    const std::string answer =
        "\n10:00:01 Install operation 3 finished successfully\nshow install request\nNo install";
    const auto begin = static_cast<long>(answer.find("show install request"));
    EXPECT_EQ(EchoOf(answer, "show install request"), Span(begin, begin + 21));
    EXPECT_EQ(EchoOf("\nInstall operation 3 finished\nshow inst", "show install request"),
              Span(-1, -1));
}

TEST(CliOutput, DropsTheNewlinesAroundTheOutput) {
    const std::string answer = "\nline 1\nline 2\nRP/0/RP0/CPU0:r1#";
    EXPECT_EQ(OutputBefore(answer, cli::LastLineStart(answer)), "line 1\nline 2");
    EXPECT_EQ(OutputBefore("\nRP/0/RP0/CPU0:r1#", 1), "");
}

TEST(CliTerminalText, DropsCarriageReturnsAndEscapesSplitAcrossChunks) {
    cli::TerminalText terminal;
    EXPECT_EQ(terminal.Clean("a\r\nb\x1b["), "a\nb");
    EXPECT_EQ(terminal.Clean("2Kc\x1b"), "c");
    EXPECT_EQ(terminal.Clean(std::string_view("7d\a\0e", 5)), "de");
}

std::string Bytes(std::initializer_list<int> values) {
    std::string bytes;
    for (int v : values) bytes.push_back(static_cast<char>(v));
    return bytes;
}

TEST(Telnet, AcceptsEchoAndSgaFromTheServerRefusesTheRest) {
    TelnetCodec codec;
    std::string data, replies;
    // busybox telnetd's opening: DO ECHO, DO NAWS, WILL ECHO, WILL SGA.
    codec.Decode(Bytes({255, 253, 1, 255, 253, 31, 255, 251, 1, 255, 251, 3}), data, replies);
    EXPECT_EQ(data, "");
    EXPECT_EQ(replies, Bytes({255, 252, 1, 255, 252, 31, 255, 253, 1, 255, 253, 3}));
    EXPECT_TRUE(codec.server_echoes());
    // Said again: already agreed, no answer (no negotiation loop).
    replies.clear();
    codec.Decode(Bytes({255, 251, 1, 255, 251, 3}), data, replies);
    EXPECT_EQ(replies, "");
    // A WILL of anything else is refused, each time.
    codec.Decode(Bytes({255, 251, 24}), data, replies);
    EXPECT_EQ(replies, Bytes({255, 254, 24}));
    // WONT ECHO turns it off, acknowledged once.
    replies.clear();
    codec.Decode(Bytes({255, 252, 1}), data, replies);
    EXPECT_EQ(replies, Bytes({255, 254, 1}));
    EXPECT_FALSE(codec.server_echoes());
    replies.clear();
    codec.Decode(Bytes({255, 252, 1}), data, replies);
    EXPECT_EQ(replies, "");
}

TEST(Telnet, DoSgaIsAcceptedDontIsAcknowledged) {
    TelnetCodec codec;
    std::string data, replies;
    codec.Decode(Bytes({255, 253, 3}), data, replies);
    EXPECT_EQ(replies, Bytes({255, 251, 3}));
    replies.clear();
    codec.Decode(Bytes({255, 254, 3}), data, replies);
    EXPECT_EQ(replies, Bytes({255, 252, 3}));
    replies.clear();
    codec.Decode(Bytes({255, 254, 24}), data, replies);  // never enabled: nothing to say
    EXPECT_EQ(replies, "");
}

TEST(Telnet, DataIacIacCrNulAndCommandsSplitAcrossReads) {
    TelnetCodec codec;
    std::string data, replies;
    codec.Decode("a" + Bytes({255}), data, replies);
    codec.Decode(Bytes({255}) + "b\r", data, replies);
    codec.Decode(Bytes({0}) + "c\r\nd" + Bytes({255, 241}) + "e", data, replies);  // NOP
    codec.Decode(Bytes({255, 250, 24, 1, 255, 255, 255}), data, replies);          // SB TTYPE..
    codec.Decode(Bytes({240}) + "f" + Bytes({255, 251}), data, replies);           // ..SE, WILL
    codec.Decode(Bytes({3}), data, replies);
    EXPECT_EQ(data, "a" + Bytes({255}) + "b\rc\r\ndef");
    EXPECT_EQ(replies, Bytes({255, 253, 3}));
}

TEST(Telnet, EncodesIacAndBareCarriageReturns) {
    EXPECT_EQ(TelnetCodec::Encode("show\r\n"), "show\r\n");
    EXPECT_EQ(TelnetCodec::Encode("a\rb"), std::string("a\r\0b", 4));
    EXPECT_EQ(TelnetCodec::Encode("x" + Bytes({255})), "x" + Bytes({255, 255}));
}

TEST(ConnectionPlan, EveryAddressTimesEveryPortInOrder) {
    model::csm::Host host;
    host.hostname = "r1";
    host.connection_type = model::csm::ConnectionType::kTelnet;
    host.ts_or_ip = {"10.0.0.1", " 10.0.0.2 "};
    host.port_number = {"2001", "", "2002"};
    host.username = "cisco";
    host.password = "secret";
    host.enable_password = "en";
    model::csm::JumpHost jump;
    jump.hostname = "j";
    jump.connection_type = model::csm::ConnectionType::kSsh;
    jump.host_or_ip = "192.0.2.7";
    jump.username = "hop";
    jump.password = "hop-pw";
    const auto plan = MakeConnectionPlan(host, jump, std::chrono::seconds(5));
    ASSERT_EQ(plan.targets.size(), 6u);
    std::vector<std::string> seen;
    for (const auto& target : plan.targets) seen.push_back(Describe(target));
    EXPECT_EQ(seen, (std::vector<std::string>{
                        "telnet://cisco@10.0.0.1:2001", "telnet://cisco@10.0.0.1:23",
                        "telnet://cisco@10.0.0.1:2002", "telnet://cisco@10.0.0.2:2001",
                        "telnet://cisco@10.0.0.2:23", "telnet://cisco@10.0.0.2:2002"}));
    EXPECT_EQ(plan.targets[0].password, "secret");
    ASSERT_TRUE(plan.jump_host);
    EXPECT_EQ(Describe(*plan.jump_host), "ssh://hop@192.0.2.7:22");
    EXPECT_EQ(plan.enable_password, "en");
    EXPECT_EQ(plan.connect_timeout, std::chrono::seconds(5));
}

TEST(ConnectionPlan, DefaultPortAndBadInput) {
    model::csm::Host host;
    host.hostname = "r2";
    host.ts_or_ip = {"10.0.0.1"};
    auto plan = MakeConnectionPlan(host, std::nullopt);
    ASSERT_EQ(plan.targets.size(), 1u);
    EXPECT_EQ(plan.targets[0].port, 22);
    EXPECT_FALSE(plan.jump_host);
    host.port_number = {"22x"};
    try {
        MakeConnectionPlan(host, std::nullopt);
        ADD_FAILURE() << "a bad port was accepted";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.failure(), DeviceFailure::kUnsupported);
        EXPECT_NE(std::string(e.what()).find("'22x'"), std::string::npos) << e.what();
    }
    host.port_number.clear();
    host.ts_or_ip.clear();
    EXPECT_THROW(MakeConnectionPlan(host, std::nullopt), DeviceError);
}

TEST(DeviceErrors, MapToErrorCodes) {
    EXPECT_EQ(DeviceError(DeviceFailure::kLoginFailed, "x").code(), ErrorCode::kUnauthorized);
    EXPECT_EQ(DeviceError(DeviceFailure::kTimeout, "x").code(), ErrorCode::kUnavailable);
    EXPECT_EQ(DeviceError(DeviceFailure::kDisconnected, "x").origin(), ErrorOrigin::kRemote);
    EXPECT_EQ(DeviceError(DeviceFailure::kBusy, "x").code(), ErrorCode::kConflict);
    EXPECT_EQ(DeviceFailureName(DeviceFailure::kDisconnected), "disconnected");
}

}  // namespace
}  // namespace escd::orchestrator::csm
