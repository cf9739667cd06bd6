#pragma once
/// @file
/// What the Software Distribution face hands out and later takes back, signed rather than
/// stored (docs/catalogue.md, "Tokens"): access tokens, metadata transaction ids and download
/// codes carry their client and expiry and an HMAC-SHA256 under the catalogue's signing key,
/// which every node shares (CatalogueStore::SigningKey). Any node verifies what any other
/// issued, with no write per request. `now` is the wall clock (a test's own).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/catalogue/catalogue.hpp"

namespace escd::server::swdist {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

class Signer {
  public:
    static constexpr std::chrono::seconds kTokenLifetime{3600};
    static constexpr std::chrono::seconds kTransactionLifetime{3600};
    static constexpr std::chrono::seconds kDownloadLifetime{3600};

    Signer(std::string key, WallClock now);

    /// An access token of `client_id`, valid kTokenLifetime.
    std::string IssueToken(const std::string& client_id) const;
    /// The client of a token that is genuine and not expired; nullopt otherwise.
    std::optional<std::string> VerifyToken(std::string_view token) const;

    /// A metadata transaction id of `client_id`: 20 digits (issue time and signature).
    std::string IssueTransaction(const std::string& client_id) const;
    enum class TransactionCheck { kValid, kInvalid, kExpired };
    TransactionCheck VerifyTransaction(std::string_view id, const std::string& client_id) const;

    /// A download code of `guid` for `client_id`, valid kDownloadLifetime: the URL's and the
    /// cloud flow's token.
    std::string IssueDownload(const model::catalogue::ImageGuid& guid,
                              const std::string& client_id) const;
    struct Download {
        model::catalogue::ImageGuid guid;
        std::string client_id;
    };
    std::optional<Download> VerifyDownload(std::string_view code) const;

    /// A numeric session id for a download answer (unique enough to tell answers apart).
    std::string SessionId(std::string_view seed) const;

  private:
    std::string Mac(std::string_view text) const;
    std::int64_t Now() const;

    std::string key_;
    WallClock now_;
};

}  // namespace escd::server::swdist
