#pragma once
/// @file
/// Query strings: "a=1&b=x%20y" -> {a: "1", b: "x y"} ('+' is a space, as forms send it).

#include <map>
#include <string>
#include <string_view>

namespace escd::server {

/// Throws Error(kBadRequest) on a malformed percent escape. A repeated key keeps its last value.
std::map<std::string, std::string> ParseQuery(std::string_view query);

/// Decodes %XX escapes of a path segment ('+' stays '+'). Throws Error(kBadRequest) when malformed.
std::string PercentDecode(std::string_view text);

}  // namespace escd::server
