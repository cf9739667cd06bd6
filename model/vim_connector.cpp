#include "model/vim_connector.hpp"

#include <cctype>
#include <set>
#include <string>

#include "common/error.hpp"
#include "common/text.hpp"
#include "model/ids.hpp"

namespace escd::model {
namespace {
// The libvirt URI features that make libvirtd's client run a program on this machine: the ext
// transport runs `command`, and the ssh transports run `command` / `netcat` if given.
void ValidateLibvirtUri(std::string_view uri) {
    if (uri.empty()) throw Error(ErrorCode::kBadRequest, "LIBVIRT property uri must not be empty");
    const auto lower = Lower(uri);
    const auto scheme = lower.substr(0, lower.find(':'));
    if (scheme.find("+ext") != std::string::npos) {
        throw Error(ErrorCode::kBadRequest,
                    "LIBVIRT uri '" + Shown(uri) + "': the ext transport is not allowed");
    }
    const auto query = lower.find('?');
    if (query == std::string::npos) return;
    std::string_view rest = std::string_view(lower).substr(query + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto param = rest.substr(0, amp);
        auto name = param.substr(0, param.find('='));
        if (name == "command" || name == "netcat") {
            throw Error(ErrorCode::kBadRequest, "LIBVIRT uri '" + Shown(uri) + "': parameter '" +
                                                    std::string(name) + "' is not allowed");
        }
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
}
}  // namespace

std::string_view ToString(VimType type) noexcept {
    return type == VimType::kLibvirt ? "LIBVIRT" : "OPENSTACK";
}

std::optional<VimType> ParseVimType(std::string_view text) noexcept {
    const auto lower = Lower(text);
    if (lower == "libvirt") return VimType::kLibvirt;
    if (lower == "openstack") return VimType::kOpenstack;
    return std::nullopt;
}

bool IsSecretPropertyName(std::string_view name) noexcept {
    const auto lower = Lower(name);
    for (const char* word : {"password", "secret", "token", "key"}) {
        if (lower.find(word) != std::string::npos) return true;
    }
    return false;
}

bool IsSecretProperty(const VimProperty& property) noexcept {
    return property.encrypted || IsSecretPropertyName(property.name);
}

std::optional<std::string> PlainProperty(const std::vector<VimProperty>& properties,
                                         std::string_view name) {
    for (const auto& property : properties) {
        if (property.name == name && !property.encrypted) return property.value;
    }
    return std::nullopt;
}

void ValidateVimConnectorId(std::string_view id) {
    ValidateInternalId(id, "vim connector id");
    if (id == kDefaultVimConnectorSegment) {
        throw Error(ErrorCode::kBadRequest,
                    "vim connector id '" + std::string(id) + "' is reserved for the default route");
    }
}

void ValidateVimUserId(std::string_view id) {
    ValidateName(id, kMaxNameLength, "vim user id");
    if (id.find('/') != std::string_view::npos)
        throw Error(ErrorCode::kBadRequest, "vim user id '" + Shown(id) + "' contains '/'");
}

void ValidateVimProperties(const std::vector<VimProperty>& properties, std::string_view what) {
    std::set<std::string_view> seen;
    for (const auto& property : properties) {
        ValidateName(property.name, kMaxNameLength, std::string(what) + " property name");
        if (!seen.insert(property.name).second) {
            throw Error(ErrorCode::kBadRequest, std::string(what) + " property '" +
                                                    Shown(property.name) + "' appears twice");
        }
        if (property.value.size() > kMaxPropertyValueLength) {
            throw Error(ErrorCode::kBadRequest, std::string(what) + " property '" +
                                                    Shown(property.name) + "' is longer than " +
                                                    std::to_string(kMaxPropertyValueLength) +
                                                    " characters");
        }
    }
}

void ValidateVimConnector(const VimConnector& connector) {
    ValidateVimConnectorId(connector.id);
    ValidateVimProperties(connector.properties, "vim connector");
    if (connector.type != VimType::kLibvirt) return;
    for (const auto& property : connector.properties) {
        if (property.name != "uri") continue;
        if (property.encrypted) {
            throw Error(ErrorCode::kBadRequest,
                        "LIBVIRT property uri must be a <value>: escd opens it as given");
        }
        ValidateLibvirtUri(property.value);
    }
}

}  // namespace escd::model
