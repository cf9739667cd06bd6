#include "common/cidr.hpp"

#include <array>
#include <charconv>
#include <stdexcept>

namespace escd {
namespace {

namespace ip = boost::asio::ip;

// Mapped addresses arrive on dual-stack sockets; matching them as IPv4 lets one "127.0.0.0/8"
// entry cover both ways a loopback peer can show up.
ip::address Unmap(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

template <std::size_t N>
void MaskBytes(std::array<unsigned char, N>& bytes, unsigned prefix) {
    for (std::size_t i = 0; i < N; ++i) {
        unsigned bits_before = static_cast<unsigned>(i) * 8;
        if (prefix >= bits_before + 8) continue;
        unsigned keep = prefix > bits_before ? prefix - bits_before : 0;
        bytes[i] &= static_cast<unsigned char>(0xff00u >> keep);
    }
}

ip::address Masked(const ip::address& address, unsigned prefix) {
    if (address.is_v4()) {
        auto bytes = address.to_v4().to_bytes();
        MaskBytes(bytes, prefix);
        return ip::address_v4(bytes);
    }
    auto bytes = address.to_v6().to_bytes();
    MaskBytes(bytes, prefix);
    return ip::address_v6(bytes);
}

[[noreturn]] void ThrowBadEntry(std::string_view entry, std::string_view why) {
    throw std::invalid_argument("invalid CIDR entry '" + std::string(entry) +
                                "': " + std::string(why));
}

bool IsSeparator(char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

CidrList CidrList::Parse(std::string_view text) {
    CidrList list;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (IsSeparator(text[pos])) {
            ++pos;
            continue;
        }
        std::size_t end = pos;
        while (end < text.size() && !IsSeparator(text[end])) ++end;
        std::string_view entry = text.substr(pos, end - pos);
        pos = end;

        auto slash = entry.find('/');
        std::string_view address_text = entry.substr(0, slash);
        // Scope ids name an interface of this host; an allow-list entry must not depend on one.
        if (address_text.find('%') != std::string_view::npos) {
            ThrowBadEntry(entry, "zone ids are not allowed");
        }
        boost::system::error_code ec;
        ip::address address = ip::make_address(address_text, ec);
        if (ec) ThrowBadEntry(entry, "not an IP address");

        unsigned max_prefix = address.is_v4() ? 32 : 128;
        unsigned prefix = max_prefix;
        if (slash != std::string_view::npos) {
            std::string_view prefix_text = entry.substr(slash + 1);
            auto [ptr, perr] = std::from_chars(prefix_text.data(),
                                               prefix_text.data() + prefix_text.size(), prefix);
            if (prefix_text.empty() || prefix_text.size() > 3 || perr != std::errc{} ||
                ptr != prefix_text.data() + prefix_text.size() || prefix > max_prefix) {
                ThrowBadEntry(entry, "bad prefix length");
            }
        }
        // "::ffff:10.0.0.0/104" is stored as "10.0.0.0/8" so that it matches like the addresses
        // Contains() unmaps. A shorter prefix reaches beyond the mapped range and stays IPv6.
        if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix >= 96) {
            address = Unmap(address);
            prefix -= 96;
        }
        // Host bits are cleared rather than refused: "127.0.0.1/8" plainly means 127.0.0.0/8.
        list.blocks_.push_back(Block{Masked(address, prefix), prefix});
    }
    return list;
}

bool CidrList::Contains(const boost::asio::ip::address& address) const {
    ip::address candidate = Unmap(address);
    if (candidate.is_v6() && candidate.to_v6().scope_id() != 0) {
        // Compare the address itself; the scope does not change which block it falls in.
        auto v6 = candidate.to_v6();
        v6.scope_id(0);
        candidate = v6;
    }
    for (const Block& block : blocks_) {
        if (block.network.is_v4() != candidate.is_v4()) continue;
        if (Masked(candidate, block.prefix) == block.network) return true;
    }
    return false;
}

std::string CidrList::ToString() const {
    std::string out;
    for (const Block& block : blocks_) {
        if (!out.empty()) out += ',';
        out += block.network.to_string();
        out += '/';
        out += std::to_string(block.prefix);
    }
    return out;
}

}  // namespace escd
