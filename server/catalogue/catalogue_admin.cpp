#include "server/catalogue/catalogue_admin.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "server/catalogue/admin_json.hpp"
#include "server/errors.hpp"
#include "server/esc/esc_face.hpp"
#include "server/query.hpp"

namespace escd::server::catalogue {
namespace {

using model::catalogue::ImageGuid;

constexpr std::string_view kBase = "/catalogue/v1";

ImageGuid GuidParam(const Request& request) {
    const auto& text = request.Param("guid");
    auto guid = ImageGuid::Parse(text);
    if (!guid) throw Error(ErrorCode::kBadRequest, "'" + text + "' is not an image GUID (40 hex)");
    return *guid;
}

void RequireJson(const Request& request) {
    // A media type is case-insensitive; parameters (charset) may follow it.
    std::string type(
        request.Header("Content-Type").substr(0, request.Header("Content-Type").find(';')));
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    if (type != "application/json")
        throw Error(ErrorCode::kUnsupportedMedia, "the body must be application/json");
}

std::string Today() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
    return text;
}

}  // namespace

Response JsonError(int status, const std::string& message) {
    return JsonResponse(ErrorJson(status, message), static_cast<http::status>(status));
}

Response JsonForException(std::exception_ptr error, std::string_view context) {
    return ResponseForException(std::move(error), context, JsonError);
}

Response JsonAnswer(std::string body, http::status status) {
    return JsonResponse(std::move(body), status);
}

CatalogueAdmin::CatalogueAdmin(AdminDeps deps) : deps_(deps) {
    AddRoutes();
    face_.name = "catalogue";
    face_.owns = [](std::string_view path) -> std::optional<std::string_view> {
        if (path.substr(0, kBase.size()) != kBase) return std::nullopt;
        auto rest = path.substr(kBase.size());
        if (!rest.empty() && rest.front() != '/') return std::nullopt;
        return rest;
    };
    face_.router = &router_;
    face_.error = JsonError;
    face_.for_exception = JsonForException;
    face_.authenticate =
        [this](const Request& request) -> asio::awaitable<std::optional<Response>> {
        if (co_await IsAdmin(std::string(request.Header("Authorization")), deps_.auth,
                             deps_.verify_pool))
            co_return std::nullopt;
        co_return AdminRequired(JsonError);
    };
}

void CatalogueAdmin::AddRoutes() {
    auto& store = deps_.store;
    router_.Add(http::verb::get, "/products", [&store](Request&) -> asio::awaitable<Response> {
        co_return JsonAnswer(ProductsJson(co_await store.ListProducts()));
    });
    router_.Add(http::verb::put, "/products/{pid}",
                [&store](Request& request) -> asio::awaitable<Response> {
                    RequireJson(request);
                    auto product =
                        ParseProduct(request.Body(), PercentDecode(request.Param("pid")));
                    co_await store.PutProduct(product);
                    co_return JsonAnswer(ProductsJson({product}));
                });
    router_.Add(http::verb::put, "/software-types/{id}",
                [&store](Request& request) -> asio::awaitable<Response> {
                    RequireJson(request);
                    const auto type = ParseSoftwareType(request.Body(), request.Param("id"));
                    co_await store.PutSoftwareType(type);
                    co_return JsonAnswer("{}");
                });
    router_.Add(http::verb::post, "/releases",
                [&store](Request& request) -> asio::awaitable<Response> {
                    RequireJson(request);
                    const auto input = ParseRelease(request.Body());
                    std::optional<model::catalogue::SoftwareType> type;
                    if (!input.software_type_name.empty())
                        type = model::catalogue::SoftwareType{input.release.software_type_id,
                                                              input.software_type_name};
                    const auto id = co_await store.PutRelease(input.release, type);
                    co_return JsonAnswer(ReleaseIdJson(id));
                });
    router_.Add(http::verb::post, "/releases/{id}/images",
                [&store](Request& request) -> asio::awaitable<Response> {
                    RequireJson(request);
                    const auto& id = request.Param("id");
                    if (id.empty() || id.size() > 18 ||
                        id.find_first_not_of("0123456789") != std::string::npos)
                        throw Error(ErrorCode::kNotFound, "no release " + id);
                    const auto image = ParseImage(request.Body(), std::stoll(id));
                    co_return JsonAnswer(StoredImageJson(co_await store.PutImage(image)));
                });
    router_.Add(http::verb::get, "/images/{guid}",
                [&store](Request& request) -> asio::awaitable<Response> {
                    const auto guid = GuidParam(request);
                    auto row = co_await store.GetImage(guid);
                    if (!row) throw Error(ErrorCode::kNotFound, "no image " + guid.text());
                    co_return JsonAnswer(ImageJson(*row));
                });
    router_.Add(http::verb::delete_, "/images/{guid}",
                [&store](Request& request) -> asio::awaitable<Response> {
                    const auto guid = GuidParam(request);
                    if (!co_await store.WithdrawImage(guid, Today()))
                        throw Error(ErrorCode::kNotFound, "no image " + guid.text());
                    co_return JsonAnswer("{}");
                });
    router_.Add(
        http::verb::put, "/images/{guid}/content",
        [this](Request& request) -> asio::awaitable<Response> {
            const auto guid = GuidParam(request);
            // Known before a byte is read: a refused upload costs the client nothing more.
            if (!co_await deps_.store.GetImage(guid))
                throw Error(ErrorCode::kNotFound, "no image " + guid.text());
            auto* body = request.body_reader;
            const auto digest = co_await deps_.content.Store(
                [body](asio::mutable_buffer into) { return body->Read(into); },
                deps_.max_file_bytes, body->length());
            co_await deps_.store.SetImageContent(guid, digest);
            ESCD_INFO("catalogue")
                << "image " << guid.text() << ": " << digest.size << " bytes stored, sha512 "
                << digest.sha512.substr(0, 16) << "...";
            co_return JsonAnswer(DigestJson(guid, digest));
        },
        RouteOptions{.streamed_body = true});
    router_.Add(http::verb::post, "/import", [this](Request& request) -> asio::awaitable<Response> {
        RequireJson(request);
        const std::filesystem::path directory = ParseImportDirectory(request.Body());
        // The directory's place, with symlinks resolved: the admin names files escd may read,
        // only below files.root (as an image's file:// source).
        const bool below = co_await Offload(deps_.verify_pool, [this, &directory] {
            const auto path = std::filesystem::weakly_canonical(directory);
            const auto root = std::filesystem::weakly_canonical(deps_.import_root);
            const auto relative = path.lexically_relative(root);
            return !relative.empty() && *relative.begin() != ".." &&
                   std::filesystem::is_directory(path);
        });
        if (!below) {
            throw Error(ErrorCode::kBadRequest, "directory " + directory.string() +
                                                    " is not a directory below files.root (" +
                                                    deps_.import_root + ")");
        }
        const auto report = co_await deps_.importer.Import(directory);
        co_return JsonAnswer(ImportReportJson(report));
    });
    router_.Add(http::verb::get, "/clients", [&store](Request&) -> asio::awaitable<Response> {
        co_return JsonAnswer(ClientsJson(co_await store.ListClients()));
    });
    router_.Add(
        http::verb::post, "/clients", [this](Request& request) -> asio::awaitable<Response> {
            RequireJson(request);
            model::catalogue::ApiClient client;
            client.name = ParseClientName(request.Body());
            client.client_id = "escd-" + RandomHex(12);
            const auto secret = RandomPassword(32);
            // PBKDF2: tens of milliseconds, off the Asio threads.
            client.secret_hash =
                co_await Offload(deps_.verify_pool, [&secret] { return HashPassword(secret); });
            co_await deps_.store.CreateClient(client);
            co_return JsonAnswer(NewClientJson(client, secret), http::status::created);
        });
    router_.Add(http::verb::delete_, "/clients/{id}",
                [&store](Request& request) -> asio::awaitable<Response> {
                    if (!co_await store.RevokeClient(request.Param("id")))
                        throw Error(ErrorCode::kNotFound, "no client " + request.Param("id"));
                    co_return JsonAnswer("{}");
                });
}

}  // namespace escd::server::catalogue
