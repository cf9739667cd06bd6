#include "model/xml/datamodel_fields.hpp"

#include <cctype>
#include <charconv>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
std::string Upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}
}  // namespace

[[noreturn]] void Bad(const std::string& message) {
    throw Error(ErrorCode::kBadRequest, message);
}

std::string Quoted(std::string_view text) {
    return "'" + std::string(text.substr(0, 80)) + "'";
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& node, std::string_view name) {
    std::vector<pugi::xml_node> out;
    for (auto child : node.children())
        if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
    return out;
}

// Exactly one child `name`; `where` names the parent in messages.
pugi::xml_node One(const pugi::xml_node& node, std::string_view name, const std::string& where) {
    auto all = Children(node, name);
    if (all.empty()) Bad(where + " needs a <" + std::string(name) + ">");
    if (all.size() > 1)
        Bad(where + " has " + std::to_string(all.size()) + " <" + std::string(name) +
            "> elements; one request carries exactly one");
    return all.front();
}

// The text of `node` itself, without the layout whitespace around it.
std::string OwnText(const pugi::xml_node& node) {
    std::string_view text = node.child_value();
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::string Text(const pugi::xml_node& node, std::string_view name) {
    return ChildText(node, name).value_or("");
}

std::string Required(const pugi::xml_node& node, std::string_view name, const std::string& where) {
    auto text = ChildText(node, name);
    if (!text || text->empty()) Bad(where + " <" + std::string(name) + "> is required");
    return *text;
}

int Int(const pugi::xml_node& node,
        std::string_view name,
        int min,
        int max,
        int fallback,
        const std::string& where) {
    auto text = ChildText(node, name);
    if (!text) return fallback;
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || text->empty())
        Bad(where + " <" + std::string(name) + "> must be an integer, not " + Quoted(*text));
    if (value < min || value > max) {
        Bad(where + " <" + std::string(name) + "> must be between " + std::to_string(min) +
            " and " + std::to_string(max) + ", not " + std::to_string(value));
    }
    return value;
}

std::string OneOf(const pugi::xml_node& node,
                  std::string_view name,
                  std::initializer_list<std::string_view> allowed,
                  std::string fallback,
                  const std::string& where) {
    auto text = ChildText(node, name);
    if (!text) return fallback;
    for (auto option : allowed)
        if (Upper(*text) == Upper(std::string(option))) return std::string(option);
    std::string list;
    for (auto option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
    Bad(where + " <" + std::string(name) + "> must be one of " + list + ", not " + Quoted(*text));
}

}  // namespace escd::model::xml
