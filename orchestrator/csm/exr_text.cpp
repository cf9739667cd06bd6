#include "orchestrator/csm/exr_text.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <utility>

namespace escd::orchestrator::csm {

std::string_view exr_detail::Trim(std::string_view text) {
    while (!text.empty() && (IsBlank(text.front()) || text.front() == '\r')) text.remove_prefix(1);
    while (!text.empty() && (IsBlank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> exr_detail::Lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

namespace {

constexpr std::string_view kUnknownFact = "Unknown";

using exr_detail::IsBlank;
using exr_detail::IsDigit;
using exr_detail::Lines;
using exr_detail::Trim;

bool IsUpperAscii(char c) {
    return c >= 'A' && c <= 'Z';
}

char LowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Case-insensitive find of a lower-case `needle`.
std::size_t FindIgnoringCase(std::string_view text, std::string_view needle, std::size_t from = 0) {
    if (needle.size() > text.size()) return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && LowerAscii(text[i + k]) == needle[k]) ++k;
        if (k == needle.size()) return i;
    }
    return std::string_view::npos;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && FindIgnoringCase(a, b) == 0;
}

// --- Discovery ---------------------------------------------------------------------------------

// condoor's family tables. The longest matching prefix wins (condoor tried its keys longest
// first) so that `NCS-1001` is NCS1001 and not NCS1K.
struct FamilyPrefix {
    std::string_view prefix;
    std::string_view family;
};
constexpr FamilyPrefix kXrFamilies[] = {
    {"ASR9K", "ASR9K"}, {"ASR-9", "ASR9K"}, {"CRS", "CRS"}, {"12", "XR12K"}, {"XRv", "IOSXRv"},
};
// clang-format off
constexpr FamilyPrefix kExrFamilies[] = {
    {"ASR9K", "ASR9K"},       {"ASR-9", "ASR9K"},         {"ASR9", "ASR9K"},
    {"NCS-6", "NCS6K"},       {"NCS-4", "NCS4K"},         {"NCS-50", "NCS5K"},
    {"NCS-55", "NCS5500"},    {"NCS-54", "NCS540"},       {"NCS-56", "NCS560"},
    {"NCS-1001", "NCS1001"},  {"NCS-1", "NCS1K"},         {"NCS1", "NCS1K"},
    {"IOS-XRv 9000", "IOSXRv-9K"},                        {"IOS XRv x64", "IOSXRv-X64"},
};
// clang-format on

std::string_view FamilyOf(std::string_view platform, std::span<const FamilyPrefix> table) {
    const FamilyPrefix* best = nullptr;
    for (const auto& entry : table) {
        if (platform.starts_with(entry.prefix) &&
            (best == nullptr || entry.prefix.size() > best->prefix.size()))
            best = &entry;
    }
    return best == nullptr ? kUnknownFact : best->family;
}

bool IsExrLike(std::string_view os_type) {
    return os_type == "eXR" || os_type == "Calvados";
}

std::string OsTypeOf(std::string_view version) {
    if (Trim(version).empty()) return std::string(kUnknownFact);
    std::string os_type;
    // regex `(XR|XE|NX-OS)`: the leftmost of the three wins.
    for (std::size_t i = 0; i < version.size() && os_type.empty(); ++i) {
        const auto rest = version.substr(i);
        for (const std::string_view name : {"XR", "XE", "NX-OS"}) {
            if (rest.starts_with(name)) {
                os_type = name;
                break;
            }
        }
    }
    if (os_type == "XR") {
        if (version.find("Build Information") != std::string_view::npos) os_type = "eXR";
        if (version.find("XR Admin Software") != std::string_view::npos) os_type = "Calvados";
    }
    // CSM called anything else IOS; an answer that is not Cisco's at all (an error, a jump
    // host's shell) says nothing about the device.
    if (os_type.empty())
        os_type = FindIgnoringCase(version, "cisco") != std::string_view::npos
                      ? "IOS"
                      : std::string(kUnknownFact);
    return os_type;
}

std::string VersionOf(std::string_view text) {
    // `Version (.*?)(?:\[| |$)`. An empty capture (eXR's ` Version      : 6.1.3` build line
    // when the banner is missing) is skipped rather than taken.
    for (auto pos = text.find("Version "); pos != std::string_view::npos;
         pos = text.find("Version ", pos + 1)) {
        const auto start = pos + 8;
        auto end = start;
        while (end < text.size() && text[end] != '[' && text[end] != ' ' && text[end] != '\n' &&
               text[end] != '\r')
            ++end;
        auto version = text.substr(start, end - start);
        if (version.ends_with(',')) version.remove_suffix(1);  // IOS: `Version 15.2(4)M,`
        if (!version.empty()) return std::string(version);
    }
    return std::string(kUnknownFact);
}

/// The platform string of the `cisco ... processor` line.
std::optional<std::string_view> PlatformStringOf(std::string_view version, bool exr) {
    for (auto line : Lines(version)) {
        if (exr) {
            // `^cisco (.*?) \(`: eXR names have blanks (`IOS-XRv 9000`, `IOS XRv x64`).
            if (!line.starts_with("cisco ")) continue;
            line.remove_prefix(6);
            const auto paren = line.find(" (");
            if (paren != std::string_view::npos) return line.substr(0, paren);
            continue;
        }
        // `^(?:  )?cisco (?:IOS )?(.*?) `: `cisco ASR9K Series (...)`, `cisco IOS XRv Series`.
        if (line.starts_with("  ")) line.remove_prefix(2);
        if (!line.starts_with("cisco ")) continue;
        line.remove_prefix(6);
        if (line.starts_with("IOS ")) line.remove_prefix(4);
        const auto blank = line.find(' ');
        if (blank != std::string_view::npos) return line.substr(0, blank);
    }
    return std::nullopt;
}

std::size_t PidDigitsAt(std::string_view text, std::size_t from, std::size_t at_most) {
    std::size_t n = 0;
    while (from + n < text.size() && n < at_most && IsDigit(text[from + n])) ++n;
    return n;
}

/// condoor's pid2platform: the leftmost match of `[A-Z]{3}[-| ]?[0-9]{2,4}` (then, at the same
/// position, `XRV` and `PROTO-L-CHASSIS` where the OS's pattern has them).
std::optional<std::string> ChassisOfPid(std::string_view pid, bool xrv, bool proto) {
    for (std::size_t i = 0; i < pid.size(); ++i) {
        if (i + 3 <= pid.size() && IsUpperAscii(pid[i]) && IsUpperAscii(pid[i + 1]) &&
            IsUpperAscii(pid[i + 2])) {
            const auto after = i + 3;
            if (after < pid.size() &&
                (pid[after] == '-' || pid[after] == '|' || pid[after] == ' ')) {
                if (const auto n = PidDigitsAt(pid, after + 1, 4); n >= 2)
                    return std::string(pid.substr(i, 4 + n));
            }
            if (const auto n = PidDigitsAt(pid, after, 4); n >= 2)
                return std::string(pid.substr(i, 3 + n));
        }
        const auto rest = pid.substr(i);
        if (xrv && rest.starts_with("XRV")) return "XRV";
        if (proto && rest.starts_with("PROTO-L-CHASSIS")) return "PROTO-L-CHASSIS";
    }
    return std::nullopt;
}

/// The value after `key` (lower case, with its colon) up to `stop` (lower case) or the end,
/// without blanks, quotes and commas around it.
std::string InventoryValueAfter(std::string_view line,
                                std::string_view key,
                                std::string_view stop) {
    const auto at = FindIgnoringCase(line, key);
    if (at == std::string_view::npos) return "";
    auto value = line.substr(at + key.size());
    if (!stop.empty()) value = value.substr(0, FindIgnoringCase(value, stop));
    while (!value.empty() && (IsBlank(value.front()) || value.front() == '"'))
        value.remove_prefix(1);
    while (!value.empty() && (IsBlank(value.back()) || value.back() == '"' || value.back() == ','))
        value.remove_suffix(1);
    return std::string(value);
}

/// The first word after `key` (`PID: NCS-5508          , VID: ...` -> `NCS-5508`).
std::string InventoryWordAfter(std::string_view line, std::string_view key) {
    const auto at = FindIgnoringCase(line, key);
    if (at == std::string_view::npos) return "";
    auto value = line.substr(at + key.size());
    while (!value.empty() && IsBlank(value.front())) value.remove_prefix(1);
    std::size_t end = 0;
    while (end < value.size() && !IsBlank(value[end]) && value[end] != ',') ++end;
    return std::string(value.substr(0, end));
}

}  // namespace

std::optional<ChassisUdi> ChassisUdiOf(std::string_view show_inventory) {
    std::vector<ChassisUdi> records;
    for (const auto line : Lines(show_inventory)) {
        if (FindIgnoringCase(line, "name:") != std::string_view::npos &&
            FindIgnoringCase(line, "descr:") != std::string_view::npos) {
            records.push_back({InventoryValueAfter(line, "name:", "descr:"),
                               InventoryValueAfter(line, "descr:", ""), "", "", ""});
        } else if (!records.empty() && FindIgnoringCase(line, "pid:") != std::string_view::npos) {
            auto& record = records.back();
            record.pid = InventoryWordAfter(line, "pid:");
            record.vid = InventoryWordAfter(line, "vid:");
            record.serial_number = InventoryWordAfter(line, "sn:");
        }
    }
    if (records.empty()) return std::nullopt;
    for (const auto& record : records)
        if (EqualsIgnoringCase(record.name, "rack 0")) return record;
    for (const auto& record : records) {
        if (FindIgnoringCase(record.name, "chassis") != std::string_view::npos ||
            FindIgnoringCase(record.description, "chassis") != std::string_view::npos)
            return record;
    }
    return records.front();
}

model::csm::DeviceFacts FactsFrom(std::string_view show_version, std::string_view show_inventory) {
    model::csm::DeviceFacts facts;
    facts.os_type = OsTypeOf(show_version);
    const bool exr = IsExrLike(facts.os_type);
    if (facts.os_type != kUnknownFact) facts.software_version = VersionOf(show_version);
    if (facts.os_type == "XR" || exr) {
        if (const auto platform = PlatformStringOf(show_version, exr))
            facts.family = FamilyOf(*platform, exr ? std::span<const FamilyPrefix>(kExrFamilies)
                                                   : std::span<const FamilyPrefix>(kXrFamilies));
    }
    facts.software_platform =
        facts.family == "ASR9K" && facts.os_type == "eXR" ? "ASR9K-X64" : facts.family;
    if (const auto udi = ChassisUdiOf(show_inventory)) {
        const bool xr = facts.os_type == "XR" || exr;
        if (auto chassis = ChassisOfPid(udi->pid, xr, exr)) facts.chassis = std::move(*chassis);
    }
    return facts;
}

// --- Node state ----------------------------------------------------------------------------

namespace {

struct TableField {
    std::size_t start;
    std::string_view text;
};

/// The columns of a table line: text separated by two or more blanks (or a tab), as CSM's
/// `re.split('\s\s+', line)`, with where each starts.
std::vector<TableField> TableFieldsOf(std::string_view line) {
    std::vector<TableField> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && IsBlank(line[i])) ++i;
        if (i >= line.size()) break;
        const auto start = i;
        while (i < line.size()) {
            if (line[i] == '\t' || (line[i] == ' ' && i + 1 < line.size() && IsBlank(line[i + 1])))
                break;
            ++i;
        }
        const auto text = Trim(line.substr(start, i - start));
        if (!text.empty()) fields.push_back({start, text});  // a stray CR is no column
    }
    return fields;
}

/// Splits a field where a header column starts after a single blank: XR pads a full column
/// with one blank only (`NOT ALLOW ONLIN PWR,NSHUT,MON` on a CRS), which the two-blank rule
/// keeps together.
std::vector<TableField> SplitAtHeaderColumns(const std::vector<TableField>& fields,
                                             const std::vector<TableField>& header) {
    std::vector<TableField> split;
    for (auto field : fields) {
        for (std::size_t c = 1; c < header.size(); ++c) {
            const auto at = header[c].start;
            if (at <= field.start || at >= field.start + field.text.size()) continue;
            const auto cut = at - field.start;
            if (field.text[cut - 1] != ' ' || field.text[cut] == ' ') continue;
            split.push_back({field.start, Trim(field.text.substr(0, cut))});
            field = {at, field.text.substr(cut)};
        }
        split.push_back(field);
    }
    return split;
}

std::optional<std::size_t> HeaderColumnNamed(const std::vector<TableField>& header,
                                             std::initializer_list<std::string_view> names) {
    for (const auto name : names)
        for (std::size_t c = 0; c < header.size(); ++c)
            if (EqualsIgnoringCase(header[c].text, name)) return c;
    return std::nullopt;
}

// CSM's valid states: the classic XR list (the ios_xr plugins) and what the eXR plugins added.
constexpr std::string_view kValidStates[] = {
    "IOS XR RUN",  "PRESENT",     "READY",       "FAILED", "OK",
    "DISABLED",    "UNPOWERED",   "ADMIN DOWN",  "PWD",    "NOT ALLOW ONLIN",
    "POWERED_OFF", "SW_INACTIVE", "OPERATIONAL",
};

}  // namespace

std::vector<NodeState> PlatformNodes(std::string_view show_platform) {
    std::vector<NodeState> nodes;
    std::vector<TableField> header;
    for (const auto line : Lines(show_platform)) {
        auto fields = TableFieldsOf(line);
        if (fields.empty()) continue;
        if (EqualsIgnoringCase(fields[0].text, "node") ||
            EqualsIgnoringCase(fields[0].text, "location")) {
            header = std::move(fields);
            continue;
        }
        if (!IsDigit(fields[0].text.front())) continue;
        // Place each value under the header column it starts in: a blank column (a CRS PLIM, a
        // missing config state) then leaves the others where they are.
        std::vector<std::string_view> columns;
        if (header.empty()) {
            for (const auto& field : fields) columns.push_back(field.text);
        } else {
            columns.resize(header.size());
            for (const auto& field : SplitAtHeaderColumns(fields, header)) {
                std::size_t c = 0;
                while (c + 1 < header.size() && header[c + 1].start <= field.start) ++c;
                if (columns[c].empty()) columns[c] = field.text;
            }
        }
        const std::size_t type =
            header.empty() ? 1 : HeaderColumnNamed(header, {"type", "card type"}).value_or(1);
        const std::size_t state =
            header.empty() ? 2 : HeaderColumnNamed(header, {"state", "sw state"}).value_or(2);
        auto column = [&](std::size_t c) {
            return std::string(c < columns.size() ? columns[c] : std::string_view());
        };
        nodes.push_back({column(0), column(type), column(state)});
    }
    return nodes;
}

bool AllNodesUp(const std::vector<NodeState>& nodes) {
    bool any_cpu = false;
    for (const auto& node : nodes) {
        if (node.node.find("CPU") == std::string::npos) continue;
        any_cpu = true;
        if (std::find(std::begin(kValidStates), std::end(kValidStates), node.state) ==
            std::end(kValidStates))
            return false;
    }
    return any_cpu;
}

// --- Pre-/Post-Upgrade captures ------------------------------------------------------------

std::string CommandFileName(std::string_view command) {
    constexpr std::size_t kMaxStem = 200;
    std::string stem;
    bool in_run = false;
    for (const char c : command) {
        const bool word = (c >= 'a' && c <= 'z') || IsUpperAscii(c) || IsDigit(c) || c == '_';
        if (word) {
            stem.push_back(c);
        } else if (!in_run) {
            stem.push_back('-');
        }
        in_run = !word;
    }
    if (stem.empty()) stem = "-";
    if (stem.size() > kMaxStem) stem.resize(kMaxStem);
    return stem + ".txt";
}

namespace {

enum class DiffEdit { kKeep, kDelete, kInsert };
struct DiffStep {
    DiffEdit edit;
    std::size_t old_line;  ///< index in `before` (kKeep, kDelete)
    std::size_t new_line;  ///< index in `after` (kKeep, kInsert)
};

constexpr int kDiffMaxEdits = 2000;  // the snapshots take ~kDiffMaxEdits^2 ints
constexpr int kDiffUnreached = -1;

/// Myers' O(ND) shortest edit script of a[0..n) -> b[0..m) as steps with indices + offset, or
/// nullopt beyond kDiffMaxEdits. `furthest[d][d + k]` is the furthest x on diagonal k after d
/// edits; a move that would leave the grid is never taken (kDiffUnreached), so that the walk back
/// needs no bounds checks beyond the ones made going forward.
std::optional<std::vector<DiffStep>> MyersDiff(std::span<const std::string_view> a,
                                               std::span<const std::string_view> b,
                                               std::size_t offset_a,
                                               std::size_t offset_b) {
    const int n = static_cast<int>(a.size());
    const int m = static_cast<int>(b.size());
    std::vector<std::vector<int>> furthest;
    // Where diagonal k can be entered at step d from step d-1: down from k+1, right from k-1;
    // right wins only when it gets further (Myers' tie rule).
    auto entry = [&](int d, int k) -> std::pair<int, bool> {  // x, came by a right move
        if (d == 0) return {0, false};
        const auto& prev = furthest[static_cast<std::size_t>(d - 1)];
        auto at = [&](int kk) {
            return kk < -(d - 1) || kk > d - 1 ? kDiffUnreached
                                               : prev[static_cast<std::size_t>(kk + d - 1)];
        };
        int down = at(k + 1);
        if (down != kDiffUnreached && down - k > m) down = kDiffUnreached;
        int right = at(k - 1);
        if (right != kDiffUnreached) right = right + 1 > n ? kDiffUnreached : right + 1;
        if (right != kDiffUnreached && (down == kDiffUnreached || right > down))
            return {right, true};
        return {down, false};
    };
    for (int d = 0; d <= std::min(n + m, kDiffMaxEdits); ++d) {
        furthest.emplace_back(static_cast<std::size_t>(2 * d + 1), kDiffUnreached);
        for (int k = -d; k <= d; k += 2) {
            int x = entry(d, k).first;
            if (x == kDiffUnreached) continue;
            int y = x - k;
            while (x < n && y < m &&
                   a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
                ++x;
                ++y;
            }
            furthest.back()[static_cast<std::size_t>(k + d)] = x;
            if (x != n || y != m) continue;
            // Walk back from (n, m): each step's snake, then its one edit.
            std::vector<DiffStep> steps;
            for (int dd = d; dd >= 0; --dd) {
                const int kk = x - y;
                const auto [start_x, right] = entry(dd, kk);
                while (x > start_x) {
                    --x;
                    --y;
                    steps.push_back({DiffEdit::kKeep, offset_a + static_cast<std::size_t>(x),
                                     offset_b + static_cast<std::size_t>(y)});
                }
                if (dd == 0) break;
                if (right) {
                    --x;
                    steps.push_back({DiffEdit::kDelete, offset_a + static_cast<std::size_t>(x), 0});
                } else {
                    --y;
                    steps.push_back({DiffEdit::kInsert, 0, offset_b + static_cast<std::size_t>(y)});
                }
            }
            std::reverse(steps.begin(), steps.end());
            return steps;
        }
    }
    return std::nullopt;
}

std::vector<DiffStep> LineDiffSteps(const std::vector<std::string_view>& a,
                                    const std::vector<std::string_view>& b) {
    // The common head and tail first: captures before and after an upgrade are mostly equal,
    // which keeps the quadratic part small.
    std::size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
    std::size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head &&
           a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
        ++tail;
    std::vector<DiffStep> steps;
    for (std::size_t i = 0; i < head; ++i) steps.push_back({DiffEdit::kKeep, i, i});
    const auto mid_a = std::span(a).subspan(head, a.size() - head - tail);
    const auto mid_b = std::span(b).subspan(head, b.size() - head - tail);
    if (auto middle = MyersDiff(mid_a, mid_b, head, head)) {
        steps.insert(steps.end(), middle->begin(), middle->end());
    } else {
        for (std::size_t i = 0; i < mid_a.size(); ++i)
            steps.push_back({DiffEdit::kDelete, head + i, 0});
        for (std::size_t j = 0; j < mid_b.size(); ++j)
            steps.push_back({DiffEdit::kInsert, 0, head + j});
    }
    for (std::size_t t = tail; t > 0; --t)
        steps.push_back({DiffEdit::kKeep, a.size() - t, b.size() - t});
    return steps;
}

void AppendHtmlEscaped(std::string& out, std::string_view text) {
    constexpr std::pair<char, std::string_view> kEntities[] = {
        {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    for (const char c : text) {
        const auto* entity = std::find_if(std::begin(kEntities), std::end(kEntities),
                                          [c](const auto& e) { return e.first == c; });
        if (entity == std::end(kEntities)) {
            out.push_back(c);
        } else {
            out += entity->second;
        }
    }
}

/// `-12,3` of a hunk header: unified diff's start (the line before when the range is empty).
std::string HunkRange(std::size_t first, std::size_t count) {
    return std::to_string(count == 0 ? first : first + 1) + "," + std::to_string(count);
}

}  // namespace

std::string DiffHtml(std::string_view before, std::string_view after, std::string_view title) {
    constexpr std::size_t kContext = 3;
    const auto a = Lines(before);
    const auto b = Lines(after);
    const auto steps = LineDiffSteps(a, b);
    std::size_t removed = 0;
    std::size_t added = 0;
    for (const auto& step : steps) {
        removed += step.edit == DiffEdit::kDelete;
        added += step.edit == DiffEdit::kInsert;
    }

    std::string html = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>";
    AppendHtmlEscaped(html, title);
    html +=
        "</title>\n<style>\n"
        "body{font-family:sans-serif;margin:1em}\n"
        "table.diff{border-collapse:collapse;font-family:monospace;font-size:13px}\n"
        "table.diff td{padding:0 .5em;white-space:pre;vertical-align:top}\n"
        "td.n{color:#888;text-align:right;border-right:1px solid #ccc}\n"
        "tr.hunk td{background:#eef;color:#558}\n"
        "tr.del td.t{background:#fdd}\ntr.add td.t{background:#dfd}\n"
        "</style>\n</head>\n<body>\n<h1>";
    AppendHtmlEscaped(html, title);
    html += "</h1>\n";
    if (removed == 0 && added == 0) return html + "<p>No differences.</p>\n</body>\n</html>\n";
    html += "<p>" + std::to_string(removed) + " line(s) removed, " + std::to_string(added) +
            " line(s) added.</p>\n<table class=\"diff\">\n";

    // Hunks: the changed steps with kContext kept lines around them; close changes share one.
    std::vector<std::size_t> changed;
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i].edit != DiffEdit::kKeep) changed.push_back(i);
    std::size_t scanned = 0;     // steps counted into the two totals below
    std::size_t old_before = 0;  // lines of each side before step `scanned`
    std::size_t new_before = 0;
    std::size_t c = 0;
    while (c < changed.size()) {
        const std::size_t first = changed[c] >= kContext ? changed[c] - kContext : 0;
        std::size_t last = changed[c];
        while (c + 1 < changed.size() && changed[c + 1] - last <= 2 * kContext + 1)
            last = changed[++c];
        ++c;
        const std::size_t end = std::min(steps.size(), last + kContext + 1);
        for (; scanned < first; ++scanned) {
            old_before += steps[scanned].edit != DiffEdit::kInsert;
            new_before += steps[scanned].edit != DiffEdit::kDelete;
        }
        std::size_t old_count = 0;
        std::size_t new_count = 0;
        for (std::size_t i = first; i < end; ++i) {
            old_count += steps[i].edit != DiffEdit::kInsert;
            new_count += steps[i].edit != DiffEdit::kDelete;
        }
        html +=
            "<tr class=\"hunk\"><td class=\"n\"></td><td class=\"n\"></td><td class=\"t\">@@ -" +
            HunkRange(old_before, old_count) + " +" + HunkRange(new_before, new_count) +
            " @@</td></tr>\n";
        for (std::size_t i = first; i < end; ++i) {
            const auto& step = steps[i];
            const auto old_no =
                step.edit == DiffEdit::kInsert ? "" : std::to_string(step.old_line + 1);
            const auto new_no =
                step.edit == DiffEdit::kDelete ? "" : std::to_string(step.new_line + 1);
            const char* cls = step.edit == DiffEdit::kKeep     ? "ctx"
                              : step.edit == DiffEdit::kDelete ? "del"
                                                               : "add";
            const char mark = step.edit == DiffEdit::kKeep     ? ' '
                              : step.edit == DiffEdit::kDelete ? '-'
                                                               : '+';
            html += std::string("<tr class=\"") + cls + "\"><td class=\"n\">" + old_no +
                    "</td><td class=\"n\">" + new_no + "</td><td class=\"t\">" + mark;
            AppendHtmlEscaped(html,
                              step.edit == DiffEdit::kInsert ? b[step.new_line] : a[step.old_line]);
            html += "</td></tr>\n";
        }
    }
    return html + "</table>\n</body>\n</html>\n";
}

}  // namespace escd::orchestrator::csm
