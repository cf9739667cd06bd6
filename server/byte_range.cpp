#include "server/byte_range.hpp"

#include <charconv>

namespace escd::server {
namespace {

std::optional<std::uint64_t> Number(std::string_view text) {
    std::uint64_t value = 0;
    if (text.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, std::uint64_t size) {
    constexpr std::string_view kUnit = "bytes=";
    if (header.substr(0, kUnit.size()) != kUnit) return {};
    const auto spec = header.substr(kUnit.size());
    if (spec.find(',') != std::string_view::npos) return {};
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const auto first_text = spec.substr(0, dash);
    const auto last_text = spec.substr(dash + 1);
    if (first_text.empty()) {
        // bytes=-N: the last N bytes.
        const auto suffix = Number(last_text);
        if (!suffix) return {};
        if (*suffix == 0 || size == 0) return {RangeVerdict::kUnsatisfiable, {}};
        const auto length = std::min(*suffix, size);
        return {RangeVerdict::kPartial, {size - length, length}};
    }
    const auto first = Number(first_text);
    if (!first) return {};
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        const auto given = Number(last_text);
        if (!given || *given < *first) return {};
        last = std::min(*given, last);
    }
    if (*first >= size) return {RangeVerdict::kUnsatisfiable, {}};
    return {RangeVerdict::kPartial, {*first, last - *first + 1}};
}

}  // namespace escd::server
