#include "model/ids.hpp"

#include <string>

#include "common/error.hpp"
#include "common/text.hpp"

namespace escd::model {
namespace {
bool IsUnreservedNoTilde(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

}  // namespace

bool IsValidInternalId(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxInternalIdLength) return false;
    for (char c : id) {
        if (!IsUnreservedNoTilde(c)) return false;
    }
    return true;
}

void ValidateInternalId(std::string_view id, std::string_view field) {
    if (id.empty()) throw Error(ErrorCode::kBadRequest, std::string(field) + " must not be empty");
    if (id.size() > kMaxInternalIdLength) {
        throw Error(ErrorCode::kBadRequest,
                    std::string(field) + " '" + Shown(id) + "' is longer than " +
                        std::to_string(kMaxInternalIdLength) + " characters");
    }
    if (!IsValidInternalId(id)) {
        throw Error(ErrorCode::kBadRequest, std::string(field) + " '" + Shown(id) +
                                                "' has characters outside A-Z a-z 0-9 - . _");
    }
}

void ValidateName(std::string_view name, std::size_t max_length, std::string_view field) {
    if (name.empty())
        throw Error(ErrorCode::kBadRequest, std::string(field) + " must not be empty");
    if (name.size() > max_length) {
        throw Error(ErrorCode::kBadRequest, std::string(field) + " is longer than " +
                                                std::to_string(max_length) + " characters");
    }
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) {
            throw Error(ErrorCode::kBadRequest,
                        std::string(field) + " contains control characters");
        }
    }
}

}  // namespace escd::model
