#pragma once
/// @file
/// How the CSM face reads the fields of a JSON item and writes lists (docs/csm.md, "Answers"):
/// shared by the inventory's, the users' and the install jobs' codecs. CSM tested each value
/// with `data.get(key) is not None`, so null is "not given"; where it expected a string it
/// took a number as its text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace escd::server::csm {

/// The value of `key`, or nullptr when the item has no such key or its value is null.
const boost::json::value* Given(const boost::json::object& item, std::string_view key);
/// The text of a string, or of a number in decimal ("22", "-1", "2.5"); nullopt for a boolean,
/// null, list or object.
std::optional<std::string> TextOf(const boost::json::value& value);
/// "The value of '<key>' must be a string."
std::string NotAString(std::string_view key);
/// Reads `key` into `out` (left nullopt when not given); the message when it is given but
/// not a string or a number.
std::optional<std::string> ReadString(const boost::json::object& item,
                                      std::string_view key,
                                      std::optional<std::string>& out);
/// `text` without the blanks (space, tab, CR, LF) around it.
std::string_view Trimmed(std::string_view text);
/// A list of strings as a JSON array.
boost::json::array TextArray(const std::vector<std::string>& texts);

}  // namespace escd::server::csm
