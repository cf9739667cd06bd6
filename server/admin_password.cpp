#include "server/admin_password.hpp"

#include <iostream>

#include "common/crypto.hpp"
#include "common/error.hpp"

namespace escd::server {
namespace {
constexpr const char* kHashKey = "auth.admin_password_hash";
constexpr const char* kConfiguredKey = "auth.configured_password_hash";
}  // namespace

std::string ResolvePasswordHash(model::Store& store,
                                const std::string& user,
                                const std::string& configured) {
    auto stored = store.GetSetting(kHashKey);
    if (!configured.empty()) {
        auto last = store.GetSetting(kConfiguredKey);
        if (stored && last && VerifyPassword(configured, *last))
            return *stored;  // unchanged configuration
        auto hash = HashPassword(configured);
        store.PutSetting(kHashKey, hash);
        store.PutSetting(kConfiguredKey, hash);
        return hash;
    }
    if (stored) return *stored;
    auto password = RandomPassword();
    auto hash = HashPassword(password);
    store.PutSetting(kHashKey, hash);
    std::cout << "escd: generated admin credentials " << user << ":" << password
              << " (stored hashed; shown once)" << std::endl;
    return hash;
}

std::string StoreNewPassword(model::Store& store, const std::string& password) {
    if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
        throw Error(ErrorCode::kBadRequest, "the password must have " +
                                                std::to_string(kMinPasswordLength) + " to " +
                                                std::to_string(kMaxPasswordLength) + " characters");
    }
    for (unsigned char c : password) {
        if (c < 0x20 || c == 0x7f)
            throw Error(ErrorCode::kBadRequest, "the password contains control characters");
    }
    auto hash = HashPassword(password);
    store.PutSetting(kHashKey, hash);
    return hash;
}

}  // namespace escd::server
