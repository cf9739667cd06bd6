#include "model/xml/xml_doc.hpp"

#include <cctype>
#include <ctime>
#include <sstream>

#include "common/error.hpp"

namespace escd::model::xml {
namespace {
std::string_view Trim(std::string_view text) {
    const char* ws = " \t\r\n";
    auto begin = text.find_first_not_of(ws);
    if (begin == std::string_view::npos) return {};
    auto end = text.find_last_not_of(ws);
    return text.substr(begin, end - begin + 1);
}

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}
}  // namespace

std::unique_ptr<pugi::xml_document> ParseBody(std::string_view body) {
    if (Trim(body).empty())
        throw Error(ErrorCode::kBadRequest, "request body is empty; an XML document is required");
    auto doc = std::make_unique<pugi::xml_document>();
    // parse_default without parse_pi/doctype expansion: pugixml never fetches external entities.
    auto result =
        doc->load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) {
        throw Error(ErrorCode::kBadRequest, std::string("malformed XML: ") + result.description() +
                                                " at offset " + std::to_string(result.offset));
    }
    if (!doc->document_element())
        throw Error(ErrorCode::kBadRequest, "malformed XML: no root element");
    return doc;
}

pugi::xml_node RootElement(const pugi::xml_document& doc, std::string_view expected) {
    auto root = doc.document_element();
    if (LocalName(root) != expected) {
        throw Error(ErrorCode::kBadRequest, "expected a <" + std::string(expected) +
                                                "> document, got <" + std::string(LocalName(root)) +
                                                ">");
    }
    return root;
}

std::string_view LocalName(const pugi::xml_node& node) noexcept {
    std::string_view name = node.name();
    auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& node, std::string_view name) noexcept {
    for (auto child = node.first_child(); child; child = child.next_sibling()) {
        if (child.type() == pugi::node_element && LocalName(child) == name) return child;
    }
    return {};
}

std::optional<std::string> ChildText(const pugi::xml_node& node, std::string_view name) {
    auto child = Child(node, name);
    if (!child) return std::nullopt;
    return std::string(Trim(child.child_value()));
}

std::optional<bool> ChildBool(const pugi::xml_node& node, std::string_view name) {
    auto text = ChildText(node, name);
    if (!text) return std::nullopt;
    if (IEquals(*text, "true")) return true;
    if (IEquals(*text, "false")) return false;
    throw Error(ErrorCode::kBadRequest, "<" + std::string(name) + "> must be true or false, not '" +
                                            text->substr(0, 40) + "'");
}

std::string Serialize(const pugi::xml_document& doc) {
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
    return out.str();
}

void AppendText(pugi::xml_node parent, const char* name, std::string_view text) {
    parent.append_child(name).text().set(std::string(text).c_str());
}

void AppendBool(pugi::xml_node parent, const char* name, bool value) {
    parent.append_child(name).text().set(value ? "true" : "false");
}

// Copies `from` into `to` without prefixes and namespace declarations, so that the stored form
// does not depend on how the client spelled namespaces.
void CopyCanonical(const pugi::xml_node& from, pugi::xml_node to) {
    for (auto child = from.first_child(); child; child = child.next_sibling()) {
        switch (child.type()) {
            case pugi::node_element: {
                auto copy = to.append_child(std::string(LocalName(child)).c_str());
                for (auto attr : child.attributes()) {
                    std::string_view name = attr.name();
                    if (name == "xmlns" || name.starts_with("xmlns:")) continue;
                    copy.append_attribute(attr.name()).set_value(attr.value());
                }
                CopyCanonical(child, copy);
                break;
            }
            case pugi::node_pcdata:
            case pugi::node_cdata:
                to.append_child(pugi::node_pcdata).set_value(child.value());
                break;
            default:
                break;  // comments, processing instructions
        }
    }
}

// Removes whitespace-only text between elements (the stored form is compact); the text of
// leaf elements is kept as sent.
void DropLayout(pugi::xml_node node) {
    const bool has_elements = static_cast<bool>(
        node.find_child([](const pugi::xml_node& n) { return n.type() == pugi::node_element; }));
    for (auto child = node.first_child(); child;) {
        auto next = child.next_sibling();
        if (child.type() == pugi::node_pcdata && has_elements) {
            std::string_view text = child.value();
            if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
                node.remove_child(child);
        } else if (child.type() == pugi::node_element) {
            DropLayout(child);
        }
        child = next;
    }
}

std::string Compact(const pugi::xml_document& doc) {
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    return out.str();
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace escd::model::xml
