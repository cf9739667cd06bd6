#include "server/csm/cco_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "model/catalogue/smu_selection.hpp"
#include "server/csm/csm_answers.hpp"
#include "server/csm/csm_json_text.hpp"
#include "server/csm/json_fields.hpp"
#include "server/query.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::catalogue::SmuItem;

// A row as CSM answered it: sizes as strings, the lists as lists.
json::object SoftwareRow(const SmuItem& item) {
    return {
        {"id", item.id},
        {"name", item.name},
        {"status", item.status},
        {"type", item.type},
        {"posted_date", item.posted_date},
        {"ddts", item.ddts},
        {"description", item.description},
        {"functional_areas", TextArray(item.functional_areas)},
        {"impact", item.impact},
        {"package_bundles", TextArray(item.package_bundles)},
        {"compressed_image_size", std::to_string(item.compressed_size)},
        {"uncompressed_image_size", std::to_string(item.uncompressed_size)},
        {"prerequisites", TextArray(item.prerequisites)},
        {"supersedes", TextArray(item.supersedes)},
        {"superseded_by", TextArray(item.superseded_by)},
        {"composite_DDTS", TextArray(item.composite_ddts)},
    };
}

// By name first, then by id, as CSM looked an entry up.
const SmuItem* FindSoftware(const model::catalogue::SmuCatalog& catalog,
                            const std::string& wanted) {
    for (const auto& item : catalog.items)
        if (item.name == wanted) return &item;
    for (const auto& item : catalog.items)
        if (item.id == wanted) return &item;
    return nullptr;
}

struct PlatformRelease {
    std::string platform;
    std::string release;
};

// The catalog a request names, or the 400 it gets.
std::variant<PlatformRelease, Response> RequestedCatalog(
    const std::map<std::string, std::string>& query) {
    const auto platform = query.find("platform");
    const auto release = query.find("release");
    if (platform == query.end() || platform->second.empty() || release == query.end() ||
        release->second.empty())
        return BadRequest("Both platform and release must be specified.");
    return PlatformRelease{model::catalogue::CatalogPlatform(platform->second),
                           model::catalogue::CatalogRelease(release->second)};
}

}  // namespace

void RegisterCcoRoutes(Router& router, model::CatalogueStore& catalogue) {
    router.Add(http::verb::get, "/cco/catalog",
               [&catalogue](Request& request) -> asio::awaitable<Response> {
                   const auto query = ParseQuery(request.query);
                   if (auto refused = DisallowedParameters(ParameterNames(query), {}))
                       co_return BadRequest(*refused);
                   std::map<std::string, std::vector<std::string>> releases;
                   const auto catalogs = co_await catalogue.ListSmuCatalogs();
                   for (const auto& catalog : catalogs)
                       releases[catalog.platform].push_back(catalog.release);
                   json::object answer;
                   for (auto& [platform, list] : releases) {
                       // Newest first, as Cisco's catalog.dat lists them.
                       std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
                           return model::catalogue::CompareVersions(a, b) > 0;
                       });
                       answer[platform] = TextArray(list);
                   }
                   co_return JsonAnswer(ApiResponse(std::move(answer)));
               });
    router.Add(
        http::verb::get, "/cco/software",
        [&catalogue](Request& request) -> asio::awaitable<Response> {
            const auto query = ParseQuery(request.query);
            // `optimal` is the reference's; CSM's own whitelist refused it (docs/csm.md).
            if (auto refused = DisallowedParameters(ParameterNames(query),
                                                    {"platform", "release", "date", "optimal"}))
                co_return BadRequest(*refused);
            auto requested = RequestedCatalog(query);
            if (auto* refusal = std::get_if<Response>(&requested)) co_return std::move(*refusal);
            const auto& [platform, release] = std::get<PlatformRelease>(requested);
            std::optional<std::chrono::year_month_day> since;
            if (const auto date = query.find("date"); date != query.end()) {
                since = model::catalogue::ParseMonthDayYear(date->second);
                if (!since)
                    co_return BadRequest("Invalid date: '" + date->second +
                                         "' must be in 'mm-dd-yyyy' format.");
            }
            bool optimal = true;
            if (const auto value = query.find("optimal"); value != query.end()) {
                if (value->second != "true" && value->second != "false")
                    co_return BadRequest("optimal must be 'true' or 'false'.");
                optimal = value->second == "true";
            }
            const auto catalog = co_await catalogue.GetSmuCatalog(platform, release);
            if (!catalog)
                co_return BadRequest("Unable to get software information for platform " + platform +
                                     " and release " + release);
            json::array rows;
            for (const auto& item : model::catalogue::SelectSoftware(*catalog, optimal, since))
                rows.push_back(SoftwareRow(item));
            json::object answer;
            answer["software_list"] = std::move(rows);
            co_return JsonAnswer(ApiResponse(std::move(answer)));
        });
    router.Add(
        http::verb::get, "/cco/software/{name_or_id}",
        [&catalogue](Request& request) -> asio::awaitable<Response> {
            const auto query = ParseQuery(request.query);
            if (auto refused = DisallowedParameters(ParameterNames(query), {"platform", "release"}))
                co_return BadRequest(*refused);
            auto requested = RequestedCatalog(query);
            if (auto* refusal = std::get_if<Response>(&requested)) co_return std::move(*refusal);
            const auto& [platform, release] = std::get<PlatformRelease>(requested);
            const auto wanted = PercentDecode(request.Param("name_or_id"));
            const auto catalog = co_await catalogue.GetSmuCatalog(platform, release);
            if (catalog) {
                if (const auto* item = FindSoftware(*catalog, wanted))
                    co_return JsonAnswer(ApiResponse(SoftwareRow(*item)));
            }
            co_return Failure(404, "Unable to locate " + wanted);
        });
}

}  // namespace escd::server::csm
