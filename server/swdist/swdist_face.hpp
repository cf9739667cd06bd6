#pragma once
/// @file
/// The Software Distribution face (docs/catalogue.md, "Software Distribution API"): Cisco's
/// Automated Software Distribution API v4.0 over escd's catalogue, on escd's HTTP and HTTPS
/// listeners. `/oauth2/default/v1/token` issues client-credentials tokens; `/software/v4.0/...`
/// answers metadata, download URLs and the K9/EULA forms to a bearer token, and serves the
/// files at the URLs it handed out (GET with the bearer, or POST with the URL's token, as the
/// cloud flow does). Errors are the reference's tokens in JSON.

#include "common/asio.hpp"
#include "model/stores/catalogue_store.hpp"
#include "orchestrator/catalogue/content_store.hpp"
#include "server/face.hpp"
#include "server/router.hpp"
#include "server/swdist/answers.hpp"
#include "server/swdist/signer.hpp"

namespace escd::server::swdist {

struct FaceDeps {
    model::CatalogueStore& store;
    orchestrator::ContentStore& content;
    const Signer& signer;
    asio::thread_pool& verify_pool;  ///< client secret checks (PBKDF2)
};

class SoftwareDistribution {
  public:
    explicit SoftwareDistribution(FaceDeps deps);
    SoftwareDistribution(const SoftwareDistribution&) = delete;
    SoftwareDistribution& operator=(const SoftwareDistribution&) = delete;

    const Face& face() const { return face_; }

  private:
    void AddRoutes();
    /// The client of the request's bearer token (Authorization, else `access_token` in the
    /// query); ApiError(kNotAuthorized) when there is none, or it is forged, expired or revoked.
    asio::awaitable<std::string> RequireClient(const Request& request) const;
    /// The notices each of `rows` carries for `client_id` (its agreements, the advisories).
    asio::awaitable<NoticesByImage> NoticesFor(const std::string& client_id,
                                               const std::vector<model::catalogue::ImageRow>& rows);
    /// The page `paging` asks of `rows` (ordered), with a new metadata transaction id and the
    /// client's notices.
    asio::awaitable<MetadataPage> PageFor(const std::string& client_id,
                                          const std::vector<model::catalogue::ImageRow>& rows,
                                          const Paging& paging,
                                          const Request& request);
    asio::awaitable<Response> Token(Request& request);
    asio::awaitable<Response> PidRelease(Request& request);
    asio::awaitable<Response> PidImage(Request& request);
    asio::awaitable<Response> Images(Request& request);
    asio::awaitable<Response> DownloadUrls(Request& request);
    asio::awaitable<Response> DownloadFile(Request& request);
    asio::awaitable<Response> Agreement(Request& request, model::catalogue::AgreementForm form);

    FaceDeps deps_;
    Router router_;
    Face face_;
};

}  // namespace escd::server::swdist
