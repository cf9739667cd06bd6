#include "model/catalogue/catalogue.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace escd::model::catalogue {
namespace {

constexpr std::size_t kGuidLength = 40;
constexpr std::size_t kGuidBytes = kGuidLength / 2;

bool IsDigit(char c) noexcept {
    return c >= '0' && c <= '9';
}

char UpperAscii(char c) noexcept {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

char LowerAscii(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsHex(char c) noexcept {
    const char lower = LowerAscii(c);
    return IsDigit(c) || (lower >= 'a' && lower <= 'f');
}

int Sign(int value) noexcept {
    return (value > 0) - (value < 0);
}

// The run that starts at `pos`: all digits or all non-digits.
std::string_view RunAt(std::string_view text, std::size_t pos) noexcept {
    const bool digits = IsDigit(text[pos]);
    std::size_t end = pos + 1;
    while (end < text.size() && IsDigit(text[end]) == digits) ++end;
    return text.substr(pos, end - pos);
}

// By value without converting: a release may carry a build number longer than any integer type,
// so equal-length digit strings without leading zeros compare like their values.
int CompareDigitRuns(std::string_view a, std::string_view b) noexcept {
    a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
    b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return Sign(a.compare(b));
}

// Cisco is not consistent in the case of train letters ("SE5" and "se5"): compared without it.
int CompareTextRuns(std::string_view a, std::string_view b) noexcept {
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        const auto x = static_cast<unsigned char>(LowerAscii(a[i]));
        const auto y = static_cast<unsigned char>(LowerAscii(b[i]));
        if (x != y) return x < y ? -1 : 1;
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

}  // namespace

std::optional<ImageGuid> ImageGuid::Parse(std::string_view text) {
    if (text.size() != kGuidLength) return std::nullopt;
    std::string upper;
    upper.reserve(kGuidLength);
    for (char c : text) {
        if (!IsHex(c)) return std::nullopt;
        upper.push_back(UpperAscii(c));
    }
    return ImageGuid(std::move(upper));
}

ImageGuid ImageGuid::Random() {
    std::string hex = RandomHex(kGuidBytes);
    for (char& c : hex) c = UpperAscii(c);
    return ImageGuid(std::move(hex));
}

int CompareVersions(std::string_view a, std::string_view b) noexcept {
    std::size_t pa = 0;
    std::size_t pb = 0;
    while (pa < a.size() && pb < b.size()) {
        const std::string_view run_a = RunAt(a, pa);
        const std::string_view run_b = RunAt(b, pb);
        const bool digits_a = IsDigit(run_a.front());
        const bool digits_b = IsDigit(run_b.front());
        // Runs alternate, so kinds can differ only at the start ("7.1" against "V7.1"). A number
        // sorts first there, as a digit sorts before a letter in text.
        if (digits_a != digits_b) return digits_a ? -1 : 1;
        const int order = digits_a ? CompareDigitRuns(run_a, run_b) : CompareTextRuns(run_a, run_b);
        if (order != 0) return order;
        pa += run_a.size();
        pb += run_b.size();
    }
    // All runs so far equal: the one with more runs is the later release ("7.3.2.1" > "7.3.2").
    const bool more_a = pa < a.size();
    const bool more_b = pb < b.size();
    return static_cast<int>(more_a) - static_cast<int>(more_b);
}

std::optional<ImageGuid> CatalogueImageOf(std::string_view src) {
    for (std::string_view scheme : {"catalogue://", "catalogue:"}) {
        if (src.substr(0, scheme.size()) == scheme)
            return ImageGuid::Parse(src.substr(scheme.size()));
    }
    constexpr std::string_view kFiles = "/software/v4.0/download/file/";
    constexpr std::string_view kCode = "dwnld_code=d1.";
    if (src.find(kFiles) == std::string_view::npos) return std::nullopt;
    const auto code = src.find(kCode);
    if (code == std::string_view::npos) return std::nullopt;
    return ImageGuid::Parse(src.substr(code + kCode.size(), 40));
}

}  // namespace escd::model::catalogue
