#pragma once
/// @file
/// Allow-lists of CIDR blocks (IPv4 and IPv6), used to limit which addresses escd will send
/// callbacks to or monitor. An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is matched as IPv4.

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace escd {

class CidrList {
  public:
    CidrList() = default;

    /// Parses "127.0.0.0/8, ::1/128" (comma and/or space separated; an address without a
    /// prefix length means a single host). Throws std::invalid_argument naming the bad entry.
    static CidrList Parse(std::string_view text);

    bool Contains(const boost::asio::ip::address& address) const;
    bool empty() const noexcept { return blocks_.empty(); }
    /// Canonical text form, e.g. "127.0.0.0/8,::1/128".
    std::string ToString() const;

  private:
    struct Block {
        boost::asio::ip::address network;
        unsigned prefix;
    };
    std::vector<Block> blocks_;
};

}  // namespace escd
