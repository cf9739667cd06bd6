#pragma once
/// @file
/// Internal: telnet (RFC 854) on an Asio descriptor: the NVT's byte stuffing and line ends, and
/// the option negotiation of a client that wants a plain remote-echo line: the server may
/// enable ECHO and SUPPRESS-GO-AHEAD on its side, escd enables SGA on its own; everything else
/// is refused (RFC 1143's rules: a request is answered once per change of state, so that two
/// peers never loop). The login dialogue (`Username:`) is the session's (device_connector.cpp):
/// it is CLI text, the same over SSH to a device that asks.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestrator/csm/device/transport.hpp"

namespace escd::orchestrator::csm::detail {

/// The protocol without I/O (tests/device/cli_text_test.cpp drives it).
class TelnetCodec {
  public:
    static constexpr std::uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251,
                                  kSb = 250, kSe = 240;
    static constexpr std::uint8_t kEcho = 1, kSuppressGoAhead = 3;

    /// Bytes from the server: the data they carry is appended to `data` (IAC IAC is one 255,
    /// CR NUL a CR, CR LF stays), the answers to its negotiation to `replies`. A command split
    /// across calls continues in the next.
    void Decode(std::string_view bytes, std::string& data, std::string& replies);
    /// Bytes for the server: 255 doubled, a CR not followed by LF sent as CR NUL.
    static std::string Encode(std::string_view data);
    /// Whether the server echoes what escd types (it said WILL ECHO).
    bool server_echoes() const { return remote_[kEcho]; }

  private:
    enum class State { kData, kCr, kIac, kOption, kSub, kSubIac };
    void Negotiate(std::uint8_t verb, std::uint8_t option, std::string& replies);

    State state_ = State::kData;
    std::uint8_t verb_ = 0;
    std::array<bool, 256> remote_{};  // options the server enabled on its side
    std::array<bool, 256> local_{};   // options escd enabled on its side
};

class TelnetTransport final : public Transport {
  public:
    /// Over `fd`, a connected stream socket (owned from now on); `label` names the peer.
    TelnetTransport(const Strand& strand, int fd, std::string label);

    asio::awaitable<std::size_t> ReadSome(std::span<char> buffer) override;
    asio::awaitable<void> Write(std::string_view bytes) override;
    asio::awaitable<void> Close() override;
    void Abort(std::string_view why) override;
    std::string ended_because() const override { return why_; }
    std::string_view line_end() const override { return "\r\n"; }

  private:
    // Sends what is queued; one sender at a time (a reader answering the negotiation and a
    // writer may both send), the others leave their bytes to it.
    asio::awaitable<void> Flush();
    void End(std::string why);

    StreamSocket socket_;
    std::string label_;
    TelnetCodec codec_;
    std::string raw_;    // the read buffer
    std::string data_;   // decoded, not yet read
    std::string queue_;  // encoded, not yet sent
    bool sending_ = false;
    bool ended_ = false;
    std::string why_;
};

}  // namespace escd::orchestrator::csm::detail
