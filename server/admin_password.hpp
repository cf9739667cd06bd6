#pragma once
/// @file
/// The admin password's life: stored only as a PBKDF2 hash (settings key
/// "auth.admin_password_hash").
///
/// At start-up a configured password (auth.admin_password or ESCD_ADMIN_PASSWORD) is applied
/// when it is new: the hash of the last configured password is kept too, so a password changed
/// through /v0/authentication/setpassword survives restarts with the same configuration, while
/// configuring a different password resets it (the way to recover a lost one). With nothing
/// configured and nothing stored, a random password is generated and printed once.

#include <string>

#include "common/asio.hpp"
#include "model/stores/settings_store.hpp"

namespace escd::server {

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;

/// The hash to authenticate with at start-up (see above). Hashes on the calling thread: for
/// start-up only.
asio::awaitable<std::string> ResolvePasswordHash(model::SettingsStore& settings,
                                                 const std::string& user,
                                                 const std::string& configured);
/// Stores and returns the hash of `password`, hashed on `hashing_pool` (PBKDF2 costs tens of
/// milliseconds: not on an Asio thread). Throws Error(kBadRequest) when the password is shorter
/// than 8 or longer than 256 characters or has control characters.
asio::awaitable<std::string> StoreNewPassword(model::SettingsStore& settings,
                                              asio::thread_pool& hashing_pool,
                                              const std::string& password);

}  // namespace escd::server
