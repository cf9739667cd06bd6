#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <climits>
#include <stdexcept>
#include <vector>

namespace escd {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHashScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Bounds on what VerifyPassword accepts from a stored hash, so that a corrupted row cannot make
// one login attempt run for minutes or allocate without limit.
constexpr unsigned long kMaxIterations = 10'000'000;
constexpr std::size_t kMaxStoredBytes = 64;

std::vector<unsigned char> RandomBytes(std::size_t count) {
    std::vector<unsigned char> bytes(count);
    if (count > static_cast<std::size_t>(INT_MAX)) throw std::length_error("RandomBytes: too many");
    if (count > 0 && RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return bytes;
}

std::string ToHex(const unsigned char* data, std::size_t size) {
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kHexDigits[data[i] >> 4]);
        out.push_back(kHexDigits[data[i] & 0x0f]);
    }
    return out;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::vector<unsigned char>> FromHex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<unsigned char> out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int high = HexValue(text[i]);
        int low = HexValue(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<unsigned char>(high << 4 | low));
    }
    return out;
}

int Base64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

std::vector<unsigned char> Pbkdf2(std::string_view password,
                                  const std::vector<unsigned char>& salt,
                                  unsigned iterations,
                                  std::size_t length) {
    if (password.size() > static_cast<std::size_t>(INT_MAX) || iterations > INT_MAX) {
        throw std::invalid_argument("PBKDF2: input too large");
    }
    std::vector<unsigned char> out(length);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                          static_cast<int>(length), out.data()) != 1) {
        throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
    }
    return out;
}

// Splits "a$b$c$d" into exactly four fields.
std::optional<std::array<std::string_view, 4>> SplitHash(std::string_view text) {
    std::array<std::string_view, 4> fields;
    for (std::size_t i = 0; i < 4; ++i) {
        auto dollar = text.find('$');
        if (i == 3) {
            if (dollar != std::string_view::npos) return std::nullopt;
            fields[i] = text;
        } else {
            if (dollar == std::string_view::npos) return std::nullopt;
            fields[i] = text.substr(0, dollar);
            text.remove_prefix(dollar + 1);
        }
    }
    return fields;
}

}  // namespace

std::string NewUuid() {
    auto bytes = RandomBytes(16);
    // RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10xx in byte 8.
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    std::string hex = ToHex(bytes.data(), bytes.size());
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string NameUuid(std::string_view name) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(name.data(), name.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
        length < 16) {
        throw std::runtime_error("SHA-256 failed");
    }
    // RFC 4122 §4.3 layout with version 8 (custom): the bits say "derived, not random".
    digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x80);
    digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
    std::string hex = ToHex(digest, 16);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string RandomHex(std::size_t bytes) {
    auto random = RandomBytes(bytes);
    return ToHex(random.data(), random.size());
}

std::string RandomPassword(std::size_t length) {
    std::string out;
    out.reserve(length);
    // Rejection sampling: bytes >= 248 (= 4 * 62) are dropped so every character is equally likely.
    constexpr unsigned kLimit = 256 - 256 % kPasswordAlphabet.size();
    while (out.size() < length) {
        for (unsigned char byte : RandomBytes(length - out.size() + 8)) {
            if (byte >= kLimit) continue;
            out.push_back(kPasswordAlphabet[byte % kPasswordAlphabet.size()]);
            if (out.size() == length) break;
        }
    }
    return out;
}

std::string Base64Encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t at) { return static_cast<unsigned char>(data[at]); };
    for (; i + 3 <= data.size(); i += 3) {
        unsigned triple = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out.push_back(kBase64Alphabet[triple >> 18 & 0x3f]);
        out.push_back(kBase64Alphabet[triple >> 12 & 0x3f]);
        out.push_back(kBase64Alphabet[triple >> 6 & 0x3f]);
        out.push_back(kBase64Alphabet[triple & 0x3f]);
    }
    std::size_t left = data.size() - i;
    if (left == 1) {
        unsigned triple = byte(i) << 16;
        out.push_back(kBase64Alphabet[triple >> 18 & 0x3f]);
        out.push_back(kBase64Alphabet[triple >> 12 & 0x3f]);
        out.append("==");
    } else if (left == 2) {
        unsigned triple = byte(i) << 16 | byte(i + 1) << 8;
        out.push_back(kBase64Alphabet[triple >> 18 & 0x3f]);
        out.push_back(kBase64Alphabet[triple >> 12 & 0x3f]);
        out.push_back(kBase64Alphabet[triple >> 6 & 0x3f]);
        out.push_back('=');
    }
    return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
    // Our own decoder rather than EVP_DecodeBlock, which skips whitespace and reports padding
    // as zero bytes; this one accepts only the canonical form (RFC 4648 §3.5: non-zero pad bits
    // are refused too).
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        ++padding;
        if (text[text.size() - 2] == '=') ++padding;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        bool last = i + 4 == text.size();
        std::size_t usable = last ? 4 - padding : 4;
        unsigned quad = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            int value = 0;
            if (j < usable) {
                value = Base64Value(text[i + j]);
                if (value < 0) return std::nullopt;
            }
            quad = quad << 6 | static_cast<unsigned>(value);
        }
        out.push_back(static_cast<char>(quad >> 16 & 0xff));
        if (usable >= 3) out.push_back(static_cast<char>(quad >> 8 & 0xff));
        if (usable == 4) out.push_back(static_cast<char>(quad & 0xff));
        if (usable == 2 && (quad & 0xffff) != 0) return std::nullopt;
        if (usable == 3 && (quad & 0xff) != 0) return std::nullopt;
    }
    return out;
}

std::string Base64UrlEncode(std::string_view data) {
    auto text = Base64Encode(data);
    while (!text.empty() && text.back() == '=') text.pop_back();
    for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return text;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    std::string standard(text);
    for (auto& c : standard) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    if (standard.size() % 4 == 1) return std::nullopt;
    standard.append((4 - standard.size() % 4) % 4, '=');
    return Base64Decode(standard);
}

std::string HmacSha256Url(std::string_view key, std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
    return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string HashPassword(std::string_view password, unsigned iterations) {
    if (iterations == 0) throw std::invalid_argument("HashPassword: iterations must be >= 1");
    auto salt = RandomBytes(kSaltBytes);
    auto hash = Pbkdf2(password, salt, iterations, kHashBytes);
    return std::string(kHashScheme) + "$" + std::to_string(iterations) + "$" +
           ToHex(salt.data(), salt.size()) + "$" + ToHex(hash.data(), hash.size());
}

bool VerifyPassword(std::string_view password, std::string_view stored_hash) {
    auto fields = SplitHash(stored_hash);
    if (!fields || (*fields)[0] != kHashScheme) return false;

    std::string_view iterations_text = (*fields)[1];
    unsigned long iterations = 0;
    auto [end, ec] = std::from_chars(iterations_text.data(),
                                     iterations_text.data() + iterations_text.size(), iterations);
    if (iterations_text.empty() || ec != std::errc{} ||
        end != iterations_text.data() + iterations_text.size() || iterations == 0 ||
        iterations > kMaxIterations) {
        return false;
    }
    auto salt = FromHex((*fields)[2]);
    auto expected = FromHex((*fields)[3]);
    if (!salt || !expected || salt->empty() || expected->empty() ||
        salt->size() > kMaxStoredBytes || expected->size() > kMaxStoredBytes) {
        return false;
    }
    auto actual = Pbkdf2(password, *salt, static_cast<unsigned>(iterations), expected->size());
    return CRYPTO_memcmp(actual.data(), expected->data(), expected->size()) == 0;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string LowerHex(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xf]);
    }
    return out;
}

}  // namespace escd
