#pragma once
/// @file
/// Reading fields of OpenStack's JSON answers, where a missing or mistyped field is "absent", not
/// an error: the callers decide what an absent id or name means.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace escd::vim::openstack {

/// The string `key` of `object`; "" when absent or not a string (or `object` is no object).
inline std::string StringAt(const boost::json::value& object, std::string_view key) {
    if (!object.is_object()) return {};
    const auto* value = object.as_object().if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

/// The object `key` of `object`; null when absent or not an object.
inline const boost::json::object* ObjectAt(const boost::json::object& object,
                                           std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_object() ? &value->as_object() : nullptr;
}

/// `body`, an answer of `service` ("Glance", ...) that must be a JSON object; a VIM error naming
/// the service and `what` (the answer it should have been) when it is not.
inline boost::json::value ParseAnswer(const std::string& body,
                                      std::string_view service,
                                      std::string_view what) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object())
        throw VimError(ErrorCode::kVimError,
                       std::string(service) + "'s " + std::string(what) + " is not JSON");
    return parsed;
}

}  // namespace escd::vim::openstack
