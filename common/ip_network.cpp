#include "common/ip_network.hpp"

#include <charconv>

namespace escd {
namespace ip = boost::asio::ip;

IpBytes ToBytes(const ip::address& address) {
    IpBytes out{};
    if (address.is_v4()) {
        auto b = address.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), out.begin() + 12);
    } else {
        out = address.to_v6().to_bytes();
    }
    return out;
}

ip::address FromBytes(const IpBytes& bytes, bool v4) {
    if (v4) {
        ip::address_v4::bytes_type b;
        std::copy(bytes.begin() + 12, bytes.end(), b.begin());
        return ip::address_v4(b);
    }
    return ip::address_v6(bytes);
}

ip::address StepAddress(const ip::address& address, int delta) {
    auto bytes = ToBytes(address);
    for (; delta > 0; --delta) {
        for (int i = 15; i >= 0 && ++bytes[static_cast<std::size_t>(i)] == 0; --i) {
        }
    }
    for (; delta < 0; ++delta) {
        for (int i = 15; i >= 0 && bytes[static_cast<std::size_t>(i)]-- == 0; --i) {
        }
    }
    return FromBytes(bytes, address.is_v4());
}

std::optional<ip::address> ParseIp(std::string_view text) {
    boost::system::error_code ec;
    auto address = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return address;
}

std::optional<IpNetwork> IpNetwork::Parse(std::string_view text, bool* host_bits_set) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto address = ParseIp(text.substr(0, slash));
    if (!address) return std::nullopt;
    auto length_text = text.substr(slash + 1);
    unsigned prefix = 0;
    auto [end, ec] =
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), prefix);
    if (ec != std::errc() || end != length_text.data() + length_text.size() || length_text.empty())
        return std::nullopt;
    const unsigned max = address->is_v4() ? 32 : 128;
    if (prefix > max) return std::nullopt;

    IpNetwork net;
    net.v4_ = address->is_v4();
    net.prefix_ = prefix;
    const auto bytes = ToBytes(*address);
    // An IPv4 address sits in the last 4 of the 16 bytes; the 96 bits before it count as prefix.
    const unsigned offset = net.v4_ ? 96 : 0;
    bool host_bits = false;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned bit0 = i * 8;
        unsigned keep = offset + prefix <= bit0       ? 0
                        : offset + prefix >= bit0 + 8 ? 8
                                                      : offset + prefix - bit0;
        auto mask = static_cast<unsigned char>(0xff00u >> keep);
        net.first_[i] = bytes[i] & mask;
        net.last_[i] = static_cast<unsigned char>(bytes[i] | ~mask);
        if ((bytes[i] & ~mask) != 0) host_bits = true;
    }
    if (host_bits_set) *host_bits_set = host_bits;
    return net;
}

std::optional<IpNetwork> IpNetwork::FromNetmask(std::string_view address, std::string_view mask) {
    auto a = ParseIp(address);
    auto m = ParseIp(mask);
    if (!a || !m || !a->is_v4() || !m->is_v4()) return std::nullopt;
    auto bits = m->to_v4().to_uint();
    unsigned prefix = 0;
    while (prefix < 32 && (bits & (0x80000000u >> prefix))) ++prefix;
    if (prefix < 32 && (bits << prefix) != 0) return std::nullopt;  // not contiguous
    return Parse(std::string(address) + "/" + std::to_string(prefix));
}

bool IpNetwork::Contains(const ip::address& address) const {
    if (address.is_v4() != v4_) return false;
    auto b = ToBytes(address);
    return first_ <= b && b <= last_;
}

bool IpNetwork::Overlaps(const IpNetwork& other) const {
    return v4_ == other.v4_ && first_ <= other.last_ && other.first_ <= last_;
}

std::string IpNetwork::Netmask() const {
    if (!v4_) return std::to_string(prefix_);
    std::uint32_t bits = prefix_ == 0 ? 0 : 0xffffffffu << (32 - prefix_);
    return ip::address_v4(bits).to_string();
}

std::string IpNetwork::ToString() const {
    return network().to_string() + "/" + std::to_string(prefix_);
}

}  // namespace escd
