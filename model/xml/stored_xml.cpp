#include "model/xml/stored_xml.hpp"

#include <charconv>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {

StoredXml::StoredXml(std::string_view text, std::string_view what, std::string_view root_name)
    : what_(what) {
    try {
        doc_ = ParseBody(text);
    } catch (const Error& e) {
        throw Error(ErrorCode::kInternal, "stored " + what_ + " is not XML: " + e.what());
    }
    root_ = doc_->document_element();
    if (!root_name.empty() && LocalName(root_) != root_name) {
        throw Error(ErrorCode::kInternal, "stored " + what_ + " is <" +
                                              std::string(LocalName(root_)) + ">, not <" +
                                              std::string(root_name) + ">");
    }
}

std::string StoredXml::Text(std::string_view name, std::string fallback) const {
    return ChildText(root_, name).value_or(std::move(fallback));
}

bool StoredXml::Bool(std::string_view name, bool fallback) const {
    return ChildBool(root_, name).value_or(fallback);
}

std::int64_t StoredXml::Int(std::string_view name, std::int64_t fallback) const {
    const auto text = ChildText(root_, name);
    if (!text) return fallback;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        throw Error(ErrorCode::kInternal, "stored " + what_ + " has <" + std::string(name) + "> '" +
                                              *text + "', not an integer");
    }
    return value;
}

}  // namespace escd::model::xml
