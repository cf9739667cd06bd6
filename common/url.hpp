#pragma once
/// @file
/// Parsing of the absolute http/https URLs clients give as `Callback` / `Callback-ESC-Events`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace escd {

struct Url {
    std::string scheme;      ///< "http" or "https" (lower case)
    std::string host;        ///< host name or IP literal, without the [] of an IPv6 literal
    std::uint16_t port = 0;  ///< explicit port, else 80 / 443
    std::string target;      ///< path + query, "/" when empty
    bool ipv6_literal = false;

    /// host[:port] as it belongs in a Host header ("[::1]:9000" for IPv6).
    std::string HostHeader() const;
};

/// Parses "http://host[:port][/path][?query]" and "https://...". Rejects other schemes,
/// user-info, empty hosts, bad ports (0 or > 65535), fragments, and whitespace/control characters.
std::optional<Url> ParseUrl(std::string_view text);

}  // namespace escd
