#include "model/csm/inventory.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace escd::model::csm {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{{
    {Role::kAdmin, "Admin"},
    {Role::kNetworkAdmin, "Network Admin"},
    {Role::kOperator, "Operator"},
    {Role::kViewer, "Viewer"},
}};

constexpr std::array<std::pair<RepositoryType, std::string_view>, 5> kRepositoryTypes{{
    {RepositoryType::kTftp, "TFTP"},
    {RepositoryType::kFtp, "FTP"},
    {RepositoryType::kSftp, "SFTP"},
    {RepositoryType::kScp, "SCP"},
    {RepositoryType::kLocal, "LOCAL"},
}};

bool SameIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

bool Acceptable(unsigned char c) {
    return (c >= 0x28 && c <= 0x5F) || (c >= 'a' && c <= 'z');
}

}  // namespace

std::string_view RoleName(Role role) {
    for (const auto& [value, name] : kRoles)
        if (value == role) return name;
    return "Viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
    for (const auto& [value, name] : kRoles)
        if (SameIgnoringCase(name, text)) return value;
    return std::nullopt;
}

bool MayEditInventory(Role role) {
    return role == Role::kAdmin || role == Role::kNetworkAdmin;
}

bool MayRunInstalls(Role role) {
    return role != Role::kViewer;
}

std::string_view ConnectionTypeName(ConnectionType type) {
    return type == ConnectionType::kTelnet ? "telnet" : "ssh";
}

std::optional<ConnectionType> ParseConnectionType(std::string_view text) {
    if (text == "telnet") return ConnectionType::kTelnet;
    if (text == "ssh") return ConnectionType::kSsh;
    return std::nullopt;
}

std::string_view RepositoryTypeName(RepositoryType type) {
    for (const auto& [value, name] : kRepositoryTypes)
        if (value == type) return name;
    return "TFTP";
}

std::optional<RepositoryType> ParseRepositoryType(std::string_view text) {
    for (const auto& [value, name] : kRepositoryTypes)
        if (name == text) return value;
    return std::nullopt;
}

std::string CanonicalUsername(std::string_view name) {
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())))
        name.remove_prefix(1);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
        name.remove_suffix(1);
    std::string out(name);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string AcceptableName(std::string_view raw) {
    std::string name;
    bool space_pending = false;
    for (const char ch : raw) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isspace(c)) {
            space_pending = !name.empty();
            continue;
        }
        if (!Acceptable(c)) continue;
        if (space_pending) name.push_back(' ');
        space_pending = false;
        name.push_back(ch);
    }
    return name;
}

}  // namespace escd::model::csm
