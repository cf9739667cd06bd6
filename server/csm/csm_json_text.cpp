#include "server/csm/csm_json_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>

#include <boost/json.hpp>

#include "common/text.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;

void AppendHex4(std::string& out, unsigned code) {
    static constexpr char kHex[] = "0123456789abcdef";  // Python writes lower case
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(code >> shift) & 0xF]);
}

/// The code point of the UTF-8 sequence at text[i], advancing i; U+FFFD for a byte that does
/// not start a valid (shortest-form, non-surrogate) sequence, which is then skipped alone.
unsigned NextCodePoint(std::string_view text, std::size_t& i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned code = 0;
    unsigned minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, code = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, code = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, code = lead & 0x07, minimum = 0x10000;
    }
    if (length == 0 || i + length > text.size()) {
        ++i;
        return 0xFFFD;
    }
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        code = (code << 6) | (next & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        ++i;
        return 0xFFFD;
    }
    i += length;
    return code;
}

/// A JSON string as Python's json.dumps(ensure_ascii=True) writes it.
void AppendString(std::string& out, std::string_view text) {
    out.push_back('"');
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const unsigned code = NextCodePoint(text, i);
            if (code >= 0x10000) {  // a UTF-16 surrogate pair, as \u escapes must be
                AppendHex4(out, 0xD800 + ((code - 0x10000) >> 10));
                AppendHex4(out, 0xDC00 + ((code - 0x10000) & 0x3FF));
            } else {
                AppendHex4(out, code);
            }
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20)
                    AppendHex4(out, c);
                else
                    out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

/// A double as Python's repr: shortest round trip, "1.0" not "1". Non-finite numbers (which
/// Python would write as the invalid NaN / Infinity) are null.
void AppendDouble(std::string& out, double number) {
    if (!std::isfinite(number)) {
        out += "null";
        return;
    }
    std::array<char, 32> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    std::string text(buffer.data(), ec == std::errc{} ? end : buffer.data());
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    out += text;
}

void AppendNewline(std::string& out, int indent, int depth) {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(depth), ' ');
}

void AppendValue(std::string& out, const json::value& value, int indent, int depth) {
    switch (value.kind()) {
        case json::kind::null:
            out += "null";
            return;
        case json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            return;
        case json::kind::int64:
            out += std::to_string(value.get_int64());
            return;
        case json::kind::uint64:
            out += std::to_string(value.get_uint64());
            return;
        case json::kind::double_:
            AppendDouble(out, value.get_double());
            return;
        case json::kind::string:
            AppendString(out, value.get_string());
            return;
        case json::kind::array: {
            const auto& array = value.get_array();
            if (array.empty()) {
                out += "[]";
                return;
            }
            out.push_back('[');
            for (std::size_t i = 0; i < array.size(); ++i) {
                if (i > 0) out.push_back(',');
                AppendNewline(out, indent, depth + 1);
                AppendValue(out, array[i], indent, depth + 1);
            }
            AppendNewline(out, indent, depth);
            out.push_back(']');
            return;
        }
        case json::kind::object: {
            const auto& object = value.get_object();
            if (object.empty()) {
                out += "{}";
                return;
            }
            // Byte order of UTF-8 is code-point order, which is how Python sorts the keys.
            std::vector<const json::key_value_pair*> members;
            members.reserve(object.size());
            for (const auto& member : object) members.push_back(&member);
            std::sort(members.begin(), members.end(),
                      [](const auto* a, const auto* b) { return a->key() < b->key(); });
            out.push_back('{');
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i > 0) out.push_back(',');
                AppendNewline(out, indent, depth + 1);
                AppendString(out, members[i]->key());
                out += ": ";
                AppendValue(out, members[i]->value(), indent, depth + 1);
            }
            AppendNewline(out, indent, depth);
            out.push_back('}');
            return;
        }
    }
}

/// "Following parameter, 'p', is not allowed." and the like: the head and tail of one name or of
/// several around the names joined by commas, bounded as client text is in messages.
std::string ListMessage(const std::vector<std::string_view>& names,
                        std::string_view singular_head,
                        std::string_view plural_head,
                        std::string_view singular_tail,
                        std::string_view plural_tail) {
    std::string joined;
    for (const auto name : names) {
        if (!joined.empty()) joined.push_back(',');
        joined += name;
    }
    const bool one = names.size() == 1;
    std::string message(one ? singular_head : plural_head);
    message += "'" + Shown(joined) + "'";
    message += one ? singular_tail : plural_tail;
    return message;
}

bool Contains(std::initializer_list<std::string_view> names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string SortedPrettyJson(const json::value& value, int indent) {
    std::string out;
    AppendValue(out, value, indent, 0);
    return out;
}

std::string ApiResponse(json::object inner) {
    json::object answer;
    answer["api_response"] = std::move(inner);
    return SortedPrettyJson(answer);
}

std::string Failed(std::string_view message) {
    return ApiResponse({{"status", "FAILED"}, {"status_message", message}});
}

json::object SucceededRow(json::object row) {
    row["status"] = "SUCCESS";
    return row;
}

json::object FailedRow(json::object row, std::string_view message) {
    row["status"] = "FAILED";
    row["status_message"] = message;
    return row;
}

json::object FailedRow(const ItemFailure& failure) {
    return FailedRow(failure.row, failure.message);
}

std::string BulkResponse(std::string_view list_key, json::array rows) {
    json::object inner;
    inner[list_key] = std::move(rows);
    return ApiResponse(std::move(inner));
}

int BulkHttpStatus(const json::array& rows) {
    for (const auto& row : rows) {
        const auto* object = row.if_object();
        const auto* status = object ? object->if_contains("status") : nullptr;
        if (status && status->is_string() && status->get_string() == "FAILED") return 207;
    }
    return 200;
}

std::string HostListPage(json::array rows, std::int64_t current_page, std::int64_t total_pages) {
    json::object answer;
    answer["api_response"] = json::object{{"host_list", std::move(rows)}};
    answer["current_page"] = current_page;
    answer["total_pages"] = total_pages;
    return SortedPrettyJson(answer);
}

json::array BulkItems(std::string_view body) {
    std::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec) throw CsmRequestError("Data in the HTTP Request is an invalid JSON.");
    if (parsed.is_object()) return json::array{std::move(parsed)};
    if (!parsed.is_array())
        throw CsmRequestError("The request body must be a JSON object or a list of JSON objects.");
    for (const auto& item : parsed.get_array())
        if (!item.is_object())
            throw CsmRequestError("Every item of the request body's list must be a JSON object.");
    return std::move(parsed.get_array());
}

std::string MissingKey(std::string_view key) {
    return "Missing JSON key: '" + Shown(key) + "'.";
}

std::optional<std::string> InvalidKeys(const json::object& item,
                                       std::initializer_list<std::string_view> accepted) {
    std::vector<std::string_view> invalid;
    for (const auto& member : item)
        if (!Contains(accepted, member.key())) invalid.push_back(member.key());
    if (invalid.empty()) return std::nullopt;
    return ListMessage(invalid, "The following key, ", "The following keys, ", ", is invalid.",
                       ", are invalid.");
}

std::optional<std::string> DisallowedParameters(const std::vector<std::string>& given_names,
                                                std::initializer_list<std::string_view> allowed) {
    std::vector<std::string_view> disallowed;
    for (const auto& name : given_names) {
        if (Contains(allowed, name)) continue;
        if (std::find(disallowed.begin(), disallowed.end(), name) != disallowed.end()) continue;
        disallowed.push_back(name);
    }
    if (disallowed.empty()) return std::nullopt;
    return ListMessage(disallowed, "Following parameter, ", "Following parameters, ",
                       ", is not allowed.", ", are not allowed.");
}

std::vector<std::string> ParameterNames(const std::map<std::string, std::string>& query) {
    std::vector<std::string> names;
    for (const auto& [name, value] : query) names.push_back(name);
    return names;
}

std::int64_t ParsePage(std::string_view text) {
    constexpr std::int64_t kLastPage = std::numeric_limits<std::int32_t>::max();
    const auto blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    if (text.empty()) return 1;  // CSM tested the text's truth: only "" is absent, "  " is not
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    bool negative = false;
    std::string_view digits = text;
    if (digits.front() == '+' || digits.front() == '-') {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    }
    const bool all_digits =
        !digits.empty() &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!all_digits) throw CsmRequestError("page must be an numeric value");
    if (negative) return 1;
    std::int64_t page = 0;
    for (const char c : digits) {
        page = page * 10 + (c - '0');
        if (page > kLastPage) return kLastPage;
    }
    return page <= 0 ? 1 : page;
}

std::int64_t TotalPages(std::int64_t count) {
    return count <= 0 ? 0 : (count + kRecordsPerPage - 1) / kRecordsPerPage;
}

std::string HttpDate(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    static constexpr std::array<const char*, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto seconds = floor<std::chrono::seconds>(time);
    const auto day = floor<days>(seconds);
    const year_month_day date{day};
    const hh_mm_ss clock{seconds - day};
    std::array<char, 40> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  kWeekdays[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                  kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                  static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return buffer.data();
}

}  // namespace escd::server::csm
