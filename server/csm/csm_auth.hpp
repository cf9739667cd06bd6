#pragma once
/// @file
/// Who a request to the CSM face comes from (docs/csm.md, "Users, tokens and roles").
///
/// CSM's clients send HTTP Basic on every request: a user's name and password, or a token from
/// `GET /api/v1/token` as the name with any password. A token is a JWS (HS256) as CSM's were:
/// `iat` and `exp` in its header, the user's id in its payload, signed with a key every node
/// shares (CsmStore::TokenKey); it is valid one hour, the reference's figure. Unlike CSM, a
/// token of a user who was deactivated or deleted stops working at once: the user is read on
/// each request. escd's own admin (auth.admin_user) is an Admin here, id 0, without a row.
///
/// A password check (PBKDF2) costs tens of milliseconds; a header that verified is remembered
/// as an HMAC of the header and the stored hash, so a later request costs one HMAC and a
/// changed password forgets it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/asio.hpp"
#include "model/csm/inventory.hpp"
#include "model/stores/csm_store.hpp"
#include "server/basic_auth.hpp"

namespace escd::server::csm {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// The user a request authenticated as.
struct Identity {
    std::int64_t user_id = 0;  ///< 0: escd's admin
    std::string username;
    model::csm::Role role = model::csm::Role::kViewer;
};

/// Issues and verifies the face's tokens.
class CsmTokens {
  public:
    static constexpr std::chrono::seconds kLifetime{3600};

    CsmTokens(std::string key, WallClock now);
    std::string Issue(std::int64_t user_id) const;
    /// The user id of a token that is genuine and not expired; nullopt otherwise.
    std::optional<std::int64_t> Verify(std::string_view token) const;

  private:
    std::int64_t Now() const;

    std::string key_;
    WallClock now_;
};

class CsmAuth {
  public:
    /// `verify_pool` runs the PBKDF2 checks; everything must outlive this.
    CsmAuth(model::CsmStore& store,
            BasicAuth& admin,
            const CsmTokens& tokens,
            asio::thread_pool& verify_pool);

    /// The identity of `authorization` (the request's Authorization header); nullopt when it
    /// is missing, malformed, wrong, expired, or names an inactive user.
    asio::awaitable<std::optional<Identity>> Authenticate(const std::string& authorization);

    const CsmTokens& tokens() const { return tokens_; }

  private:
    asio::awaitable<std::optional<Identity>> ByPassword(const std::string& username,
                                                        const std::string& password,
                                                        const std::string& authorization);
    std::string Digest(std::string_view authorization, std::string_view hash) const;
    bool Remembered(const std::string& digest) const;
    void Remember(std::string digest);

    model::CsmStore& store_;
    BasicAuth& admin_;
    const CsmTokens& tokens_;
    asio::thread_pool& verify_pool_;
    std::string cache_key_;  ///< random per process
    mutable std::mutex mutex_;
    std::unordered_set<std::string> verified_;  ///< digests of headers that verified
};

}  // namespace escd::server::csm
