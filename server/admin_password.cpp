#include "server/admin_password.hpp"

#include <iostream>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/offload.hpp"

namespace escd::server {
namespace {
constexpr const char* kHashKey = "auth.admin_password_hash";
constexpr const char* kConfiguredKey = "auth.configured_password_hash";
}  // namespace

asio::awaitable<std::string> ResolvePasswordHash(model::SettingsStore& settings,
                                                 const std::string& user,
                                                 const std::string& configured) {
    const std::string hash_key = kHashKey, configured_key = kConfiguredKey;
    auto stored = co_await settings.GetSetting(hash_key);
    if (!configured.empty()) {
        auto last = co_await settings.GetSetting(configured_key);
        if (stored && last && VerifyPassword(configured, *last))
            co_return *stored;  // unchanged configuration
        auto hash = HashPassword(configured);
        co_await settings.PutSetting(hash_key, hash);
        co_await settings.PutSetting(configured_key, hash);
        co_return hash;
    }
    if (stored) co_return *stored;
    auto password = RandomPassword();
    auto hash = HashPassword(password);
    // Of nodes starting at once on a new database, the first to store one wins: only its
    // password is shown.
    auto kept = co_await settings.SettingOrPut(hash_key, hash);
    if (kept == hash) {
        std::cout << "escd: generated admin credentials " << user << ":" << password
                  << " (stored hashed; shown once)" << std::endl;
    }
    co_return kept;
}

asio::awaitable<std::string> StoreNewPassword(model::SettingsStore& settings,
                                              asio::thread_pool& hashing_pool,
                                              const std::string& password) {
    if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
        throw Error(ErrorCode::kBadRequest, "the password must have " +
                                                std::to_string(kMinPasswordLength) + " to " +
                                                std::to_string(kMaxPasswordLength) + " characters");
    }
    for (unsigned char c : password) {
        if (c < 0x20 || c == 0x7f)
            throw Error(ErrorCode::kBadRequest, "the password contains control characters");
    }
    auto hash = co_await Offload(hashing_pool, [&password] { return HashPassword(password); });
    const std::string hash_key = kHashKey;
    co_await settings.PutSetting(hash_key, hash);
    co_return hash;
}

}  // namespace escd::server
