#pragma once
/// @file
/// Reading back XML that escd stored itself (resource specs, operation payloads): it was
/// validated before it was stored, so what does not read is a fault of escd or its database,
/// Error(kInternal) naming what was read, never a client's error.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace escd::model::xml {

class StoredXml {
  public:
    /// `what` names the text in errors ("subnet spec"); a non-empty `root_name` is required of
    /// the document element.
    StoredXml(std::string_view text, std::string_view what, std::string_view root_name = {});

    pugi::xml_node root() const { return root_; }
    std::string Text(std::string_view name, std::string fallback = {}) const;
    bool Bool(std::string_view name, bool fallback) const;
    /// The child's integer; `fallback` when absent, kInternal when it is not an integer.
    std::int64_t Int(std::string_view name, std::int64_t fallback) const;

  private:
    std::string what_;
    std::unique_ptr<pugi::xml_document> doc_;
    pugi::xml_node root_;
};

}  // namespace escd::model::xml
