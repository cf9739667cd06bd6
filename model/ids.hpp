#pragma once
/// @file
/// Validation of client-chosen identifiers and names (ESC reference, "String Restrictions").
/// Each function throws escd::Error(kBadRequest) with a message that names the field.

#include <cstddef>
#include <string_view>

namespace escd::model {

inline constexpr std::size_t kMaxInternalIdLength = 72;
inline constexpr std::size_t kMaxTenantNameLength = 64;
inline constexpr std::size_t kMaxNameLength = 255;

/// 1..72 characters of RFC 3986 "unreserved" minus the tilde: A-Z a-z 0-9 - . _
bool IsValidInternalId(std::string_view id) noexcept;
/// Throws kBadRequest "invalid <field> '<id>': ..." when !IsValidInternalId(id).
void ValidateInternalId(std::string_view id, std::string_view field);
/// Names: 1..max_length characters, no control characters.
void ValidateName(std::string_view name, std::size_t max_length, std::string_view field);

}  // namespace escd::model
