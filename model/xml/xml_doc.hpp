#pragma once
/// @file
/// pugixml helpers shared by the XML mappings. Elements are matched by local name, so the
/// reference's namespaces (urn:ietf:params:xml:ns:netconf:base:1.0, http://www.cisco.com/esc/esc),
/// any prefix, and no namespace at all are accepted alike
/// (docs/decisions.md#elements-are-matched-by-local-name).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace escd::model::xml {

inline constexpr const char* kNetconfNs = "urn:ietf:params:xml:ns:netconf:base:1.0";
inline constexpr const char* kEscNs = "http://www.cisco.com/esc/esc";

/// Parses a request body. Throws Error(kBadRequest) "malformed XML: <reason> at offset <n>" or
/// "empty body". The document is returned by pointer because pugi documents do not copy.
std::unique_ptr<pugi::xml_document> ParseBody(std::string_view body);

/// The root element, checked to have local name `expected`; kBadRequest otherwise.
pugi::xml_node RootElement(const pugi::xml_document& doc, std::string_view expected);

/// `name` without its prefix ("esc:tenant" -> "tenant").
std::string_view LocalName(const pugi::xml_node& node) noexcept;
/// First child element with local name `name`, or an empty node.
pugi::xml_node Child(const pugi::xml_node& node, std::string_view name) noexcept;
/// Trimmed text of the child `name`; nullopt when there is no such child.
std::optional<std::string> ChildText(const pugi::xml_node& node, std::string_view name);
/// true/false (case-insensitive); nullopt when absent; kBadRequest on any other text.
std::optional<bool> ChildBool(const pugi::xml_node& node, std::string_view name);

/// Copies the children of `from` into `to` without namespace prefixes or xmlns attributes (and
/// without comments), so that a stored form does not depend on how a client spelled namespaces.
void CopyCanonical(const pugi::xml_node& from, pugi::xml_node to);
/// Removes whitespace-only text between elements (leaf text is kept as sent).
void DropLayout(pugi::xml_node node);
/// Serialises without declaration or layout: the compact stored form.
std::string Compact(const pugi::xml_document& doc);

/// Serialises with an XML declaration and two-space indentation.
std::string Serialize(const pugi::xml_document& doc);

/// Adds <name>text</name> to `parent`.
void AppendText(pugi::xml_node parent, const char* name, std::string_view text);
void AppendBool(pugi::xml_node parent, const char* name, bool value);
/// A point in time as the documents write it: ISO 8601, UTC, to the second.
std::string Iso8601(std::chrono::system_clock::time_point t);

}  // namespace escd::model::xml
