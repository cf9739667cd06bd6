#include "server/csm/csm_auth.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "common/crypto.hpp"
#include "common/offload.hpp"
#include "server/esc/esc_face.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;

// More verified headers than any real set of clients sends; past it the cache starts afresh
// (each client then pays one PBKDF2 again).
constexpr std::size_t kMaxRemembered = 10'000;

std::optional<json::object> DecodedObject(std::string_view part) {
    const auto text = Base64UrlDecode(part);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    auto value = json::parse(*text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::optional<std::int64_t> IntegerAt(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value || !value->is_int64()) return std::nullopt;
    return value->as_int64();
}

}  // namespace

CsmTokens::CsmTokens(std::string key, WallClock now) : key_(std::move(key)), now_(std::move(now)) {}

std::int64_t CsmTokens::Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
}

std::string CsmTokens::Issue(std::int64_t user_id) const {
    const auto now = Now();
    const json::object header{{"alg", "HS256"}, {"exp", now + kLifetime.count()}, {"iat", now}};
    const json::object payload{{"id", user_id}};
    const auto signed_part =
        Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(payload));
    return signed_part + "." + HmacSha256Url(key_, signed_part);
}

std::optional<std::int64_t> CsmTokens::Verify(std::string_view token) const {
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    if (first == std::string_view::npos || first == last || token.size() > 1024)
        return std::nullopt;
    if (!ConstantTimeEqual(HmacSha256Url(key_, token.substr(0, last)), token.substr(last + 1)))
        return std::nullopt;
    const auto header = DecodedObject(token.substr(0, first));
    const auto payload = DecodedObject(token.substr(first + 1, last - first - 1));
    if (!header || !payload) return std::nullopt;
    const auto expires = IntegerAt(*header, "exp");
    if (!expires || *expires <= Now()) return std::nullopt;
    return IntegerAt(*payload, "id");
}

CsmAuth::CsmAuth(model::CsmStore& store,
                 BasicAuth& admin,
                 const CsmTokens& tokens,
                 asio::thread_pool& verify_pool)
    : store_(store),
      admin_(admin),
      tokens_(tokens),
      verify_pool_(verify_pool),
      cache_key_(RandomHex(32)) {}

asio::awaitable<std::optional<Identity>> CsmAuth::Authenticate(const std::string& authorization) {
    auto credentials = ParseBasicAuthorization(authorization);
    if (!credentials) co_return std::nullopt;
    if (const auto user_id = tokens_.Verify(credentials->username)) {
        if (*user_id == 0) co_return Identity{0, admin_.user(), model::csm::Role::kAdmin};
        const auto user = co_await store_.GetUserById(*user_id);
        if (!user || !user->active) co_return std::nullopt;
        co_return Identity{user->id, user->username, user->role};
    }
    if (credentials->username == admin_.user()) {
        if (!co_await IsAdmin(authorization, admin_, verify_pool_)) co_return std::nullopt;
        co_return Identity{0, admin_.user(), model::csm::Role::kAdmin};
    }
    co_return co_await ByPassword(credentials->username, credentials->password, authorization);
}

asio::awaitable<std::optional<Identity>> CsmAuth::ByPassword(const std::string& username,
                                                             const std::string& password,
                                                             const std::string& authorization) {
    const auto canonical = model::csm::CanonicalUsername(username);
    const auto user = co_await store_.GetUser(canonical);
    if (!user || !user->active) co_return std::nullopt;
    auto digest = Digest(authorization, user->password_hash);
    if (!Remembered(digest)) {
        const auto& hash = user->password_hash;
        const bool valid = co_await Offload(
            verify_pool_, [&password, &hash] { return VerifyPassword(password, hash); });
        if (!valid) co_return std::nullopt;
        Remember(std::move(digest));
    }
    co_return Identity{user->id, user->username, user->role};
}

std::string CsmAuth::Digest(std::string_view authorization, std::string_view hash) const {
    return HmacSha256Url(cache_key_, std::string(authorization) + "\n" + std::string(hash));
}

bool CsmAuth::Remembered(const std::string& digest) const {
    std::lock_guard lock(mutex_);
    return verified_.contains(digest);
}

void CsmAuth::Remember(std::string digest) {
    std::lock_guard lock(mutex_);
    if (verified_.size() >= kMaxRemembered) verified_.clear();
    verified_.insert(std::move(digest));
}

}  // namespace escd::server::csm
