#pragma once
/// @file
/// The CSM face's inventory (docs/csm.md): its users and their roles, the devices it upgrades
/// (hosts) with the jump hosts in front of them, the regions that group hosts and name the
/// server repositories their packages come from, and the custom command profiles the
/// Pre-/Post-Upgrade checks capture. Values arrive as CSM JSON (server/csm), are parsed once
/// there into these types, and are what the store keeps and the install jobs read.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escd::model::csm {

/// The reference's four roles. Admin and Network Admin create and delete the inventory;
/// Operator also schedules and deletes install jobs and reads their logs; Viewer reads.
enum class Role { kAdmin, kNetworkAdmin, kOperator, kViewer };

/// "Admin", "Network Admin", "Operator", "Viewer".
std::string_view RoleName(Role role);
/// The role of its name, case-insensitively; nullopt for any other text.
std::optional<Role> ParseRole(std::string_view text);
bool MayEditInventory(Role role);
bool MayRunInstalls(Role role);

/// A user of the CSM face. escd's own admin is an Admin here without a row (id 0).
struct User {
    std::int64_t id = 0;
    std::string username;       ///< lower-case, as CSM stores it
    std::string password_hash;  ///< PBKDF2 (common/crypto.hpp); never answered
    Role role = Role::kViewer;
    bool active = true;
    std::string fullname;
    std::string email;
};

enum class ConnectionType { kTelnet, kSsh };
std::string_view ConnectionTypeName(ConnectionType type);  ///< "telnet", "ssh"
/// Exactly "telnet" or "ssh" (CSM compares them so).
std::optional<ConnectionType> ParseConnectionType(std::string_view text);

/// What discovery learnt of a device (show version, show inventory); "Unknown" until it ran.
struct DeviceFacts {
    std::string family = "Unknown";             ///< "ASR9K", "NCS5500", "IOSXRv-9K"
    std::string chassis = "Unknown";            ///< "ASR-9006", "NCS-5501"
    std::string software_platform = "Unknown";  ///< the family, "ASR9K-X64" for eXR on ASR9K
    std::string software_version = "Unknown";   ///< "6.1.3"
    std::string os_type = "Unknown";            ///< "XR", "eXR", "Calvados", "XE", "NX-OS", "IOS"
    friend bool operator==(const DeviceFacts&, const DeviceFacts&) = default;
};

/// A device escd upgrades. Several `ts_or_ip` × `port_number` are tried in order (an active
/// and a standby address).
struct Host {
    std::string hostname;  ///< sanitised (AcceptableName); the key
    std::string region;
    std::string location;
    std::vector<std::string> roles;
    std::string software_profile;
    ConnectionType connection_type = ConnectionType::kSsh;
    std::vector<std::string> ts_or_ip;
    std::vector<std::string> port_number;  ///< as given ("22"); empty: the protocol's port
    std::string username;
    std::string password;         ///< never answered, never logged
    std::string enable_password;  ///< never answered, never logged
    std::string jump_host;        ///< "" when none
    DeviceFacts facts;
    std::string created_by;
    std::chrono::system_clock::time_point created_time{};  ///< set by the store at insert
    /// "" for an operator's host; else escd registered it for a VM of this deployment
    /// (orchestrator/csm/vnf_hosts.hpp), and retires it when the VM goes.
    std::string vnf_deployment{};
};

/// A host the connection to a device goes through first.
struct JumpHost {
    std::string hostname;  ///< sanitised; the key
    ConnectionType connection_type = ConnectionType::kSsh;
    std::string host_or_ip;
    std::string port_number;
    std::string username;
    std::string password;  ///< never answered, never logged
    std::string created_by;
};

enum class RepositoryType { kTftp, kFtp, kSftp, kScp, kLocal };
std::string_view RepositoryTypeName(RepositoryType type);  ///< "TFTP", ... as CSM spells them
/// Exactly the CSM spelling (upper case); nullopt for any other text.
std::optional<RepositoryType> ParseRepositoryType(std::string_view text);

/// Where a device fetches its packages from. The type decides which fields mean something:
///   TFTP  address = tftp_server_path, directory = file_directory (a path on escd's side), vrf
///   FTP   address = server_address, directory = home_directory, vrf, username, password
///   SFTP  address = server_address, directory = home_directory, username, password
///   SCP   address = server_address, directory = home_directory, destination_on_host,
///         username, password
///   LOCAL address = device_path ("harddisk:")
struct ServerRepository {
    std::string hostname;  ///< sanitised; the key (CSM calls a repository's name "hostname")
    RepositoryType type = RepositoryType::kTftp;
    std::string address;
    std::string directory;
    std::string vrf;
    std::string username;
    std::string password;  ///< never answered, never logged
    std::string destination_on_host;
    std::string created_by;
};

/// A group of hosts and the repositories they may install from.
struct Region {
    std::string name;  ///< sanitised; the key
    std::vector<std::string> server_repositories;
    std::string created_by;
};

/// Extra commands a Pre-/Post-Upgrade check captures.
struct CommandProfile {
    std::string name;                   ///< sanitised; the key
    std::vector<std::string> commands;  ///< kept as a list: a command may contain a comma
    std::string created_by;
};

/// A user name as CSM stored and looked it up: stripped and lower-cased.
std::string CanonicalUsername(std::string_view name);

/// CSM's name sanitising (its get_acceptable_string): every character outside letters,
/// digits, whitespace and ASCII 0x28..0x5F ("()*+,-./0-9:;<=>?@A-Z[\]^_") is dropped, runs of
/// whitespace become one space, the ends are trimmed. "" when nothing acceptable is left.
std::string AcceptableName(std::string_view raw);

}  // namespace escd::model::csm
