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
/// Blocking (database calls): start-up, or a database-pool thread.

#include <string>

#include "model/store.hpp"

namespace escd::server {

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;

/// The hash to authenticate with at start-up (see above).
std::string ResolvePasswordHash(model::Store& store,
                                const std::string& user,
                                const std::string& configured);
/// Stores and returns the hash of `password`. Throws Error(kBadRequest) when the password is
/// shorter than 8 or longer than 256 characters or has control characters.
std::string StoreNewPassword(model::Store& store, const std::string& password);

}  // namespace escd::server
