#include "server/csm/json_fields.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace escd::server::csm {

namespace json = boost::json;

const json::value* Given(const json::object& item, std::string_view key) {
    const auto* value = item.if_contains(key);
    return value && !value->is_null() ? value : nullptr;
}

std::optional<std::string> TextOf(const json::value& value) {
    switch (value.kind()) {
        case json::kind::string:
            return std::string(value.get_string());
        case json::kind::int64:
            return std::to_string(value.get_int64());
        case json::kind::uint64:
            return std::to_string(value.get_uint64());
        case json::kind::double_: {
            const double number = value.get_double();
            if (!std::isfinite(number)) return std::nullopt;
            std::array<char, 32> buffer{};
            const auto [end, ec] =
                std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
            if (ec != std::errc{}) return std::nullopt;
            return std::string(buffer.data(), end);
        }
        default:
            return std::nullopt;
    }
}

std::string NotAString(std::string_view key) {
    return "The value of '" + std::string(key) + "' must be a string.";
}

std::optional<std::string> ReadString(const json::object& item,
                                      std::string_view key,
                                      std::optional<std::string>& out) {
    const auto* value = Given(item, key);
    if (value == nullptr) return std::nullopt;
    out = TextOf(*value);
    return out ? std::nullopt : std::optional<std::string>(NotAString(key));
}

std::string_view Trimmed(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

json::array TextArray(const std::vector<std::string>& texts) {
    json::array out;
    for (const auto& text : texts) out.emplace_back(text);
    return out;
}

}  // namespace escd::server::csm
