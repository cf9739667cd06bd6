#pragma once
/// @file
/// VIM connectors and VIM users (ESC reference, "13-ESC VIM Connectors", "14-ESC VIM Users").
///
/// A connector names a VIM escd can deploy to (its type and endpoint properties); a VIM user holds
/// the credentials escd uses on that VIM. Their ids are their own namespace, not the shared
/// resource id space. Secret properties are stored but never shown (IsSecretProperty).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escd::model {

enum class VimType { kLibvirt, kOpenstack };

/// "LIBVIRT", "OPENSTACK".
std::string_view ToString(VimType type) noexcept;
/// Case-insensitive; nullopt for anything else.
std::optional<VimType> ParseVimType(std::string_view text) noexcept;

/// One <property>: a plain <value> or an <encrypted_value> (escd stores the text as given).
struct VimProperty {
    std::string name;
    std::string value;
    bool encrypted = false;

    bool operator==(const VimProperty&) const = default;
};

/// Whether `property` must never appear in an answer or a callback: every encrypted value, and
/// every property whose name contains "password", "secret", "token" or "key" (any case).
bool IsSecretProperty(const VimProperty& property) noexcept;
bool IsSecretPropertyName(std::string_view name) noexcept;

/// The value of the plain property `name`, nullopt when absent or encrypted.
std::optional<std::string> PlainProperty(const std::vector<VimProperty>& properties,
                                         std::string_view name);

/// The outcome of the last PUT /vims/{id}/check_status.
struct VimConnectorStatus {
    bool reachable = false;
    std::string message;
    std::chrono::system_clock::time_point checked_at;
};

struct VimConnector {
    std::string id;
    VimType type = VimType::kOpenstack;
    std::vector<VimProperty> properties;
    bool is_default = false;  ///< stored; requests cannot set it (see POST default)
    std::optional<VimConnectorStatus> status;  ///< none until checked, and after an update
};

struct VimUser {
    std::string vim_id;
    std::string id;
    std::vector<VimProperty> credentials;
};

/// Id of the connector escd preloads for its own configured VIM.
inline constexpr const char* kOwnVimConnectorId = "default_libvirt_vim";
/// The path segment of /vims/default_vim_connector: refused as a connector id, since that path
/// never reaches a connector.
inline constexpr const char* kDefaultVimConnectorSegment = "default_vim_connector";
/// Longest property or credential value accepted.
inline constexpr std::size_t kMaxPropertyValueLength = 4096;

/// Connector ids: as internal ids (1..72 of A-Z a-z 0-9 - . _), and not the reserved segment.
void ValidateVimConnectorId(std::string_view id);
/// VIM user ids are VIM account names ("admin", "svc@example.com"): 1..255 characters, no
/// control characters and no '/'.
void ValidateVimUserId(std::string_view id);
/// Property names 1..255 and unique, values up to kMaxPropertyValueLength. For LIBVIRT, a `uri`
/// property must be a plain value that escd may open: escd opens it with its own privileges,
/// so the transports that run a local command (`+ext`, `command=`, `netcat=`) are refused.
/// Throws Error(kBadRequest).
void ValidateVimProperties(const std::vector<VimProperty>& properties, std::string_view what);
void ValidateVimConnector(const VimConnector& connector);

}  // namespace escd::model
