#include "model/catalogue/smu_selection.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <set>

namespace escd::model::catalogue {
namespace {

bool Listable(const SmuItem& item) {
    return item.kind == SmuKind::kSmu || item.kind == SmuKind::kServicePack;
}

bool Posted(const SmuItem& item) {
    return item.status == "Posted";
}

std::optional<int> Number(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// "mm<sep>dd<sep>yyyy" at the start of `text`.
std::optional<std::chrono::year_month_day> Day(std::string_view text, char separator) {
    if (text.size() < 10 || text[2] != separator || text[5] != separator) return std::nullopt;
    const auto month = Number(text.substr(0, 2));
    const auto day = Number(text.substr(3, 2));
    const auto year = Number(text.substr(6, 4));
    if (!month || !day || !year) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{*year},
                                           std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) return std::nullopt;
    return date;
}

}  // namespace

std::vector<SmuItem> SelectSoftware(const SmuCatalog& catalog,
                                    bool optimal,
                                    std::optional<std::chrono::year_month_day> posted_since) {
    std::set<std::string> posted;
    for (const auto& item : catalog.items)
        if (Listable(item) && Posted(item)) posted.insert(item.name);
    std::set<std::string> chosen;
    for (const auto& item : catalog.items) {
        if (!Listable(item) || !Posted(item)) continue;
        const bool superseded =
            std::any_of(item.superseded_by.begin(), item.superseded_by.end(),
                        [&posted](const std::string& name) { return posted.contains(name); });
        if (!optimal || !superseded) chosen.insert(item.name);
    }
    if (optimal) {
        // A prerequisite the optimal set does not hold (superseded, or not yet posted) must
        // still be installed first: add it, and its own prerequisites.
        std::vector<std::string> pending(chosen.begin(), chosen.end());
        while (!pending.empty()) {
            const auto name = pending.back();
            pending.pop_back();
            const auto it = std::find_if(catalog.items.begin(), catalog.items.end(),
                                         [&name](const SmuItem& i) { return i.name == name; });
            if (it == catalog.items.end()) continue;
            for (const auto& prerequisite : it->prerequisites) {
                const bool known = std::any_of(
                    catalog.items.begin(), catalog.items.end(),
                    [&prerequisite](const SmuItem& i) { return i.name == prerequisite; });
                if (known && chosen.insert(prerequisite).second) pending.push_back(prerequisite);
            }
        }
    }
    std::vector<SmuItem> selected;
    for (const auto& item : catalog.items) {
        if (!chosen.contains(item.name)) continue;
        if (posted_since) {
            const auto day = PostedDay(item.posted_date);
            if (!day || *day < *posted_since) continue;
        }
        selected.push_back(item);
        chosen.erase(item.name);  // an item listed twice in a catalog is answered once
    }
    return selected;
}

std::optional<std::chrono::year_month_day> PostedDay(std::string_view posted_date) {
    return Day(posted_date, '/');
}

std::optional<std::chrono::year_month_day> ParseMonthDayYear(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    return Day(text, '-');
}

std::string CatalogPlatform(std::string_view platform) {
    // CSM's software platforms whose SMU catalog has another name; any other name is the
    // catalog's own, in lower case.
    static constexpr std::pair<std::string_view, std::string_view> kSoftwarePlatforms[] = {
        {"ASR9K", "asr9k_px"}, {"ASR9K-X64", "asr9k_x64"}, {"CRS", "crs_px"},
        {"NCS6K", "ncs6k"},    {"NCS5K", "ncs5k"},         {"NCS5500", "ncs5500"},
        {"NCS4K", "ncs4k"},    {"NCS540", "ncs540"},       {"NCS560", "ncs560"},
        {"NCS1K", "ncs1k"},    {"NCS1001", "ncs1001"},     {"XR12K", "xr12000"},
    };
    for (const auto& [software_platform, catalog_platform] : kSoftwarePlatforms)
        if (platform == software_platform) return std::string(catalog_platform);
    std::string lower(platform);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

std::string CatalogRelease(std::string_view release) {
    static const std::regex kRelease(R"(\d+\.\d+\.\d+)");
    std::match_results<std::string_view::const_iterator> match;
    if (std::regex_search(release.begin(), release.end(), match, kRelease)) return match.str();
    return std::string(release);
}

}  // namespace escd::model::catalogue
