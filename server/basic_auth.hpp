#pragma once
/// @file
/// HTTP Basic authentication of the one admin user (ESC reference, "REST Authentication").
///
/// The password is kept only as a PBKDF2 hash. Verifying PBKDF2 on every request would cost
/// tens of milliseconds of CPU each, so a header that verified once is remembered as an HMAC
/// under a per-process random key: later requests with the same header cost one HMAC. Changing
/// the password forgets it. Thread safe.

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace escd::server {

/// The user name and password of an Authorization header "Basic base64(user:password)" (the
/// scheme case-insensitive, RFC 7617); nullopt when it is not one.
struct BasicCredentials {
    std::string username;
    std::string password;
};
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

class BasicAuth {
  public:
    BasicAuth(std::string user, std::string password_hash);

    /// True when `authorization` is "Basic base64(user:password)" for the admin user.
    /// May run PBKDF2 (tens of milliseconds of CPU): call it off the Asio threads.
    bool Check(std::string_view authorization);
    /// True when `authorization` is the header that verified last: one HMAC, fine on any thread.
    /// False means "unknown", not "wrong": Check() decides.
    bool CheckCached(std::string_view authorization) const;
    /// Replaces the password hash (e.g. /v0/authentication/setpassword).
    void SetPasswordHash(std::string password_hash);
    const std::string& user() const { return user_; }

  private:
    std::string Digest(std::string_view header) const;

    std::string user_;
    std::string key_;  ///< random HMAC key of this process
    mutable std::shared_mutex mutex_;
    std::string password_hash_;
    std::string verified_digest_;  ///< HMAC of the last header that verified
};

}  // namespace escd::server
