#include "server/swdist/signer.hpp"

#include "common/crypto.hpp"

#include <charconv>
#include <vector>

namespace escd::server::swdist {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

std::optional<std::int64_t> Number(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The first 10 decimal digits the signature yields.
std::string Digits(std::string_view mac, std::size_t count) {
    std::uint64_t value = 0;
    for (char c : mac.substr(0, 12)) value = value * 64 + static_cast<unsigned char>(c);
    std::string digits = std::to_string(value % 10'000'000'000ull);
    digits.insert(0, count - std::min(count, digits.size()), '0');
    return digits;
}

}  // namespace

Signer::Signer(std::string key, WallClock now) : key_(std::move(key)), now_(std::move(now)) {}

std::string Signer::Mac(std::string_view text) const {
    return HmacSha256Url(key_, text);
}

std::int64_t Signer::Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
}

std::string Signer::IssueToken(const std::string& client_id) const {
    const auto body = "t1." + client_id + "." + std::to_string(Now() + kTokenLifetime.count());
    return body + "." + Mac(body);
}

std::optional<std::string> Signer::VerifyToken(std::string_view token) const {
    const auto parts = Split(token, '.');
    if (parts.size() != 4 || parts[0] != "t1") return std::nullopt;
    const auto body = token.substr(0, token.rfind('.'));
    if (!ConstantTimeEqual(Mac(body), parts[3])) return std::nullopt;
    const auto expires = Number(parts[2]);
    if (!expires || *expires <= Now()) return std::nullopt;
    return std::string(parts[1]);
}

std::string Signer::IssueTransaction(const std::string& client_id) const {
    const auto issued = std::to_string(Now());
    return issued + Digits(Mac("m1." + client_id + "." + issued), 10);
}

Signer::TransactionCheck Signer::VerifyTransaction(std::string_view id,
                                                   const std::string& client_id) const {
    if (id.size() <= 10) return TransactionCheck::kInvalid;
    const auto issued = id.substr(0, id.size() - 10);
    const auto when = Number(issued);
    if (!when) return TransactionCheck::kInvalid;
    const auto expected = Digits(Mac("m1." + client_id + "." + std::string(issued)), 10);
    if (!ConstantTimeEqual(expected, id.substr(id.size() - 10))) return TransactionCheck::kInvalid;
    if (*when + kTransactionLifetime.count() <= Now()) return TransactionCheck::kExpired;
    return TransactionCheck::kValid;
}

std::string Signer::IssueDownload(const model::catalogue::ImageGuid& guid,
                                  const std::string& client_id) const {
    const auto body = "d1." + guid.text() + "." + client_id + "." +
                      std::to_string(Now() + kDownloadLifetime.count());
    return body + "." + Mac(body);
}

std::optional<Signer::Download> Signer::VerifyDownload(std::string_view code) const {
    const auto parts = Split(code, '.');
    if (parts.size() != 5 || parts[0] != "d1") return std::nullopt;
    if (!ConstantTimeEqual(Mac(code.substr(0, code.rfind('.'))), parts[4])) return std::nullopt;
    const auto expires = Number(parts[3]);
    if (!expires || *expires <= Now()) return std::nullopt;
    auto guid = model::catalogue::ImageGuid::Parse(parts[1]);
    if (!guid) return std::nullopt;
    return Download{*guid, std::string(parts[2])};
}

std::string Signer::SessionId(std::string_view seed) const {
    return std::to_string(Now()) + Digits(Mac("s1." + std::string(seed)), 8);
}

}  // namespace escd::server::swdist
