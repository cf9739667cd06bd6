#pragma once
/// @file
/// The CSM face's inventory as JSON (docs/csm.md): one item of a bulk POST read into a patch
/// (the keys it gave), a patch merged with the stored object into the object to store, and the
/// rows of the GET lists. Messages are CSM's own texts. A bulk POST handler does, per item of
/// BulkItems(body):
///
///     auto patch = ParseHostItem(item);        // failure: rows.push_back(FailedRow(...))
///     auto host = MergeHost(store.GetHost(patch->hostname), *patch, user);  // idem
///     ... store it; then SucceededRow(BulkRowOf(*patch)), or FailedRow(BulkRowOf(*patch),
///     the store's message) for a reference it did not find.
///
/// Conventions, the same for the five kinds:
/// - A key whose value is null counts as not given: CSM tested every value with
///   `data.get(key) is not None`, so clients that send null for "unchanged" keep working.
///   (Only the whitelist looks at keys regardless of their values.)
/// - Where a string is expected a number is taken as its decimal text ("port_number": 22 is
///   "22"); a boolean, list or object is refused with a message naming the key.
/// - List-valued keys take a list or one value (a list of one), and are kept as real lists
///   (docs/csm.md). The host's roles, ts_or_ip and port_number are also split at commas: CSM
///   stored them comma-joined and answered them split, so "10.0.0.1,10.0.0.2" meant two
///   addresses, and no address, port or role can contain a comma. A region's
///   server_repositories and a command_list are not split: a repository's name may contain a
///   comma (AcceptableName keeps it), a command too (CSM's #71/#79). Items are trimmed; empty
///   ones are dropped.
/// - The checks run in CSM's order: the name key, the sanitised name, the key whitelist, then
///   the values; the keys a new object needs are checked by Merge (repositories: by Parse, as
///   CSM requires them on updates too). So a new host with both a bad connection_type and no
///   region is told about the connection type, where CSM named the missing key first: Parse
///   needs no store lookup, and either message is true.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "model/csm/inventory.hpp"
#include "server/csm/csm_json_text.hpp"

namespace escd::server::csm {

/// The keys a kind's answers use: its name in a bulk row, its list in api_response.
struct CsmCollection {
    std::string_view name_key;
    std::string_view list_key;
};
inline constexpr CsmCollection kHosts{"hostname", "host_list"};
inline constexpr CsmCollection kJumpHosts{"hostname", "jump_host_list"};
inline constexpr CsmCollection kRegions{"region_name", "region_list"};
inline constexpr CsmCollection kServerRepositories{"hostname", "server_repository_list"};
inline constexpr CsmCollection kCommandProfiles{"profile_name", "custom_command_profile_list"};

// ---- Hosts ----------------------------------------------------------------------------------

struct HostPatch {
    std::string raw_hostname;  ///< as given (a number as its text)
    std::string hostname;      ///< AcceptableName(raw_hostname); never empty
    std::optional<std::string> region;
    std::optional<std::string> location;
    std::optional<std::vector<std::string>> roles;
    std::optional<std::string> software_profile;  ///< "": none
    std::optional<model::csm::ConnectionType> connection_type;
    std::optional<std::vector<std::string>> ts_or_ip;
    std::optional<std::vector<std::string>> port_number;
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::string> enable_password;
    std::optional<std::string> jump_host;  ///< "": none
};

ItemResult<HostPatch> ParseHostItem(const boost::json::value& item);
/// The host to store: `existing` (looked up by patch.hostname) with the given keys replaced,
/// or a new host, which needs region, connection_type and ts_or_ip ("Missing JSON key:
/// 'region'."), created_by `user`, and facts "Unknown" until discovery. Whether the region,
/// jump host and software profile exist is the store's to say. An empty jump_host or
/// software_profile removes it (CSM kept the old one: it had no way to remove it).
ItemResult<model::csm::Host> MergeHost(const std::optional<model::csm::Host>& existing,
                                       const HostPatch& patch,
                                       const std::string& user);
/// A row of GET /hosts; never a password.
boost::json::object HostRow(const model::csm::Host& host);
/// {"hostname": ...}: the start of the item's bulk row.
boost::json::object BulkRowOf(const HostPatch& patch);

// ---- Jump hosts -----------------------------------------------------------------------------

struct JumpHostPatch {
    std::string raw_hostname;
    std::string hostname;  ///< sanitised; never empty
    std::optional<model::csm::ConnectionType> connection_type;
    std::optional<std::string> host_or_ip;
    std::optional<std::string> port_number;  ///< one port, not a list
    std::optional<std::string> username;
    std::optional<std::string> password;
};

ItemResult<JumpHostPatch> ParseJumpHostItem(const boost::json::value& item);
/// A new jump host needs connection_type and host_or_ip.
ItemResult<model::csm::JumpHost> MergeJumpHost(const std::optional<model::csm::JumpHost>& existing,
                                               const JumpHostPatch& patch,
                                               const std::string& user);
/// A row of GET /jump_hosts: hostname, connection_type, host_or_ip, port_number, username.
boost::json::object JumpHostRow(const model::csm::JumpHost& jump_host);
boost::json::object BulkRowOf(const JumpHostPatch& patch);

// ---- Regions --------------------------------------------------------------------------------

struct RegionPatch {
    std::string raw_region_name;
    std::string region_name;  ///< sanitised; never empty
    /// Names as given, each once; the store says which do not exist. Given: replaces the list.
    std::optional<std::vector<std::string>> server_repositories;
};

ItemResult<RegionPatch> ParseRegionItem(const boost::json::value& item);
/// Never fails (a region needs only its name); an ItemResult as the other kinds' merges.
ItemResult<model::csm::Region> MergeRegion(const std::optional<model::csm::Region>& existing,
                                           const RegionPatch& patch,
                                           const std::string& user);
/// {"region_name": ..., "server_repositories": [...]}.
boost::json::object RegionRow(const model::csm::Region& region);
boost::json::object BulkRowOf(const RegionPatch& patch);

// ---- Server repositories --------------------------------------------------------------------

/// Every item names its server_type and the keys that type requires, updates included (CSM
/// checked them before looking the repository up). A key the type does not use is refused by
/// the whitelist ("The following key, 'vrf', is invalid." for SFTP), as CSM's per-type list of
/// accepted keys did: docs/csm.md lists the keys each type accepts.
struct ServerRepositoryPatch {
    std::string raw_hostname;
    std::string hostname;  ///< sanitised; never empty
    model::csm::RepositoryType server_type = model::csm::RepositoryType::kTftp;
    std::optional<std::string> tftp_server_path;     ///< TFTP (required)
    std::optional<std::string> file_directory;       ///< TFTP (required)
    std::optional<std::string> server_address;       ///< FTP, SFTP, SCP (required)
    std::optional<std::string> home_directory;       ///< FTP, SFTP, SCP (required)
    std::optional<std::string> device_path;          ///< LOCAL (required)
    std::optional<std::string> destination_on_host;  ///< SCP (required)
    std::optional<std::string> vrf;                  ///< TFTP, FTP
    std::optional<std::string> username;             ///< FTP, SFTP, SCP
    std::optional<std::string> password;             ///< FTP, SFTP, SCP
};

ItemResult<ServerRepositoryPatch> ParseServerRepositoryItem(const boost::json::value& item);
/// The repository: the type's url key into address, its directory key into directory (see
/// ServerRepository); vrf, username and password omitted keep the stored ones when the type
/// uses them. Fields the (possibly changed) type does not use are cleared, so no stale vrf or
/// password outlives a change of type. Never fails: Parse checked what a repository needs.
ItemResult<model::csm::ServerRepository> MergeServerRepository(
    const std::optional<model::csm::ServerRepository>& existing,
    const ServerRepositoryPatch& patch,
    const std::string& user);
/// hostname, server_type, the type's url key and directory key (none for LOCAL), vrf
/// (TFTP, FTP), username (FTP, SFTP, SCP), destination_on_host (SCP); never the password.
boost::json::object ServerRepositoryRow(const model::csm::ServerRepository& repository);
/// {"hostname": ..., "server_type": ...}, as CSM's rows had.
boost::json::object BulkRowOf(const ServerRepositoryPatch& patch);

// ---- Custom command profiles ----------------------------------------------------------------

struct CommandProfilePatch {
    std::string raw_profile_name;
    std::string profile_name;                              ///< sanitised; never empty
    std::optional<std::vector<std::string>> command_list;  ///< given: replaces the commands
};

ItemResult<CommandProfilePatch> ParseCommandProfileItem(const boost::json::value& item);
/// Never fails (a new profile without command_list has none).
ItemResult<model::csm::CommandProfile> MergeCommandProfile(
    const std::optional<model::csm::CommandProfile>& existing,
    const CommandProfilePatch& patch,
    const std::string& user);
/// {"profile_name": ..., "command_list": [...], "created_by": ...}.
boost::json::object CommandProfileRow(const model::csm::CommandProfile& profile);
boost::json::object BulkRowOf(const CommandProfilePatch& patch);

}  // namespace escd::server::csm
