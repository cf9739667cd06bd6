#pragma once
/// @file
/// Small crypto helpers over OpenSSL 3: random ids, Base64, PBKDF2 password hashes.

#include <optional>
#include <string>
#include <string_view>

namespace escd {

/// A random (version 4) UUID in canonical form, "d53f0047-2315-466c-b7e3-aa78e0a567e8".
std::string NewUuid();
/// A UUID derived from `name` (SHA-256; version 8): the same name always gives the same id, so
/// that an id handed out before a crash is handed out again after it.
std::string NameUuid(std::string_view name);
/// `size` bytes as lower-case hex (a digest's usual text form).
std::string LowerHex(const unsigned char* data, std::size_t size);
/// `bytes` random bytes as lower-case hex (2*bytes characters).
std::string RandomHex(std::size_t bytes);
/// A random password of `length` characters from [A-Za-z0-9].
std::string RandomPassword(std::size_t length = 20);

std::string Base64Encode(std::string_view data);
/// Standard alphabet with padding; nullopt on any invalid character or length.
std::optional<std::string> Base64Decode(std::string_view text);
/// base64url without padding (RFC 4648 §5): safe in a URL, a header, a form and a JWS.
std::string Base64UrlEncode(std::string_view data);
/// The inverse of Base64UrlEncode; nullopt on any invalid character or length.
std::optional<std::string> Base64UrlDecode(std::string_view text);
/// HMAC-SHA256 of `text` under `key`, base64url-encoded (a signature in a token).
std::string HmacSha256Url(std::string_view key, std::string_view text);

/// Hash in the self-describing form "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"
/// (random 16-byte salt, 32-byte hash). `iterations` defaults to 100000.
std::string HashPassword(std::string_view password, unsigned iterations = 100000);
/// Constant-time comparison of `password` against a HashPassword() result; false on a malformed
/// hash.
bool VerifyPassword(std::string_view password, std::string_view stored_hash);
/// Whether `a` and `b` are equal, in a time that does not depend on where they differ (a
/// secret or a signature compared with what a client sent).
bool ConstantTimeEqual(std::string_view a, std::string_view b) noexcept;

}  // namespace escd
