#include "server/csm/install_time.hpp"

#include <array>
#include <cstdio>

namespace escd::server::csm {
namespace {

using std::chrono::minutes;
using Clock = std::chrono::system_clock;

bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}

bool IsBlank(char c) {
    return c == ' ' || c == '\t';
}

/// Reads what strptime's %m, %d, %I, %M take: one digit or two. nullopt when none is there.
std::optional<int> ReadShortNumber(std::string_view& text) {
    if (text.empty() || !IsDigit(text.front())) return std::nullopt;
    int number = text.front() - '0';
    text.remove_prefix(1);
    if (!text.empty() && IsDigit(text.front())) {
        number = number * 10 + (text.front() - '0');
        text.remove_prefix(1);
    }
    return number;
}

/// Reads %Y: exactly four digits (Python's pattern is \d\d\d\d).
std::optional<int> ReadYear(std::string_view& text) {
    if (text.size() < 4) return std::nullopt;
    int year = 0;
    for (int i = 0; i < 4; ++i) {
        if (!IsDigit(text[i])) return std::nullopt;
        year = year * 10 + (text[i] - '0');
    }
    text.remove_prefix(4);
    return year;
}

bool ReadChar(std::string_view& text, char wanted) {
    if (text.empty() || text.front() != wanted) return false;
    text.remove_prefix(1);
    return true;
}

/// A blank in strptime's format matches one or more blanks of the text.
bool ReadBlanks(std::string_view& text) {
    if (text.empty() || !IsBlank(text.front())) return false;
    while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
    return true;
}

/// %p in the C locale, any case: true for PM.
std::optional<bool> ReadMeridiem(std::string_view& text) {
    if (text.size() < 2) return std::nullopt;
    const char first = static_cast<char>(text[0] | 0x20);  // ASCII lower case
    const char second = static_cast<char>(text[1] | 0x20);
    if (second != 'm' || (first != 'a' && first != 'p')) return std::nullopt;
    text.remove_prefix(2);
    return first == 'p';
}

std::string_view TrimmedBlanks(std::string_view text) {
    const auto blank = [](char c) { return IsBlank(c) || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

/// Whether a UTC minute fits system_clock's time_point (nanoseconds since 1970 in libstdc++:
/// years 1677 .. 2262), so that converting it cannot overflow.
bool Representable(std::chrono::sys_time<minutes> utc) {
    const auto first = std::chrono::ceil<minutes>(Clock::time_point::min());
    const auto last = std::chrono::floor<minutes>(Clock::time_point::max());
    return utc >= first && utc <= last;
}

}  // namespace

std::optional<minutes> ParseUtcOffset(std::string_view text) {
    text = TrimmedBlanks(text);
    int sign = 1;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        sign = text.front() == '-' ? -1 : 1;
        text.remove_prefix(1);
    }
    // Exactly "dd:dd" is left.
    if (text.size() != 5 || !IsDigit(text[0]) || !IsDigit(text[1]) || text[2] != ':' ||
        !IsDigit(text[3]) || !IsDigit(text[4]))
        return std::nullopt;
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int mins = (text[3] - '0') * 10 + (text[4] - '0');
    if (mins > 59) return std::nullopt;
    const minutes offset{sign * (hours * 60 + mins)};
    if (offset < -std::chrono::hours{12} || offset > std::chrono::hours{14}) return std::nullopt;
    return offset;
}

std::optional<Clock::time_point> ParseScheduledTime(std::string_view text, minutes offset) {
    const auto month = ReadShortNumber(text);
    if (!month || !ReadChar(text, '-')) return std::nullopt;
    const auto day = ReadShortNumber(text);
    if (!day || !ReadChar(text, '-')) return std::nullopt;
    const auto year = ReadYear(text);
    if (!year || !ReadBlanks(text)) return std::nullopt;
    const auto hour = ReadShortNumber(text);
    if (!hour || !ReadChar(text, ':')) return std::nullopt;
    const auto minute = ReadShortNumber(text);
    if (!minute || !ReadBlanks(text)) return std::nullopt;
    const auto pm = ReadMeridiem(text);
    if (!pm || !text.empty()) return std::nullopt;
    if (*hour < 1 || *hour > 12 || *minute > 59) return std::nullopt;

    const std::chrono::year_month_day date{std::chrono::year{*year},
                                           std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) return std::nullopt;  // 02-30, 13-01, 00-10, and the like
    // 12 AM is hour 0, 12 PM hour 12, 1 PM hour 13.
    const int hour24 = *hour % 12 + (*pm ? 12 : 0);
    const auto local =
        std::chrono::local_days{date} + std::chrono::hours{hour24} + minutes{*minute};
    // Local wall time at a fixed offset: UTC = local - offset.
    const std::chrono::sys_time<minutes> utc{local.time_since_epoch() - offset};
    if (!Representable(utc)) return std::nullopt;
    return std::chrono::time_point_cast<Clock::duration>(utc);
}

std::string LocalTimeText(Clock::time_point utc, minutes offset) {
    const auto local = std::chrono::floor<minutes>(utc) + offset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss clock{local - day};
    const int hour24 = static_cast<int>(clock.hours().count());
    const int hour12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
    std::array<char, 40> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%02u-%02u-%04d %02d:%02d %s",
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(date.year()), hour12, static_cast<int>(clock.minutes().count()),
                  hour24 < 12 ? "AM" : "PM");
    return buffer.data();
}

}  // namespace escd::server::csm
