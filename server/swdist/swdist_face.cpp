#include "server/swdist/swdist_face.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "server/byte_range.hpp"
#include "server/errors.hpp"
#include "server/query.hpp"
#include "server/swdist/api_error.hpp"
#include "server/swdist/requests.hpp"

namespace escd::server::swdist {
namespace {

namespace json = boost::json;
using model::catalogue::AgreementForm;
using model::catalogue::ImageRow;

constexpr std::string_view kApiBase = "/software/v4.0";
constexpr std::string_view kTokenPath = "/oauth2/default/v1/token";

Response Json(const json::object& body, http::status status = http::status::ok) {
    Response response;
    response.status = status;
    response.body = json::serialize(body);
    response.content_type = "application/json;charset=UTF-8";
    return response;
}

Response ApiErrorAnswer(const ApiError& error) {
    return Json(ErrorBody(error), static_cast<http::status>(error.http_status()));
}

// The face's answer to a status the server or a router decided (no handler's ApiError).
Response StatusError(int status, const std::string& message) {
    std::string_view token = "SER_UNEXPECT_FAIL";
    if (status == 400) token = "INVALID_INPUT";
    if (status == 401 || status == 403) token = "NOT_AUTHORIZED";
    if (status == 404) token = "NO_DATA_FOUND";
    if (status == 405) token = "METHOD_NOT_ALLOWED";
    if (status == 413) token = "REQUEST_TOO_LARGE";
    if (status == 415) token = "INVALID_MEDIATYPE";
    if (status == 416) token = "RANGE_NOT_SATISFIABLE";
    if (status == 431) token = "REQUEST_HEADER_TOO_LARGE";
    if (status == 503) token = "API_UNAVAILABLE";
    json::object body{
        {"exception", json::array{json::object{{"code", token}, {"message", message}}}}};
    return Json(body, static_cast<http::status>(status));
}

Response ForException(std::exception_ptr error, std::string_view context) {
    try {
        std::rethrow_exception(error);
    } catch (const ApiError& e) {
        return ApiErrorAnswer(e);
    } catch (...) {
        return ResponseForException(std::current_exception(), context, StatusError);
    }
}

// An RFC 6749 token error: what OAuth2 clients parse.
Response OAuthError(http::status status, std::string_view error, std::string_view description) {
    auto response = Json({{"error", error}, {"error_description", description}}, status);
    if (status == http::status::unauthorized)
        response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"escd catalogue\"");
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

std::string BaseUrl(const Request& request) {
    return std::string(request.tls ? "https://" : "http://") + std::string(request.Header("Host"));
}

std::string SelfLink(const Request& request) {
    return BaseUrl(request) + std::string(kApiBase) + request.path;
}

ComplianceSettings ComplianceFor(const Request& request) {
    ComplianceSettings settings;
    settings.k9_web_form = BaseUrl(request) + std::string(kApiBase) + "/compliance/k9";
    settings.eula_web_form = BaseUrl(request) + std::string(kApiBase) + "/compliance/eula";
    return settings;
}

// Newest release first (by version, then FCS date), an image's rows by name within it.
void NewestFirst(std::vector<ImageRow>& rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const ImageRow& a, const ImageRow& b) {
        if (a.release.id != b.release.id) {
            const int versions =
                model::catalogue::CompareVersions(a.release.version, b.release.version);
            if (versions != 0) return versions > 0;
            if (a.release.fcs_date != b.release.fcs_date)
                return a.release.fcs_date > b.release.fcs_date;
            return a.release.id > b.release.id;
        }
        return a.image.name < b.image.name;
    });
}

std::vector<ImageRow> ChooseReleases(std::vector<ImageRow> rows, const PidReleaseRequest& request) {
    NewestFirst(rows);
    std::vector<ImageRow> chosen;
    using Kind = OutputRelease::Kind;
    if (request.output.kind == Kind::kLatest) {
        // The newest release of each software type on each platform.
        std::map<std::pair<std::string, std::string>, std::int64_t> newest;
        for (const auto& row : rows) {
            auto key = std::make_pair(row.software_type.id, row.release.operating_platform);
            if (newest.emplace(key, row.release.id).first->second == row.release.id)
                chosen.push_back(row);
        }
        return chosen;
    }
    for (const auto& row : rows) {
        const int compared = model::catalogue::CompareVersions(
            row.release.version,
            request.output.kind == Kind::kAbove ? request.current_release : request.output.version);
        if (request.output.kind == Kind::kAbove ? compared > 0 : compared == 0)
            chosen.push_back(row);
    }
    return chosen;
}

std::vector<ImageRow> PageOf(const std::vector<ImageRow>& rows, const Paging& paging) {
    const auto first =
        static_cast<std::size_t>(paging.page_index - 1) * static_cast<std::size_t>(paging.per_page);
    if (first >= rows.size()) {
        throw ApiError(ApiErrorCode::kNoDataFound,
                       "page " + std::to_string(paging.page_index) + " is past the last page");
    }
    const auto last = std::min(rows.size(), first + static_cast<std::size_t>(paging.per_page));
    return {rows.begin() + static_cast<std::ptrdiff_t>(first),
            rows.begin() + static_cast<std::ptrdiff_t>(last)};
}

// The names asked that none of `rows` has: the answer's invalidImages.
std::vector<std::string> NamesNotIn(const std::vector<std::string>& names,
                                    const std::vector<ImageRow>& rows) {
    std::vector<std::string> missing;
    for (const auto& name : names) {
        if (std::none_of(rows.begin(), rows.end(),
                         [&name](const ImageRow& row) { return row.image.name == name; }))
            missing.push_back(name);
    }
    return missing;
}

// A file of the catalogue, from `first`, `length` bytes: what a download streams.
class FileSource final : public BodySource {
  public:
    FileSource(std::shared_ptr<orchestrator::ContentStore::File> file,
               std::uint64_t first,
               std::uint64_t length)
        : file_(std::move(file)), offset_(first), left_(length), size_(length) {}
    std::uint64_t size() const override { return size_; }
    asio::awaitable<std::size_t> Read(asio::mutable_buffer buffer) override {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left_));
        if (want == 0) co_return 0;
        const auto n = co_await file_->ReadAt(offset_, asio::buffer(buffer.data(), want));
        offset_ += n;
        left_ -= n;
        co_return n;
    }
    asio::awaitable<std::optional<std::size_t>> SendTo(int socket, std::size_t max) override {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(max, left_));
        if (want == 0) co_return std::size_t{0};
        const auto n = co_await file_->SendTo(socket, offset_, want);
        offset_ += n;
        left_ -= n;
        co_return n;
    }

  private:
    std::shared_ptr<orchestrator::ContentStore::File> file_;
    std::uint64_t offset_;
    std::uint64_t left_;
    std::uint64_t size_;
};

}  // namespace

SoftwareDistribution::SoftwareDistribution(FaceDeps deps) : deps_(deps) {
    AddRoutes();
    face_.name = "swdist";
    face_.owns = [](std::string_view path) -> std::optional<std::string_view> {
        if (path == kTokenPath) return path;
        if (path.substr(0, kApiBase.size()) != kApiBase) return std::nullopt;
        auto rest = path.substr(kApiBase.size());
        if (!rest.empty() && rest.front() != '/') return std::nullopt;
        return rest;
    };
    face_.router = &router_;
    face_.error = StatusError;
    face_.for_exception = ForException;
    // Every route but the token endpoint and the file URLs takes a bearer token: checked
    // before any work, in the handlers, which need its client.
    face_.authenticate =
        [this](const Request& request) -> asio::awaitable<std::optional<Response>> {
        try {
            co_await RequireClient(request);
        } catch (const ApiError& e) {
            co_return ApiErrorAnswer(e);
        }
        co_return std::nullopt;
    };
}

void SoftwareDistribution::AddRoutes() {
    const RouteOptions reads{.allowed_in_maintenance = true};
    const RouteOptions open{.allowed_in_maintenance = true, .public_route = true};
    auto route = [this](asio::awaitable<Response> (SoftwareDistribution::*handler)(Request&)) {
        return [this, handler](Request& request) { return (this->*handler)(request); };
    };
    router_.Add(http::verb::post, std::string(kTokenPath), route(&SoftwareDistribution::Token),
                open);
    router_.Add(http::verb::post, "/metadata/pidrelease", route(&SoftwareDistribution::PidRelease),
                reads);
    router_.Add(http::verb::post, "/metadata/pidimage", route(&SoftwareDistribution::PidImage),
                reads);
    router_.Add(http::verb::post, "/metadata/images", route(&SoftwareDistribution::Images), reads);
    router_.Add(http::verb::post, "/download/pidimage", route(&SoftwareDistribution::DownloadUrls),
                reads);
    router_.Add(http::verb::get, "/download/file/{name}",
                route(&SoftwareDistribution::DownloadFile), open);
    router_.Add(http::verb::post, "/download/file/{name}",
                route(&SoftwareDistribution::DownloadFile), open);
    for (const auto& [path, form] : {std::pair{"/compliance/k9", AgreementForm::kK9},
                                     std::pair{"/compliance/eula", AgreementForm::kEula}}) {
        const auto form_of = form;
        for (auto verb : {http::verb::get, http::verb::post}) {
            router_.Add(
                verb, path,
                [this, form_of](Request& request) { return Agreement(request, form_of); },
                RouteOptions{.allowed_in_maintenance = true});
        }
    }
}

asio::awaitable<std::string> SoftwareDistribution::RequireClient(const Request& request) const {
    std::string token;
    const auto authorization = request.Header("Authorization");
    if (authorization.substr(0, 7) == "Bearer ") {
        token = std::string(authorization.substr(7));
    } else {
        const auto query = ParseQuery(request.query);
        if (auto it = query.find("access_token"); it != query.end()) token = it->second;
    }
    if (token.empty())
        throw ApiError(ApiErrorCode::kNotAuthorized,
                       "Authorization Header is either empty or not "
                       "found in request");
    auto client_id = deps_.signer.VerifyToken(token);
    if (!client_id) throw ApiError(ApiErrorCode::kNotAuthorized, "the token is invalid or expired");
    const auto client = co_await deps_.store.GetClient(*client_id);
    if (!client || client->revoked)
        throw ApiError(ApiErrorCode::kNotAuthorized, "the token's client was revoked");
    co_return *client_id;
}

asio::awaitable<NoticesByImage> SoftwareDistribution::NoticesFor(
    const std::string& client_id, const std::vector<ImageRow>& rows) {
    const auto agreements = co_await deps_.store.AgreementsOf(client_id);
    // The answer for a file: its own, else the one for every file; nullopt when none.
    const auto answer = [&agreements](AgreementForm form,
                                      const std::string& name) -> std::optional<bool> {
        std::optional<bool> general;
        for (const auto& agreement : agreements) {
            if (agreement.form != form) continue;
            if (agreement.file_name == name) return agreement.accepted;
            if (agreement.file_name.empty()) general = agreement.accepted;
        }
        return general;
    };
    NoticesByImage notices;
    for (const auto& row : rows) {
        const auto& image = row.image;
        std::vector<ImageNotice> list;
        const auto k9 = image.k9 ? answer(AgreementForm::kK9, image.name) : std::optional(true);
        const auto eula =
            image.eula ? answer(AgreementForm::kEula, image.name) : std::optional(true);
        if (k9 == false) list.push_back(ImageNotice::kK9Rejected);
        if (eula == false) list.push_back(ImageNotice::kEulaFormNotAccepted);
        if (!k9 && !eula) {
            list.push_back(ImageNotice::kK9AndEulaUnanswered);
        } else if (!k9) {
            list.push_back(ImageNotice::kK9FormUnanswered);
        } else if (!eula) {
            list.push_back(ImageNotice::kEulaFormUnanswered);
        }
        if (!image.software_advisory_url.empty()) list.push_back(ImageNotice::kSoftwareAdvisory);
        if (!image.deferral_notice_url.empty()) list.push_back(ImageNotice::kDeferralAdvisory);
        if (!list.empty()) notices.emplace(image.guid, std::move(list));
    }
    co_return notices;
}

asio::awaitable<MetadataPage> SoftwareDistribution::PageFor(const std::string& client_id,
                                                            const std::vector<ImageRow>& rows,
                                                            const Paging& paging,
                                                            const Request& request) {
    MetadataPage page;
    page.rows = PageOf(rows, paging);
    page.metadata_trans_id = deps_.signer.IssueTransaction(client_id);
    page.paging = paging;
    page.total_records = rows.size();
    page.notices = co_await NoticesFor(client_id, page.rows);
    page.self_link = SelfLink(request);
    co_return page;
}

asio::awaitable<Response> SoftwareDistribution::Token(Request& request) {
    // The three ways clients send their credentials: a form body, the query string, Basic.
    auto fields = ParseQuery(request.query);
    if (request.Header("Content-Type").substr(0, 33) == "application/x-www-form-urlencoded") {
        for (auto& [key, value] : ParseQuery(request.Body())) fields[key] = value;
    }
    const auto authorization = request.Header("Authorization");
    if (authorization.substr(0, 6) == "Basic ") {
        const auto decoded = Base64Decode(authorization.substr(6));
        if (decoded && decoded->find(':') != std::string::npos) {
            const auto colon = decoded->find(':');
            fields.emplace("client_id", PercentDecode(decoded->substr(0, colon)));
            fields.emplace("client_secret", PercentDecode(decoded->substr(colon + 1)));
        }
    }
    if (fields["grant_type"] != "client_credentials") {
        co_return OAuthError(http::status::bad_request, "unsupported_grant_type",
                             "grant_type must be client_credentials");
    }
    const auto client_id = fields["client_id"];
    const auto secret = fields["client_secret"];
    if (client_id.empty() || secret.empty()) {
        co_return OAuthError(http::status::unauthorized, "invalid_client",
                             "client_id and client_secret are required");
    }
    const auto client = co_await deps_.store.GetClient(client_id);
    bool valid = false;
    if (client && !client->revoked) {
        // PBKDF2: tens of milliseconds, never on an Asio thread.
        const auto& hash = client->secret_hash;
        valid = co_await Offload(deps_.verify_pool,
                                 [&secret, &hash] { return VerifyPassword(secret, hash); });
    }
    if (!valid) {
        co_return OAuthError(http::status::unauthorized, "invalid_client",
                             "Invalid client or client credentials.");
    }
    auto response = Json({{"token_type", "Bearer"},
                          {"expires_in", Signer::kTokenLifetime.count()},
                          {"access_token", deps_.signer.IssueToken(client_id)},
                          {"scope", "customscope"}});
    response.headers.emplace_back("Cache-Control", "no-cache, no-store");
    co_return response;
}

asio::awaitable<Response> SoftwareDistribution::PidRelease(Request& request) {
    const auto client_id = co_await RequireClient(request);
    const auto parsed = ParsePidReleaseRequest(request.Body(), request.query);
    auto rows = co_await deps_.store.ImagesOfProduct(parsed.pid);
    if (rows.empty()) {
        throw ApiError(ApiErrorCode::kNoDataFoundForPid,
                       "no software is published for pid '" + parsed.pid + "'");
    }
    const auto chosen = ChooseReleases(std::move(rows), parsed);
    if (chosen.empty()) {
        throw ApiError(ApiErrorCode::kNoDataFound,
                       "no release of '" + parsed.pid + "' matches the output release asked");
    }
    const auto page = co_await PageFor(client_id, chosen, parsed.paging, request);
    co_return Json(PidReleaseAnswer(page));
}

asio::awaitable<Response> SoftwareDistribution::PidImage(Request& request) {
    const auto client_id = co_await RequireClient(request);
    const auto parsed = ParsePidImageRequest(request.Body(), request.query);
    auto rows = co_await deps_.store.ImagesOfProduct(parsed.pid);
    const std::set<std::string> wanted(parsed.image_names.begin(), parsed.image_names.end());
    std::erase_if(rows,
                  [&wanted](const ImageRow& row) { return !wanted.contains(row.image.name); });
    const auto invalid = NamesNotIn(parsed.image_names, rows);
    if (rows.empty()) {
        throw ApiError(ApiErrorCode::kImageNameInvalid,
                       "no image of pid '" + parsed.pid + "' has any of the names asked");
    }
    NewestFirst(rows);
    const auto page = co_await PageFor(client_id, rows, parsed.paging, request);
    co_return Json(PidImageAnswer(page, invalid));
}

asio::awaitable<Response> SoftwareDistribution::Images(Request& request) {
    const auto client_id = co_await RequireClient(request);
    const auto parsed = ParseImagesRequest(request.Body(), request.query);
    auto rows = co_await deps_.store.ImagesNamed(parsed.image_names);
    NewestFirst(rows);
    const auto invalid = NamesNotIn(parsed.image_names, rows);
    const auto notices = co_await NoticesFor(client_id, rows);
    co_return Json(ImagesAnswer(rows, invalid, notices, SelfLink(request)));
}

asio::awaitable<Response> SoftwareDistribution::DownloadUrls(Request& request) {
    const auto client_id = co_await RequireClient(request);
    const auto parsed = ParseDownloadRequest(request.Body(), request.query);
    switch (deps_.signer.VerifyTransaction(parsed.metadata_trans_id, client_id)) {
        case Signer::TransactionCheck::kInvalid:
            throw ApiError(
                ApiErrorCode::kTransactionIdInvalid,
                "metadataTransId '" + parsed.metadata_trans_id + "' was not issued to this client");
        case Signer::TransactionCheck::kExpired:
            throw ApiError(ApiErrorCode::kTransactionIdExpired);
        case Signer::TransactionCheck::kValid:
            break;
    }
    std::vector<ImageRow> rows;
    for (const auto& guid : parsed.guids) {
        auto row = co_await deps_.store.GetImage(guid);
        if (!row || row->product.pid != parsed.pid) {
            throw ApiError(
                ApiErrorCode::kImageGuidInvalid,
                "imageGuid " + guid.text() + " is not an image of pid '" + parsed.pid + "'");
        }
        if (row->product.mdf_id != parsed.mdf_id) {
            throw ApiError(
                ApiErrorCode::kMdfIdInvalid,
                "mdfId " + parsed.mdf_id + " is not the MDF id of pid '" + parsed.pid + "'");
        }
        if (!row->image.content || row->image.deleted_date) {
            throw ApiError(ApiErrorCode::kImageGuidInvalid,
                           "image " + row->image.name + " (" + guid.text() + ") " +
                               (row->image.deleted_date ? "was withdrawn" : "has no file yet"));
        }
        rows.push_back(std::move(*row));
    }
    const auto notices = co_await NoticesFor(client_id, rows);
    std::vector<DownloadLink> links;
    for (const auto& row : rows) {
        DownloadLink link{row.image.guid, row.image.name, {}, {}, {}, {}};
        const auto code = deps_.signer.IssueDownload(row.image.guid, client_id);
        link.url = BaseUrl(request) + std::string(kApiBase) + "/download/file/" + row.image.name +
                   "?dwnld_code=" + code;
        link.token = code;
        link.session_id = deps_.signer.SessionId(code);
        if (auto it = notices.find(row.image.guid); it != notices.end()) link.notices = it->second;
        links.push_back(std::move(link));
    }
    co_return Json(DownloadAnswer(deps_.signer.SessionId(parsed.metadata_trans_id), links,
                                  ComplianceFor(request), SelfLink(request)));
}

asio::awaitable<Response> SoftwareDistribution::DownloadFile(Request& request) {
    const auto query = ParseQuery(request.query);
    const auto code_it = query.find("dwnld_code");
    const auto download =
        code_it == query.end() ? std::nullopt : deps_.signer.VerifyDownload(code_it->second);
    if (!download)
        throw ApiError(ApiErrorCode::kNotAuthorized, "the download URL is invalid or expired");
    if (request.raw.method() == http::verb::post) {
        // The cloud flow: the URL's token in a form field.
        const auto form = ParseQuery(request.Body());
        const auto token = form.find("X-Authentication-Control");
        if (token == form.end() || !ConstantTimeEqual(token->second, code_it->second))
            throw ApiError(ApiErrorCode::kNotAuthorized,
                           "X-Authentication-Control does not match the download URL");
    } else if (co_await RequireClient(request) != download->client_id) {
        throw ApiError(ApiErrorCode::kNotAuthorized,
                       "the download URL was issued to another client");
    }
    auto row = co_await deps_.store.GetImage(download->guid);
    if (!row || row->image.name != PercentDecode(request.Param("name")) || !row->image.content)
        throw ApiError(ApiErrorCode::kNoDataFound, "no such file");
    // An answer given since the URL was issued counts: a declined image is not served.
    const std::vector<ImageRow> one{*row};
    const auto notices = co_await NoticesFor(download->client_id, one);
    if (auto it = notices.find(row->image.guid); it != notices.end()) {
        for (auto notice : it->second) {
            if (WithholdsDownload(notice))
                throw ApiError(ApiErrorCode::kNotAuthorized, std::string(TokenOf(notice)) + ": " +
                                                                 std::string(MessageOf(notice)));
        }
    }
    const auto& digest = *row->image.content;
    auto file = co_await deps_.content.Open(digest.sha512);
    if (!file) {
        ESCD_ERROR("catalogue") << "the file of image " << row->image.guid.text() << " ("
                                << digest.sha512 << ") is missing from the catalogue directory";
        throw ApiError(ApiErrorCode::kNoDataFound, "the image's file is not available");
    }
    const auto etag = "\"" + digest.sha512.substr(0, 32) + "\"";
    auto range_header = request.Header("Range");
    const auto if_range = request.Header("If-Range");
    if (!if_range.empty() && if_range != etag) range_header = {};  // changed: the whole file
    const auto range = ParseRange(range_header, file->size());
    Response response;
    response.content_type = "application/octet-stream";
    response.headers.emplace_back("ETag", etag);
    response.headers.emplace_back("Accept-Ranges", "bytes");
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + row->image.name + "\"");
    if (range.verdict == RangeVerdict::kUnsatisfiable) {
        auto refused = StatusError(416, "the range asked lies outside the file's " +
                                            std::to_string(file->size()) + " bytes");
        refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(file->size()));
        co_return refused;
    }
    ByteRange served{0, file->size()};
    if (range.verdict == RangeVerdict::kPartial) {
        served = range.range;
        response.status = http::status::partial_content;
        response.headers.emplace_back("Content-Range",
                                      "bytes " + std::to_string(served.first) + "-" +
                                          std::to_string(served.first + served.length - 1) + "/" +
                                          std::to_string(file->size()));
    }
    response.stream = std::make_shared<FileSource>(std::move(file), served.first, served.length);
    co_return response;
}

asio::awaitable<Response> SoftwareDistribution::Agreement(Request& request, AgreementForm form) {
    const auto client_id = co_await RequireClient(request);
    if (request.raw.method() == http::verb::get) {
        co_return Json(form == AgreementForm::kK9 ? K9FormAnswer(ComplianceFor(request), client_id)
                                                  : EulaFormAnswer(ComplianceFor(request)));
    }
    const auto answer = form == AgreementForm::kK9 ? ParseK9Answer(request.Body(), request.query)
                                                   : ParseEulaAnswer(request.Body(), request.query);
    const bool accepted = answer.choice == AgreementAnswer::Choice::kAccepted;
    json::object details{{"status", TokenOf(answer.choice)},
                         {"declineComments", answer.decline_comments}};
    if (form == AgreementForm::kK9) {
        details["busFunction"] = TokenOf(answer.business_function);
        details["govMilCountries"] = TokenOf(answer.gov_mil_countries);
        details["confirmed"] = answer.confirmed;
    }
    const auto details_text = json::serialize(details);
    co_await deps_.store.RecordAgreement(client_id, form, answer.file_names, accepted,
                                         details_text);
    ESCD_INFO("catalogue") << "client " << client_id << " " << (accepted ? "accepted" : "declined")
                           << " the " << (form == AgreementForm::kK9 ? "K9" : "EULA")
                           << " form for "
                           << (answer.file_names.empty()
                                   ? std::string("every file")
                                   : std::to_string(answer.file_names.size()) + " file(s)");
    co_return Json(AgreementRecordedAnswer());
}

}  // namespace escd::server::swdist
