#include "common/url.hpp"

#include <charconv>

#include <boost/asio/ip/address_v6.hpp>

namespace escd {
namespace {

char ToLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Host names are limited to letters, digits, '-', '.' and '_': that covers DNS names and IPv4
// literals, and keeps percent-encoding and other oddities out of the Host header and resolver.
bool IsValidHostName(std::string_view host) {
    if (host.empty()) return false;
    for (char c : host) {
        if (!IsAlnum(c) && c != '-' && c != '.' && c != '_') return false;
    }
    return true;
}

// An explicit port must be 1..65535 written in decimal. An empty port ("http://h:/") is refused
// as well: nobody writes it on purpose, and a strict parser keeps odd callbacks out.
std::optional<std::uint16_t> ParsePort(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::uint16_t DefaultPort(std::string_view scheme) {
    return scheme == "https" ? 443 : 80;
}

}  // namespace

std::string Url::HostHeader() const {
    // Appended piecewise: g++ 12 warns (-Wrestrict, falsely) about "[" + host + "]".
    std::string out;
    out.reserve(host.size() + 8);
    if (ipv6_literal)
        out.append(1, '[').append(host).append(1, ']');
    else
        out.append(host);
    // The default port is left out, as browsers and curl do; some servers compare Host strictly.
    if (port != DefaultPort(scheme)) out.append(1, ':').append(std::to_string(port));
    return out;
}

std::optional<Url> ParseUrl(std::string_view text) {
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) return std::nullopt;
    }
    if (text.find('#') != std::string_view::npos) return std::nullopt;

    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    Url url;
    for (char c : text.substr(0, scheme_end)) url.scheme.push_back(ToLower(c));
    if (url.scheme != "http" && url.scheme != "https") return std::nullopt;

    auto rest = text.substr(scheme_end + 3);
    auto authority_end = rest.find_first_of("/?");
    auto authority = rest.substr(0, authority_end);
    auto target =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            has_port = true;
            port_text = after.substr(1);
        }
        // Zone ids ("fe80::1%25eth0") are refused: they name an interface of this host, which is
        // never what a remote client means.
        if (host.find('%') != std::string_view::npos) return std::nullopt;
        boost::system::error_code ec;
        boost::asio::ip::make_address_v6(host, ec);
        if (ec) return std::nullopt;
        url.ipv6_literal = true;
    } else {
        auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (!IsValidHostName(host)) return std::nullopt;
    }
    url.host = std::string(host);

    if (has_port) {
        auto port = ParsePort(port_text);
        if (!port) return std::nullopt;
        url.port = *port;
    } else {
        url.port = DefaultPort(url.scheme);
    }

    if (target.empty()) {
        url.target.assign(1, '/');  // not = "/": g++ 12 -Wrestrict false positive
    } else if (target.front() == '?') {
        url.target.assign(1, '/').append(target);
    } else {
        url.target = std::string(target);
    }
    return url;
}

}  // namespace escd
