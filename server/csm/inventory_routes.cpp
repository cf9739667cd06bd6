#include "server/csm/inventory_routes.hpp"

#include <boost/json.hpp>

#include <functional>
#include <map>

#include "common/error.hpp"
#include "model/csm/inventory.hpp"
#include "server/csm/csm_answers.hpp"
#include "server/csm/csm_json_text.hpp"
#include "server/csm/inventory_json.hpp"
#include "server/query.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::DeleteOutcome;
using model::MissingReference;
namespace inv = model::csm;

// What the generic routes need of one kind: how to read, merge and store an item, find one by
// name, list, delete, and the messages that name the kind.
template <class Patch, class Object>
struct Kind {
    std::string_view path;  ///< "/hosts"
    CsmCollection collection;
    std::string_view filter_key;  ///< the GET parameter that names one object
    ItemResult<Patch> (*parse)(const json::value&);
    ItemResult<Object> (*merge)(const std::optional<Object>&, const Patch&, const std::string&);
    std::function<const std::string&(const Patch&)> name_of;
    std::function<asio::awaitable<std::optional<Object>>(const std::string&)> get;
    /// Stores; the item's failure message when a reference was missing.
    std::function<asio::awaitable<std::optional<std::string>>(const Object&)> put;
    std::function<asio::awaitable<std::vector<Object>>(const std::optional<std::string>&)> list;
    std::function<json::object(const Object&)> row;
    std::function<asio::awaitable<DeleteOutcome>(const std::string&)> remove;
    std::function<std::string(const std::string&)> missing;  ///< "Region 'r' does not exist..."
    std::function<std::string(const std::string&)> in_use;
};

std::string MissingReferenceMessage(const MissingReference& missing) {
    switch (missing.kind) {
        case MissingReference::Kind::kRegion:
            return "Region \"" + missing.name + "\" does not exist in the database.";
        case MissingReference::Kind::kJumpHost:
            return "Jump host \"" + missing.name + "\" does not exist in the database.";
        case MissingReference::Kind::kServerRepository:
            return "Server repository '" + missing.name + "' does not exist in the database.";
        case MissingReference::Kind::kHost:
            return "Host '" + missing.name + "' does not exist in the database.";
        case MissingReference::Kind::kCommandProfile:
            return "Custom command profile '" + missing.name + "' does not exist in the database.";
    }
    return "A referenced object does not exist in the database.";
}

template <class Object>
std::optional<Object> First(std::vector<Object> objects) {
    if (objects.empty()) return std::nullopt;
    return std::move(objects.front());
}

template <class Patch, class Object>
asio::awaitable<json::object> UpsertItem(const Kind<Patch, Object>& kind,
                                         const json::value& item,
                                         const std::string& user) {
    auto patch = kind.parse(item);
    if (!patch) co_return FailedRow(patch.failure());
    const auto& name = kind.name_of(*patch);
    const auto existing = co_await kind.get(name);
    auto object = kind.merge(existing, *patch, user);
    if (!object) co_return FailedRow(object.failure());
    const auto refused = co_await kind.put(*object);
    if (refused) co_return FailedRow(BulkRowOf(*patch), *refused);
    co_return SucceededRow(BulkRowOf(*patch));
}

template <class Patch, class Object>
void AddKindRoutes(Router& router, Kind<Patch, Object> kind_value) {
    auto kind = std::make_shared<const Kind<Patch, Object>>(std::move(kind_value));
    router.Add(http::verb::post, std::string(kind->path),
               [kind](Request& request) -> asio::awaitable<Response> {
                   const UpsertOne upsert = [&kind, &request](const json::value& item) {
                       return UpsertItem(*kind, item, request.principal);
                   };
                   co_return co_await BulkPost(request, kind->collection.list_key, upsert);
               });
    // GET /hosts pages and filters (its own route, below); the others list by name only.
    if (kind->path != "/hosts") {
        router.Add(
            http::verb::get, std::string(kind->path),
            [kind](Request& request) -> asio::awaitable<Response> {
                const auto query = ParseQuery(request.query);
                if (auto refused = DisallowedParameters(ParameterNames(query), {kind->filter_key}))
                    co_return BadRequest(*refused);
                std::optional<std::string> name;
                if (const auto it = query.find(std::string(kind->filter_key)); it != query.end())
                    name = it->second;
                std::optional<std::string> wanted;
                if (name) wanted = inv::AcceptableName(*name);
                const auto objects = co_await kind->list(wanted);
                if (name && objects.empty()) co_return BadRequest(kind->missing(*name));
                json::array rows;
                for (const auto& object : objects) rows.push_back(kind->row(object));
                json::object answer;
                answer[kind->collection.list_key] = std::move(rows);
                co_return JsonAnswer(ApiResponse(std::move(answer)));
            });
    }
    router.Add(http::verb::delete_, std::string(kind->path) + "/{name}/delete",
               [kind](Request& request) -> asio::awaitable<Response> {
                   const auto query = ParseQuery(request.query);
                   if (auto refused = DisallowedParameters(ParameterNames(query), {}))
                       co_return BadRequest(*refused);
                   const auto raw = PercentDecode(request.Param("name"));
                   const auto name = inv::AcceptableName(raw);
                   const auto outcome = co_await kind->remove(name);
                   if (outcome == DeleteOutcome::kMissing) co_return BadRequest(kind->missing(raw));
                   if (outcome == DeleteOutcome::kInUse) co_return BadRequest(kind->in_use(name));
                   json::object answer;
                   answer[kind->collection.name_key] = name;
                   answer["status"] = "SUCCESS";
                   co_return JsonAnswer(ApiResponse(std::move(answer)));
               });
}

asio::awaitable<Response> ListHosts(model::CsmStore& store, const Request& request) {
    const auto query = ParseQuery(request.query);
    if (auto refused =
            DisallowedParameters(ParameterNames(query), {"hostname", "region", "family", "page"}))
        co_return BadRequest(*refused);
    const auto value = [&query](const std::string& key) -> std::optional<std::string> {
        const auto it = query.find(key);
        if (it == query.end()) return std::nullopt;
        return it->second;
    };
    const auto page_text = value("page");
    const auto page = ParsePage(page_text.value_or(""));
    json::array rows;
    if (const auto hostname = value("hostname")) {
        const auto wanted = inv::AcceptableName(*hostname);
        const auto host = co_await store.GetHost(wanted);
        if (!host) co_return BadRequest("Host '" + *hostname + "' does not exist in the database.");
        rows.push_back(HostRow(*host));
        co_return JsonAnswer(HostListPage(std::move(rows), 1, 1));
    }
    model::HostFilter filter;
    if (const auto region = value("region")) {
        filter.region = inv::AcceptableName(*region);
        const auto regions = co_await store.ListRegions(filter.region);
        if (regions.empty())
            co_return BadRequest("Region '" + *region + "' does not exist in the database.");
    }
    filter.family = value("family");
    const std::int64_t offset = (page - 1) * kRecordsPerPage;
    const auto found = co_await store.ListHosts(filter, offset, kRecordsPerPage);
    for (const auto& host : found.hosts) rows.push_back(HostRow(host));
    co_return JsonAnswer(HostListPage(std::move(rows), page, TotalPages(found.total)));
}

// escd's own route: discovers a host now and answers its row as GET /hosts does. A device that
// cannot be reached is a 400 naming why, in the face's envelope (as the face answers every
// failure).
asio::awaitable<Response> DiscoverHost(orchestrator::csm::HostDiscovery& discovery,
                                       const Request& request) {
    const auto query = ParseQuery(request.query);
    if (auto refused = DisallowedParameters(ParameterNames(query), {}))
        co_return BadRequest(*refused);
    const auto name = inv::AcceptableName(PercentDecode(request.Param("name")));
    std::string failure;
    try {
        const auto host = co_await discovery.Discover(name);
        json::array rows;
        rows.push_back(HostRow(host));
        json::object answer;
        answer["host_list"] = std::move(rows);
        co_return JsonAnswer(ApiResponse(std::move(answer)));
    } catch (const orchestrator::csm::DeviceError& e) {
        failure = "Unable to discover '" + name + "': " + e.what();
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotFound && e.code() != ErrorCode::kBadRequest) throw;
        failure = e.what();
    }
    co_return BadRequest(failure);
}

template <class Object>
auto Lister(asio::awaitable<std::vector<Object>> (model::CsmStore::*list)(
                const std::optional<std::string>&),
            model::CsmStore& store) {
    return [&store, list](const std::optional<std::string>& name) { return (store.*list)(name); };
}

template <class Object>
auto Getter(asio::awaitable<std::vector<Object>> (model::CsmStore::*list)(
                const std::optional<std::string>&),
            model::CsmStore& store) {
    return [&store, list](const std::string& name) -> asio::awaitable<std::optional<Object>> {
        const std::optional<std::string> wanted = name;
        auto found = co_await (store.*list)(wanted);
        co_return First(std::move(found));
    };
}

std::function<std::string(const std::string&)> Quoted(std::string before, std::string after) {
    return [before = std::move(before), after = std::move(after)](const std::string& name) {
        return before + "'" + name + "'" + after;
    };
}

}  // namespace

void RegisterInventoryRoutes(Router& router,
                             model::CsmStore& store,
                             orchestrator::csm::HostDiscovery& discovery) {
    AddKindRoutes<HostPatch, inv::Host>(
        router,
        {"/hosts", kHosts, "hostname", ParseHostItem, MergeHost,
         [](const HostPatch& patch) -> const std::string& { return patch.hostname; },
         [&store](const std::string& name) { return store.GetHost(name); },
         [&store,
          &discovery](const inv::Host& host) -> asio::awaitable<std::optional<std::string>> {
             // escd has no software profiles (CSM's web UI made them): any name is unknown.
             if (!host.software_profile.empty())
                 co_return "Software profile \"" + host.software_profile +
                     "\" does not exist in the database.";
             const auto missing = co_await store.PutHost(host);
             if (missing) co_return MissingReferenceMessage(*missing);
             // A new host (it has no creation time yet) is discovered, as CSM did; an update
             // is not.
             if (host.created_time == std::chrono::system_clock::time_point{})
                 discovery.DiscoverSoon(host.hostname);
             co_return std::nullopt;
         },
         nullptr,  // GET /hosts pages: its own route
         HostRow, [&store](const std::string& name) { return store.DeleteHost(name); },
         Quoted("Host ", " does not exist in the database."),
         Quoted("Unable to delete host ", ". Verify that it has no install job in progress.")});
    router.Add(http::verb::get, "/hosts",
               [&store](Request& request) { return ListHosts(store, request); });
    router.Add(http::verb::post, "/hosts/{name}/discover",
               [&discovery](Request& request) { return DiscoverHost(discovery, request); });
    AddKindRoutes<JumpHostPatch, inv::JumpHost>(
        router,
        {"/jump_hosts", kJumpHosts, "hostname", ParseJumpHostItem, MergeJumpHost,
         [](const JumpHostPatch& patch) -> const std::string& { return patch.hostname; },
         Getter(&model::CsmStore::ListJumpHosts, store),
         [&store](const inv::JumpHost& jump_host) -> asio::awaitable<std::optional<std::string>> {
             co_await store.PutJumpHost(jump_host);
             co_return std::nullopt;
         },
         Lister(&model::CsmStore::ListJumpHosts, store), JumpHostRow,
         [&store](const std::string& name) { return store.DeleteJumpHost(name); },
         Quoted("Jump host ", " does not exist in the database."),
         Quoted("Unable to delete jump host ", ". Verify that it is not used by other hosts.")});
    AddKindRoutes<RegionPatch, inv::Region>(
        router,
        {"/regions", kRegions, "region_name", ParseRegionItem, MergeRegion,
         [](const RegionPatch& patch) -> const std::string& { return patch.region_name; },
         Getter(&model::CsmStore::ListRegions, store),
         [&store](const inv::Region& region) -> asio::awaitable<std::optional<std::string>> {
             const auto missing = co_await store.PutRegion(region);
             if (missing) co_return MissingReferenceMessage(*missing);
             co_return std::nullopt;
         },
         Lister(&model::CsmStore::ListRegions, store), RegionRow,
         [&store](const std::string& name) { return store.DeleteRegion(name); },
         Quoted("Region ", " does not exist in the database."),
         Quoted("Unable to delete region ", ". Verify that it is not used by other hosts.")});
    AddKindRoutes<ServerRepositoryPatch, inv::ServerRepository>(
        router,
        {"/server_repositories", kServerRepositories, "hostname", ParseServerRepositoryItem,
         MergeServerRepository,
         [](const ServerRepositoryPatch& patch) -> const std::string& { return patch.hostname; },
         Getter(&model::CsmStore::ListServerRepositories, store),
         [&store](const inv::ServerRepository& repository)
             -> asio::awaitable<std::optional<std::string>> {
             co_await store.PutServerRepository(repository);
             co_return std::nullopt;
         },
         Lister(&model::CsmStore::ListServerRepositories, store), ServerRepositoryRow,
         [&store](const std::string& name) { return store.DeleteServerRepository(name); },
         Quoted("Server repository ", " does not exist in the database."),
         Quoted("Unable to delete server repository ",
                ". Verify that it is not used by other regions or by install jobs that have not "
                "finished.")});
    AddKindRoutes<CommandProfilePatch, inv::CommandProfile>(
        router,
        {"/custom_command_profiles", kCommandProfiles, "profile_name", ParseCommandProfileItem,
         MergeCommandProfile,
         [](const CommandProfilePatch& patch) -> const std::string& { return patch.profile_name; },
         Getter(&model::CsmStore::ListCommandProfiles, store),
         [&store](
             const inv::CommandProfile& profile) -> asio::awaitable<std::optional<std::string>> {
             co_await store.PutCommandProfile(profile);
             co_return std::nullopt;
         },
         Lister(&model::CsmStore::ListCommandProfiles, store), CommandProfileRow,
         [&store](const std::string& name) { return store.DeleteCommandProfile(name); },
         Quoted("Custom command profile ", " does not exist in the database."),
         Quoted("Unable to delete custom command profile ",
                ". Verify that it is not used by install jobs that have not finished.")});
}

}  // namespace escd::server::csm
