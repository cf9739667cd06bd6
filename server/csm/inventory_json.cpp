#include "server/csm/inventory_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <system_error>
#include <utility>

#include <boost/json.hpp>

#include "common/text.hpp"
#include "server/csm/json_fields.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::csm::CommandProfile;
using model::csm::ConnectionType;
using model::csm::Host;
using model::csm::JumpHost;
using model::csm::Region;
using model::csm::RepositoryType;
using model::csm::ServerRepository;

/// A problem with one value: its message, or nullopt when there is none.
using Problem = std::optional<std::string>;

/// The first problem of several reads, which run in the listed order.
Problem First(std::initializer_list<Problem> problems) {
    for (const auto& problem : problems)
        if (problem) return problem;
    return std::nullopt;
}

enum class Split { kNo, kAtCommas };

void AppendItems(std::string_view text, Split split, std::vector<std::string>& out) {
    while (true) {
        const auto comma = split == Split::kAtCommas ? text.find(',') : std::string_view::npos;
        const auto item = Trimmed(text.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) return;
        text.remove_prefix(comma + 1);
    }
}

/// Reads a list-valued `key` (a list, or one value as a list of one) into `out`.
Problem ReadList(const json::object& item,
                 std::string_view key,
                 Split split,
                 std::optional<std::vector<std::string>>& out) {
    const auto* value = Given(item, key);
    if (value == nullptr) return std::nullopt;
    const auto problem =
        "The value of '" + std::string(key) + "' must be a string or a list of strings.";
    std::vector<std::string> items;
    if (const auto* array = value->if_array()) {
        for (const auto& element : *array) {
            const auto text = TextOf(element);
            if (!text) return problem;
            AppendItems(*text, split, items);
        }
    } else {
        const auto text = TextOf(*value);
        if (!text) return problem;
        AppendItems(*text, split, items);
    }
    out = std::move(items);
    return std::nullopt;
}

Problem ReadConnectionType(const json::object& item, std::optional<ConnectionType>& out) {
    const auto* value = Given(item, "connection_type");
    if (value == nullptr) return std::nullopt;
    if (value->is_string()) out = model::csm::ParseConnectionType(value->get_string());
    return out ? std::nullopt : Problem("Connection Type must be either telnet or ssh");
}

/// The item's name under `key`: its text into `raw`, AcceptableName of it into `name`; the
/// failure when the item is no object, the key is missing or not text, or nothing acceptable
/// is left of the name (`invalid` makes the kind's message of the raw name).
std::optional<ItemFailure> ReadName(const json::value& item,
                                    std::string_view key,
                                    std::string (*invalid)(std::string_view raw),
                                    std::string& raw,
                                    std::string& name) {
    const auto* object = item.if_object();
    if (object == nullptr) return ItemFailure{"Each item must be a JSON object.", {}};
    const auto* value = Given(*object, key);
    if (value == nullptr) return ItemFailure{MissingKey(key), {}};
    auto text = TextOf(*value);
    if (!text) return ItemFailure{NotAString(key), {}};
    raw = std::move(*text);
    name = model::csm::AcceptableName(raw);
    if (name.empty()) return ItemFailure{invalid(Shown(raw)), {{key, ""}}};
    return std::nullopt;
}

/// The first of `keys` the item does not give (null counts as not given).
Problem MissingOf(const json::object& item, std::initializer_list<std::string_view> keys) {
    for (const auto key : keys)
        if (Given(item, key) == nullptr) return MissingKey(key);
    return std::nullopt;
}

template <class T>
void Apply(T& field, const std::optional<T>& given) {
    if (given) field = *given;
}

void KeepEachOnce(std::vector<std::string>& names) {
    std::vector<std::string> once;
    for (auto& name : names)
        if (std::find(once.begin(), once.end(), name) == once.end()) once.push_back(name);
    names = std::move(once);
}

// The keys each repository type accepts and requires (docs/csm.md), hostname and server_type
// included in the accepted ones.
const std::initializer_list<std::string_view> kTftpAccepted{
    "hostname", "server_type", "tftp_server_path", "vrf", "file_directory"};
const std::initializer_list<std::string_view> kFtpAccepted{
    "hostname", "server_type", "server_address", "vrf", "home_directory", "username", "password"};
const std::initializer_list<std::string_view> kSftpAccepted{
    "hostname", "server_type", "server_address", "home_directory", "username", "password"};
const std::initializer_list<std::string_view> kScpAccepted{
    "hostname", "server_type", "server_address",     "home_directory",
    "username", "password",    "destination_on_host"};
const std::initializer_list<std::string_view> kLocalAccepted{"hostname", "server_type",
                                                             "device_path"};
const std::initializer_list<std::string_view> kTftpRequired{"tftp_server_path", "file_directory"};
const std::initializer_list<std::string_view> kRemoteRequired{"server_address", "home_directory"};
const std::initializer_list<std::string_view> kScpRequired{"server_address", "home_directory",
                                                           "destination_on_host"};
const std::initializer_list<std::string_view> kLocalRequired{"device_path"};

const std::initializer_list<std::string_view>& AcceptedKeys(RepositoryType type) {
    switch (type) {
        case RepositoryType::kTftp:
            return kTftpAccepted;
        case RepositoryType::kFtp:
            return kFtpAccepted;
        case RepositoryType::kSftp:
            return kSftpAccepted;
        case RepositoryType::kScp:
            return kScpAccepted;
        case RepositoryType::kLocal:
            break;
    }
    return kLocalAccepted;
}

const std::initializer_list<std::string_view>& RequiredKeys(RepositoryType type) {
    switch (type) {
        case RepositoryType::kTftp:
            return kTftpRequired;
        case RepositoryType::kFtp:
        case RepositoryType::kSftp:
            return kRemoteRequired;
        case RepositoryType::kScp:
            return kScpRequired;
        case RepositoryType::kLocal:
            break;
    }
    return kLocalRequired;
}

bool UsesVrf(RepositoryType type) {
    return type == RepositoryType::kTftp || type == RepositoryType::kFtp;
}

bool UsesLogin(RepositoryType type) {
    return type == RepositoryType::kFtp || type == RepositoryType::kSftp ||
           type == RepositoryType::kScp;
}

/// The key a type's address is given and answered under; and its directory's ("" for LOCAL).
std::string_view UrlKey(RepositoryType type) {
    switch (type) {
        case RepositoryType::kTftp:
            return "tftp_server_path";
        case RepositoryType::kLocal:
            return "device_path";
        default:
            return "server_address";
    }
}

std::string_view DirectoryKey(RepositoryType type) {
    switch (type) {
        case RepositoryType::kTftp:
            return "file_directory";
        case RepositoryType::kLocal:
            return "";
        default:
            return "home_directory";
    }
}

std::string InvalidHostname(std::string_view raw) {
    return "'" + std::string(raw) + "' is an invalid hostname.";
}
std::string InvalidJumpHostname(std::string_view raw) {
    return "'" + std::string(raw) + "' is an invalid jump hostname.";
}
std::string InvalidRegionName(std::string_view raw) {
    return "'" + std::string(raw) + "' is an invalid region name.";
}
std::string InvalidRepositoryName(std::string_view raw) {
    return "Server repository name '" + std::string(raw) + "' is not valid.";
}
std::string InvalidProfileName(std::string_view raw) {
    return "Invalid custom command profile name '" + std::string(raw) + "'.";
}

}  // namespace

// ---- Hosts ----------------------------------------------------------------------------------

ItemResult<HostPatch> ParseHostItem(const json::value& item) {
    HostPatch patch;
    if (auto failure =
            ReadName(item, "hostname", InvalidHostname, patch.raw_hostname, patch.hostname))
        return std::move(*failure);
    const auto& object = item.get_object();
    if (auto invalid =
            InvalidKeys(object, {"hostname", "region", "location", "roles", "software_profile",
                                 "connection_type", "ts_or_ip", "port_number", "username",
                                 "password", "enable_password", "jump_host"}))
        return ItemFailure{std::move(*invalid), BulkRowOf(patch)};
    // CSM's order: the references, the connection type, then the rest.
    auto problem = First({ReadString(object, "region", patch.region),
                          ReadString(object, "jump_host", patch.jump_host),
                          ReadString(object, "software_profile", patch.software_profile),
                          ReadConnectionType(object, patch.connection_type),
                          ReadList(object, "roles", Split::kAtCommas, patch.roles),
                          ReadList(object, "ts_or_ip", Split::kAtCommas, patch.ts_or_ip),
                          ReadList(object, "port_number", Split::kAtCommas, patch.port_number),
                          ReadString(object, "location", patch.location),
                          ReadString(object, "username", patch.username),
                          ReadString(object, "password", patch.password),
                          ReadString(object, "enable_password", patch.enable_password)});
    if (problem) return ItemFailure{std::move(*problem), BulkRowOf(patch)};
    return patch;
}

ItemResult<Host> MergeHost(const std::optional<Host>& existing,
                           const HostPatch& patch,
                           const std::string& user) {
    if (!existing) {
        const std::pair<std::string_view, bool> required[] = {
            {"region", patch.region.has_value()},
            {"connection_type", patch.connection_type.has_value()},
            {"ts_or_ip", patch.ts_or_ip.has_value()}};
        for (const auto& [key, given] : required)
            if (!given) return ItemFailure{MissingKey(key), BulkRowOf(patch)};
    }
    Host host = existing.value_or(Host{});
    if (!existing) host.created_by = user;
    host.hostname = patch.hostname;
    Apply(host.region, patch.region);
    Apply(host.location, patch.location);
    Apply(host.roles, patch.roles);
    Apply(host.software_profile, patch.software_profile);
    Apply(host.connection_type, patch.connection_type);
    Apply(host.ts_or_ip, patch.ts_or_ip);
    Apply(host.port_number, patch.port_number);
    Apply(host.username, patch.username);
    Apply(host.password, patch.password);
    Apply(host.enable_password, patch.enable_password);
    Apply(host.jump_host, patch.jump_host);
    return host;
}

json::object HostRow(const Host& host) {
    return {{"hostname", host.hostname},
            {"region", host.region},
            {"roles", TextArray(host.roles)},
            {"family", host.facts.family},
            {"chassis", host.facts.chassis},
            {"software_platform", host.facts.software_platform},
            {"software_version", host.facts.software_version},
            {"os_type", host.facts.os_type},
            {"location", host.location},
            {"software_profile", host.software_profile},
            {"created_by", host.created_by},
            {"created_time", HttpDate(host.created_time)},
            {"ts_or_ip", TextArray(host.ts_or_ip)},
            {"connection_type", model::csm::ConnectionTypeName(host.connection_type)},
            {"username", host.username},
            {"port_number", TextArray(host.port_number)},
            {"jump_host", host.jump_host}};
}

json::object BulkRowOf(const HostPatch& patch) {
    return {{kHosts.name_key, patch.hostname}};
}

// ---- Jump hosts -----------------------------------------------------------------------------

ItemResult<JumpHostPatch> ParseJumpHostItem(const json::value& item) {
    JumpHostPatch patch;
    if (auto failure =
            ReadName(item, "hostname", InvalidJumpHostname, patch.raw_hostname, patch.hostname))
        return std::move(*failure);
    const auto& object = item.get_object();
    if (auto invalid = InvalidKeys(object, {"hostname", "connection_type", "host_or_ip",
                                            "port_number", "username", "password"}))
        return ItemFailure{std::move(*invalid), BulkRowOf(patch)};
    auto problem = First({ReadConnectionType(object, patch.connection_type),
                          ReadString(object, "host_or_ip", patch.host_or_ip),
                          ReadString(object, "port_number", patch.port_number),
                          ReadString(object, "username", patch.username),
                          ReadString(object, "password", patch.password)});
    if (problem) return ItemFailure{std::move(*problem), BulkRowOf(patch)};
    return patch;
}

ItemResult<JumpHost> MergeJumpHost(const std::optional<JumpHost>& existing,
                                   const JumpHostPatch& patch,
                                   const std::string& user) {
    if (!existing) {
        if (!patch.connection_type)
            return ItemFailure{MissingKey("connection_type"), BulkRowOf(patch)};
        if (!patch.host_or_ip) return ItemFailure{MissingKey("host_or_ip"), BulkRowOf(patch)};
    }
    JumpHost jump_host = existing.value_or(JumpHost{});
    if (!existing) jump_host.created_by = user;
    jump_host.hostname = patch.hostname;
    Apply(jump_host.connection_type, patch.connection_type);
    Apply(jump_host.host_or_ip, patch.host_or_ip);
    Apply(jump_host.port_number, patch.port_number);
    Apply(jump_host.username, patch.username);
    Apply(jump_host.password, patch.password);
    return jump_host;
}

json::object JumpHostRow(const JumpHost& jump_host) {
    return {{"hostname", jump_host.hostname},
            {"connection_type", model::csm::ConnectionTypeName(jump_host.connection_type)},
            {"host_or_ip", jump_host.host_or_ip},
            {"port_number", jump_host.port_number},
            {"username", jump_host.username}};
}

json::object BulkRowOf(const JumpHostPatch& patch) {
    return {{kJumpHosts.name_key, patch.hostname}};
}

// ---- Regions --------------------------------------------------------------------------------

ItemResult<RegionPatch> ParseRegionItem(const json::value& item) {
    RegionPatch patch;
    if (auto failure = ReadName(item, "region_name", InvalidRegionName, patch.raw_region_name,
                                patch.region_name))
        return std::move(*failure);
    const auto& object = item.get_object();
    if (auto invalid = InvalidKeys(object, {"region_name", "server_repositories"}))
        return ItemFailure{std::move(*invalid), BulkRowOf(patch)};
    if (auto problem =
            ReadList(object, "server_repositories", Split::kNo, patch.server_repositories))
        return ItemFailure{std::move(*problem), BulkRowOf(patch)};
    // A repository named twice would be linked twice.
    if (patch.server_repositories) KeepEachOnce(*patch.server_repositories);
    return patch;
}

ItemResult<Region> MergeRegion(const std::optional<Region>& existing,
                               const RegionPatch& patch,
                               const std::string& user) {
    Region region = existing.value_or(Region{});
    if (!existing) region.created_by = user;
    region.name = patch.region_name;
    Apply(region.server_repositories, patch.server_repositories);
    return region;
}

json::object RegionRow(const Region& region) {
    return {{"region_name", region.name},
            {"server_repositories", TextArray(region.server_repositories)}};
}

json::object BulkRowOf(const RegionPatch& patch) {
    return {{kRegions.name_key, patch.region_name}};
}

// ---- Server repositories --------------------------------------------------------------------

ItemResult<ServerRepositoryPatch> ParseServerRepositoryItem(const json::value& item) {
    ServerRepositoryPatch patch;
    // CSM's order: both keys every item needs, the name, the type, the type's required keys,
    // the type's accepted keys.
    if (const auto* object = item.if_object()) {
        if (auto missing = MissingOf(*object, {"hostname", "server_type"}))
            return ItemFailure{std::move(*missing), {}};
    }
    if (auto failure =
            ReadName(item, "hostname", InvalidRepositoryName, patch.raw_hostname, patch.hostname))
        return std::move(*failure);
    const auto& object = item.get_object();
    const auto& type_value = object.at("server_type");
    const auto type_text = TextOf(type_value);
    const auto type = type_value.is_string()
                          ? model::csm::ParseRepositoryType(type_value.get_string())
                          : std::nullopt;
    if (!type)
        return ItemFailure{"'" + Shown(type_text ? *type_text : json::serialize(type_value)) +
                               "' is not a supported server type.",
                           {{"hostname", patch.hostname}}};
    patch.server_type = *type;
    json::object row = BulkRowOf(patch);
    if (auto missing = MissingOf(object, RequiredKeys(*type)))
        return ItemFailure{std::move(*missing), row};
    if (auto invalid = InvalidKeys(object, AcceptedKeys(*type)))
        return ItemFailure{std::move(*invalid), row};
    auto problem =
        First({ReadString(object, "tftp_server_path", patch.tftp_server_path),
               ReadString(object, "file_directory", patch.file_directory),
               ReadString(object, "server_address", patch.server_address),
               ReadString(object, "home_directory", patch.home_directory),
               ReadString(object, "device_path", patch.device_path),
               ReadString(object, "destination_on_host", patch.destination_on_host),
               ReadString(object, "vrf", patch.vrf), ReadString(object, "username", patch.username),
               ReadString(object, "password", patch.password)});
    if (problem) return ItemFailure{std::move(*problem), row};
    return patch;
}

ItemResult<ServerRepository> MergeServerRepository(const std::optional<ServerRepository>& existing,
                                                   const ServerRepositoryPatch& patch,
                                                   const std::string& user) {
    ServerRepository repository = existing.value_or(ServerRepository{});
    if (!existing) repository.created_by = user;
    const auto type = patch.server_type;
    repository.hostname = patch.hostname;
    repository.type = type;
    switch (type) {
        case RepositoryType::kTftp:
            repository.address = patch.tftp_server_path.value_or("");
            repository.directory = patch.file_directory.value_or("");
            break;
        case RepositoryType::kLocal:
            repository.address = patch.device_path.value_or("");
            repository.directory.clear();
            break;
        default:
            repository.address = patch.server_address.value_or("");
            repository.directory = patch.home_directory.value_or("");
    }
    Apply(repository.vrf, patch.vrf);
    Apply(repository.username, patch.username);
    Apply(repository.password, patch.password);
    Apply(repository.destination_on_host, patch.destination_on_host);
    if (!UsesVrf(type)) repository.vrf.clear();
    if (!UsesLogin(type)) {
        repository.username.clear();
        repository.password.clear();
    }
    if (type != RepositoryType::kScp) repository.destination_on_host.clear();
    return repository;
}

json::object ServerRepositoryRow(const ServerRepository& repository) {
    const auto type = repository.type;
    json::object row{{"hostname", repository.hostname},
                     {"server_type", model::csm::RepositoryTypeName(type)},
                     {UrlKey(type), repository.address}};
    if (!DirectoryKey(type).empty()) row[DirectoryKey(type)] = repository.directory;
    if (UsesVrf(type)) row["vrf"] = repository.vrf;
    if (UsesLogin(type)) row["username"] = repository.username;
    if (type == RepositoryType::kScp) row["destination_on_host"] = repository.destination_on_host;
    return row;
}

json::object BulkRowOf(const ServerRepositoryPatch& patch) {
    return {{kServerRepositories.name_key, patch.hostname},
            {"server_type", model::csm::RepositoryTypeName(patch.server_type)}};
}

// ---- Custom command profiles ----------------------------------------------------------------

ItemResult<CommandProfilePatch> ParseCommandProfileItem(const json::value& item) {
    CommandProfilePatch patch;
    if (auto failure = ReadName(item, "profile_name", InvalidProfileName, patch.raw_profile_name,
                                patch.profile_name))
        return std::move(*failure);
    const auto& object = item.get_object();
    if (auto invalid = InvalidKeys(object, {"profile_name", "command_list"}))
        return ItemFailure{std::move(*invalid), BulkRowOf(patch)};
    if (auto problem = ReadList(object, "command_list", Split::kNo, patch.command_list))
        return ItemFailure{std::move(*problem), BulkRowOf(patch)};
    return patch;
}

ItemResult<CommandProfile> MergeCommandProfile(const std::optional<CommandProfile>& existing,
                                               const CommandProfilePatch& patch,
                                               const std::string& user) {
    CommandProfile profile = existing.value_or(CommandProfile{});
    if (!existing) profile.created_by = user;
    profile.name = patch.profile_name;
    Apply(profile.commands, patch.command_list);
    return profile;
}

json::object CommandProfileRow(const CommandProfile& profile) {
    return {{"profile_name", profile.name},
            {"command_list", TextArray(profile.commands)},
            {"created_by", profile.created_by}};
}

json::object BulkRowOf(const CommandProfilePatch& patch) {
    return {{kCommandProfiles.name_key, patch.profile_name}};
}

}  // namespace escd::server::csm
