#pragma once
/// @file
/// An IP network ("10.0.0.0/24", "fd00::/64") and the address arithmetic subnet validation and
/// address allocation need: containment, ordering, first/last address, netmask.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace escd {

/// An address as 16 big-endian bytes (IPv4 in the last 4), so that v4 and v6 compare alike.
using IpBytes = std::array<unsigned char, 16>;
IpBytes ToBytes(const boost::asio::ip::address& address);
boost::asio::ip::address FromBytes(const IpBytes& bytes, bool v4);
/// `address` + delta (delta -1 or +1 in practice), wrapping within its family.
boost::asio::ip::address StepAddress(const boost::asio::ip::address& address, int delta);
/// Parses an address; nullopt on anything else (no host names).
std::optional<boost::asio::ip::address> ParseIp(std::string_view text);

class IpNetwork {
  public:
    /// "a.b.c.d/len" or "x::/len". nullopt when malformed. `host_bits_set` (optional) tells
    /// whether the address had bits beyond the prefix (10.0.0.5/24): the network is then the
    /// masked one.
    static std::optional<IpNetwork> Parse(std::string_view text, bool* host_bits_set = nullptr);
    /// From an address and a dotted netmask (255.255.255.0); nullopt when the mask is not
    /// contiguous or the families differ.
    static std::optional<IpNetwork> FromNetmask(std::string_view address, std::string_view mask);

    bool is_v4() const noexcept { return v4_; }
    unsigned prefix() const noexcept { return prefix_; }
    boost::asio::ip::address network() const { return FromBytes(first_, v4_); }
    /// The last address (IPv4: the broadcast address).
    boost::asio::ip::address last() const { return FromBytes(last_, v4_); }
    bool Contains(const boost::asio::ip::address& address) const;
    /// Whether the two networks share any address.
    bool Overlaps(const IpNetwork& other) const;
    /// IPv4 dotted netmask ("255.255.255.0"); for IPv6 the prefix length as text.
    std::string Netmask() const;
    /// "10.0.0.0/24".
    std::string ToString() const;

  private:
    bool v4_ = true;
    unsigned prefix_ = 0;
    IpBytes first_{};
    IpBytes last_{};
};

}  // namespace escd
