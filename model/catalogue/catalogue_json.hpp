#pragma once
/// @file
/// The catalogue's JSON input, parsed once into its types: the admin API's bodies
/// (server/catalogue) and an import's manifest (orchestrator/catalogue/catalogue_import.hpp) use
/// the same fields (camelCase, as the Software Distribution face's). Each refusal is an
/// escd::Error (kBadRequest) naming the field.

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalogue/catalogue.hpp"

namespace escd::model::catalogue {

/// `body` as a JSON object.
boost::json::object ParseObject(std::string_view body);
/// An optional text field ("" when absent), at most `max` bytes.
std::string TextOf(const boost::json::object& object, std::string_view key, std::size_t max);

Product ProductFrom(const boost::json::object& object, std::string pid);
SoftwareType SoftwareTypeFrom(const boost::json::object& object, std::string id);
/// A release, and the name of its software type when given (the type is then put with it).
struct ReleaseInput {
    Release release;
    std::string software_type_name;
};
ReleaseInput ReleaseFrom(const boost::json::object& object);
Image ImageFrom(const boost::json::object& object, std::int64_t release_id);

}  // namespace escd::model::catalogue
