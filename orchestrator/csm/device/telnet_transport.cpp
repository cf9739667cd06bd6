#include "orchestrator/csm/device/telnet_transport.hpp"

#include <algorithm>
#include <cstring>

namespace escd::orchestrator::csm::detail {
namespace {

constexpr std::size_t kTelnetReadChunk = 16 * 1024;

void AppendTelnetCommand(std::string& out, std::uint8_t verb, std::uint8_t option) {
    out.push_back(static_cast<char>(TelnetCodec::kIac));
    out.push_back(static_cast<char>(verb));
    out.push_back(static_cast<char>(option));
}

}  // namespace

void TelnetCodec::Decode(std::string_view bytes, std::string& data, std::string& replies) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto byte = static_cast<std::uint8_t>(bytes[i]);
        switch (state_) {
            case State::kCr:
                state_ = State::kData;
                if (byte == 0) break;  // CR NUL: a bare CR, already passed on
                [[fallthrough]];
            case State::kData:
                if (byte == kIac) {
                    state_ = State::kIac;
                } else {
                    data.push_back(static_cast<char>(byte));
                    if (byte == '\r') state_ = State::kCr;
                }
                break;
            case State::kIac:
                if (byte == kIac) {  // an escaped 255
                    data.push_back(static_cast<char>(byte));
                    state_ = State::kData;
                } else if (byte >= kWill) {  // WILL, WONT, DO, DONT: the option follows
                    verb_ = byte;
                    state_ = State::kOption;
                } else if (byte == kSb) {
                    state_ = State::kSub;
                } else {  // NOP, GA, DM, AYT...: nothing for a CLI client to act on
                    state_ = State::kData;
                }
                break;
            case State::kOption:
                Negotiate(verb_, byte, replies);
                state_ = State::kData;
                break;
            case State::kSub:  // a subnegotiation escd never asked for: skipped to IAC SE
                if (byte == kIac) state_ = State::kSubIac;
                break;
            case State::kSubIac:
                state_ = byte == kSe ? State::kData : State::kSub;
                break;
        }
    }
}

void TelnetCodec::Negotiate(std::uint8_t verb, std::uint8_t option, std::string& replies) {
    switch (verb) {
        case kWill:  // the server offers to do `option` itself
            if (option == kEcho || option == kSuppressGoAhead) {
                if (!remote_[option]) {
                    remote_[option] = true;
                    AppendTelnetCommand(replies, kDo, option);
                }
            } else {
                AppendTelnetCommand(replies, kDont, option);
            }
            break;
        case kWont:
            if (remote_[option]) {
                remote_[option] = false;
                AppendTelnetCommand(replies, kDont, option);
            }
            break;
        case kDo:  // the server asks escd to do `option`: only SGA
            if (option == kSuppressGoAhead) {
                if (!local_[option]) {
                    local_[option] = true;
                    AppendTelnetCommand(replies, kWill, option);
                }
            } else {
                AppendTelnetCommand(replies, kWont, option);
            }
            break;
        case kDont:
            if (local_[option]) {
                local_[option] = false;
                AppendTelnetCommand(replies, kWont, option);
            }
            break;
        default:
            break;
    }
}

std::string TelnetCodec::Encode(std::string_view data) {
    std::string out;
    out.reserve(data.size() + 8);
    for (std::size_t i = 0; i < data.size(); ++i) {
        const char c = data[i];
        out.push_back(c);
        if (static_cast<std::uint8_t>(c) == kIac) {
            out.push_back(c);
        } else if (c == '\r' && (i + 1 == data.size() || data[i + 1] != '\n')) {
            out.push_back('\0');
        }
    }
    return out;
}

TelnetTransport::TelnetTransport(const Strand& strand, int fd, std::string label)
    : socket_(AdoptSocket(strand, fd)), label_(std::move(label)) {}

void TelnetTransport::End(std::string why) {
    if (ended_) return;
    ended_ = true;
    why_ = std::move(why);
}

asio::awaitable<std::size_t> TelnetTransport::ReadSome(std::span<char> buffer) {
    for (;;) {
        if (!data_.empty()) {
            const auto n = std::min(buffer.size(), data_.size());
            std::memcpy(buffer.data(), data_.data(), n);
            data_.erase(0, n);
            co_return n;
        }
        if (ended_ || !socket_.is_open()) co_return 0;
        raw_.resize(kTelnetReadChunk);
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(raw_), kNoThrow);
        if (ec) {
            if (ec == asio::error::eof) {
                End("the device closed the connection (" + label_ + ")");
            } else {
                End("connection to " + label_ + " lost: " + ec.message());
            }
            continue;
        }
        std::string replies;
        codec_.Decode(std::string_view(raw_).substr(0, n), data_, replies);
        if (!replies.empty()) {
            queue_ += replies;
            co_await Flush();
        }
    }
}

asio::awaitable<void> TelnetTransport::Write(std::string_view bytes) {
    if (ended_) co_return;  // the reader reports why
    queue_ += TelnetCodec::Encode(bytes);
    co_await Flush();
}

asio::awaitable<void> TelnetTransport::Flush() {
    if (sending_) co_return;
    sending_ = true;
    while (!queue_.empty() && !ended_) {
        std::string batch;
        batch.swap(queue_);
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(batch), kNoThrow);
        if (ec) End("connection to " + label_ + " lost: " + ec.message());
    }
    sending_ = false;
}

asio::awaitable<void> TelnetTransport::Close() {
    End("closed by escd");
    if (socket_.is_open()) {
        // The kernel still sends what it holds, then the FIN.
        boost::system::error_code ec;
        socket_.shutdown(StreamSocket::shutdown_both, ec);
        socket_.close(ec);
    }
    co_return;
}

void TelnetTransport::Abort(std::string_view why) {
    End(std::string(why));
    boost::system::error_code ec;
    socket_.close(ec);  // a pending read completes (aborted) and returns 0
}

}  // namespace escd::orchestrator::csm::detail
