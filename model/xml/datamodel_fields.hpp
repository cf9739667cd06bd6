#pragma once
/// @file
/// The field readers of escd's datamodel parsers (deployment_xml.cpp, vm_group_xml.cpp): each
/// throws Error(kBadRequest) with a message naming the element and what is wrong. Internal to
/// model/xml.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace escd::model::xml {

[[noreturn]] void Bad(const std::string& message);
/// `text` in quotes, cut at 80 characters.
std::string Quoted(std::string_view text);
/// The element children of `node` named `name` (namespaces ignored).
std::vector<pugi::xml_node> Children(const pugi::xml_node& node, std::string_view name);
/// Exactly one child `name`; `where` names the parent in messages.
pugi::xml_node One(const pugi::xml_node& node, std::string_view name, const std::string& where);
/// The text of `node` itself, without the layout whitespace around it.
std::string OwnText(const pugi::xml_node& node);
/// The text of child `name`, "" when absent.
std::string Text(const pugi::xml_node& node, std::string_view name);
/// The text of child `name`, which must be there and not empty.
std::string Required(const pugi::xml_node& node, std::string_view name, const std::string& where);
/// Child `name` as an integer within [min, max]; `fallback` when absent.
int Int(const pugi::xml_node& node,
        std::string_view name,
        int min,
        int max,
        int fallback,
        const std::string& where);
/// Child `name`, one of `allowed` (case-insensitively; answered as spelt there); `fallback`
/// when absent.
std::string OneOf(const pugi::xml_node& node,
                  std::string_view name,
                  std::initializer_list<std::string_view> allowed,
                  std::string fallback,
                  const std::string& where);

}  // namespace escd::model::xml
