#include "server/basic_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <mutex>

#include "common/crypto.hpp"

namespace escd::server {

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header) {
    constexpr std::string_view kScheme = "basic ";
    if (header.size() <= kScheme.size() || header.size() > 4096) return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
    }
    auto decoded = Base64Decode(header.substr(kScheme.size()));
    if (!decoded) return std::nullopt;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

BasicAuth::BasicAuth(std::string user, std::string password_hash)
    : user_(std::move(user)), key_(RandomHex(32)), password_hash_(std::move(password_hash)) {}

std::string BasicAuth::Digest(std::string_view header) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(header.data()), header.size(), out, &length);
    return std::string(reinterpret_cast<char*>(out), length);
}

bool BasicAuth::CheckCached(std::string_view authorization) const {
    if (authorization.empty() || authorization.size() > 1024) return false;
    auto digest = Digest(authorization);
    std::shared_lock lock(mutex_);
    return !verified_digest_.empty() &&
           CRYPTO_memcmp(digest.data(), verified_digest_.data(), digest.size()) == 0;
}

bool BasicAuth::Check(std::string_view authorization) {
    constexpr std::string_view kScheme = "Basic ";
    if (authorization.size() <= kScheme.size() || authorization.size() > 1024) return false;
    if (CheckCached(authorization)) return true;
    auto digest = Digest(authorization);
    const auto credentials = ParseBasicAuthorization(authorization);
    if (!credentials) return false;
    const std::string_view user = credentials->username;
    const std::string_view password = credentials->password;
    std::string hash;
    {
        std::shared_lock lock(mutex_);
        hash = password_hash_;
    }
    if (user != user_ || !VerifyPassword(password, hash)) return false;
    std::unique_lock lock(mutex_);
    if (hash == password_hash_) verified_digest_ = digest;
    return true;
}

void BasicAuth::SetPasswordHash(std::string password_hash) {
    std::unique_lock lock(mutex_);
    password_hash_ = std::move(password_hash);
    verified_digest_.clear();
}

}  // namespace escd::server
