#include "orchestrator/csm/exr_packages.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <utility>

#include "orchestrator/csm/exr_text.hpp"

namespace escd::orchestrator::csm {
namespace {

using exr_detail::IsBlank;
using exr_detail::IsDigit;
using exr_detail::Lines;
using exr_detail::Trim;

bool IsLowerAlpha(char c) {
    return c >= 'a' && c <= 'z';
}
bool IsAsciiLetter(char c) {
    return IsLowerAlpha(c) || (c >= 'A' && c <= 'Z');
}

bool Says(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

std::string_view FirstWordOf(std::string_view text) {
    text = Trim(text);
    std::size_t end = 0;
    while (end < text.size() && !IsBlank(text[end])) ++end;
    return text.substr(0, end);
}

std::size_t IndentOf(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && IsBlank(line[n])) ++n;
    return n;
}

/// The number at the start of `text` and its length; nullopt without a digit or with more
/// digits than an int holds (not an id a device prints).
std::optional<std::pair<int, std::size_t>> NumberAtStart(std::string_view text) {
    std::size_t n = 0;
    int value = 0;
    while (n < text.size() && IsDigit(text[n])) {
        if (n == 9) return std::nullopt;
        value = value * 10 + (text[n] - '0');
        ++n;
    }
    if (n == 0) return std::nullopt;
    return std::pair{value, n};
}

/// Drops the time stamp eXR puts before install messages (`Dec 07 10:00:00 `, syslog's
/// `Dec  7 10:00:00.123 UTC `) so that what follows is seen with its own indentation.
std::string_view WithoutInstallStamp(std::string_view line) {
    auto digit = [&](std::size_t i) { return i < line.size() && IsDigit(line[i]); };
    if (line.size() < 15 || !IsAsciiLetter(line[0]) || !IsLowerAlpha(line[1]) ||
        !IsLowerAlpha(line[2]) || line[3] != ' ' || !(digit(4) || line[4] == ' ') || !digit(5) ||
        line[6] != ' ' || !digit(7) || !digit(8) || line[9] != ':' || !digit(10) || !digit(11) ||
        line[12] != ':' || !digit(13) || !digit(14))
        return line;
    std::size_t at = 15;
    if (at < line.size() && line[at] == '.') {
        ++at;
        while (digit(at)) ++at;
    }
    if (line.substr(at).starts_with(" UTC")) at += 4;
    if (at < line.size() && line[at] == ' ') ++at;
    return line.substr(at);
}

/// `Install operation <id><rest of the line>`, the form every eXR and classic XR install
/// message about one operation has.
struct OperationMention {
    int id;
    std::string_view rest;
};

std::vector<OperationMention> OperationMentionsOf(std::string_view text) {
    constexpr std::string_view kKey = "Install operation ";
    std::vector<OperationMention> mentions;
    for (auto pos = text.find(kKey); pos != std::string_view::npos;
         pos = text.find(kKey, pos + 1)) {
        auto after = text.substr(pos + kKey.size());
        const auto number = NumberAtStart(after);
        if (!number) continue;  // `Install operation will continue in the background`
        after.remove_prefix(number->second);
        mentions.push_back({number->first, after.substr(0, after.find('\n'))});
    }
    return mentions;
}

bool SaysStarted(std::string_view rest) {
    // eXR: ` started by root:`; classic XR: ` '(admin) install add ...' started by user 'x'`.
    return rest.starts_with(" started") || (rest.starts_with(" '") && Says(rest, "started"));
}

bool IsPackagesHeader(std::string_view trimmed) {
    // `Active Packages: 2`, `Inactive Packages:`, `Committed Packages: 2` (a count or nothing
    // after the colon), `2 inactive package(s) found:`.
    if (trimmed.ends_with("package(s) found:")) return true;
    const auto at = trimmed.find("Packages:");
    if (at == std::string_view::npos) return false;
    const auto rest = Trim(trimmed.substr(at + 9));
    return std::all_of(rest.begin(), rest.end(), IsDigit);
}

void AddPackageOnce(std::vector<std::string>& names, std::string_view name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
        names.emplace_back(name);
}

}  // namespace

std::optional<int> StartedOperationId(std::string_view output) {
    std::optional<int> id;
    for (const auto& mention : OperationMentionsOf(output))
        if (SaysStarted(mention.rest)) id = mention.id;
    return id;
}

bool ContinuesInBackground(std::string_view output) {
    return Says(output, "Install operation will continue in the background") ||
           Says(output, "The install operation will continue asynchronously");
}

OperationEnd OperationEndOf(std::string_view text, int operation_id) {
    auto end = OperationEnd::kRunning;
    for (const auto& mention : OperationMentionsOf(text)) {
        if (mention.id != operation_id) continue;
        const auto rest = mention.rest;
        if (rest.starts_with(" finished successfully") ||
            rest.starts_with(" completed successfully") ||
            rest.starts_with(" completed with failure"))
            end = OperationEnd::kSucceeded;
        else if (rest.starts_with(" aborted") || rest.starts_with(" failed"))
            end = OperationEnd::kAborted;
    }
    return end;
}

bool NoOperationInProgress(std::string_view show_install_request) {
    return Says(show_install_request, "No install operation in progress") ||
           Says(show_install_request, "There are no install requests in operation");
}

std::optional<int> PercentComplete(std::string_view show_install_request, int operation_id) {
    auto percent_of = [](std::string_view text) -> std::optional<int> {
        const auto number = NumberAtStart(text);
        if (!number || !text.substr(number->second).starts_with("% complete")) return std::nullopt;
        return number->first;
    };
    // `The install \w*?\s?operation N is (\d+)% complete`.
    constexpr std::string_view kExr = "The install ";
    for (auto pos = show_install_request.find(kExr); pos != std::string_view::npos;
         pos = show_install_request.find(kExr, pos + 1)) {
        auto rest = show_install_request.substr(pos + kExr.size());
        if (!rest.starts_with("operation ")) {  // `The install add operation 12 ...`
            std::size_t word = 0;
            while (word < rest.size() && IsAsciiLetter(rest[word])) ++word;
            rest.remove_prefix(word);
            if (rest.starts_with(" ")) rest.remove_prefix(1);
            if (!rest.starts_with("operation ")) continue;
        }
        rest.remove_prefix(10);
        const auto id = NumberAtStart(rest);
        if (!id || id->first != operation_id) continue;
        rest.remove_prefix(id->second);
        if (!rest.starts_with(" is ")) continue;
        if (auto percent = percent_of(rest.substr(4))) return percent;
    }
    // Classic XR names the operation on another line.
    constexpr std::string_view kClassic = "The operation is ";
    const auto mentions = OperationMentionsOf(show_install_request);
    const bool ours = std::any_of(mentions.begin(), mentions.end(),
                                  [&](const OperationMention& m) { return m.id == operation_id; });
    if (const auto pos = show_install_request.find(kClassic); ours && pos != std::string_view::npos)
        return percent_of(show_install_request.substr(pos + kClassic.size()));
    return std::nullopt;
}

std::optional<int> LastStartedOperationId(std::string_view install_log) {
    std::optional<int> newest;
    for (const auto& mention : OperationMentionsOf(install_log))
        if (SaysStarted(mention.rest) && (!newest || mention.id > *newest)) newest = mention.id;
    return newest;
}

bool AsksToReload(std::string_view output) {
    constexpr std::string_view kKey = "This install operation will ";
    for (auto pos = output.find(kKey); pos != std::string_view::npos;
         pos = output.find(kKey, pos + 1)) {
        auto rest = output.substr(pos + kKey.size());
        if (!rest.starts_with("reload the ") && !rest.starts_with("reboot the ")) continue;
        rest.remove_prefix(11);
        if (rest.starts_with("system, continue") || rest.starts_with("sdr, continue")) return true;
    }
    return false;
}

std::optional<std::string> CouldNotStart(std::string_view output) {
    // Classic XR refuses with an `Error:` line of its own.
    constexpr std::string_view kClassic = "Cannot proceed with the operation";
    if (const auto at = output.find(kClassic); at != std::string_view::npos) {
        const auto lines = Lines(output.substr(at));
        return std::string(Trim(lines.front()));
    }
    constexpr std::string_view kKey = "Could not start this install operation";
    const auto pos = output.find(kKey);
    if (pos == std::string_view::npos) return std::nullopt;
    auto rest = output.substr(pos + kKey.size());
    const auto lines = Lines(rest);
    auto reason = lines.empty() ? std::string_view() : lines.front();
    while (!reason.empty() &&
           (reason.front() == '.' || reason.front() == ':' || IsBlank(reason.front())))
        reason.remove_prefix(1);
    for (std::size_t i = 1; Trim(reason).empty() && i < lines.size(); ++i) {
        reason = Trim(WithoutInstallStamp(lines[i]));
        if (reason.starts_with("Error:")) reason = Trim(reason.substr(6));
    }
    reason = Trim(reason);
    return std::string(reason.empty() ? kKey : reason);
}

bool OperationReloads(std::string_view install_log_detail) {
    return install_log_detail.find("Install Method: Parallel Reload") != std::string_view::npos ||
           install_log_detail.find("will reload to complete the operation") !=
               std::string_view::npos;
}

bool SamePackage(std::string_view listed, std::string_view wanted) {
    const auto a = InternalName(listed);
    const auto b = InternalName(wanted);
    if (a == b) return true;
    // Classic XR lists an SMU with its own version after the name:
    // `asr9k-px-5.3.3.CSCuy12345-1.0.0` for the file `asr9k-px-5.3.3.CSCuy12345.pie`.
    if (b.find(".CSC") == std::string::npos || a.size() <= b.size() + 1 ||
        a.compare(0, b.size(), b) != 0 || a[b.size()] != '-')
        return false;
    const std::string_view version = std::string_view(a).substr(b.size() + 1);
    return !version.empty() && std::all_of(version.begin(), version.end(),
                                           [](char c) { return IsDigit(c) || c == '.'; });
}

bool NoImpactOperation(std::string_view output) {
    return Says(output, "NO IMPACT OPERATION");
}

bool SuIssuCommitPending(std::string_view output) {
    return Says(output, "ERROR! there was an SU/ISSU done");
}

std::vector<std::string> InstallErrors(std::string_view text) {
    // CSM: `Error:    (.*)$`; any blank run after the colon is accepted.
    std::vector<std::string> errors;
    for (const auto line : Lines(text)) {
        const auto at = line.find("Error:");
        if (at == std::string_view::npos) continue;
        const auto rest = line.substr(at + 6);
        if (rest.empty() || !IsBlank(rest.front()) || Trim(rest).empty()) continue;
        errors.emplace_back(Trim(rest));
    }
    return errors;
}

std::vector<std::string> OperationPackages(std::string_view install_log_detail) {
    std::vector<std::string> names;
    bool in_block = false;
    for (const auto line : Lines(install_log_detail)) {
        const auto body = WithoutInstallStamp(line);
        const auto trimmed = Trim(body);
        if (trimmed == "Packages added:" || trimmed == "Package list:") {
            in_block = true;
        } else if (in_block && !trimmed.empty() && IsBlank(body.front())) {
            AddPackageOnce(names, FirstWordOf(trimmed));
        } else {
            in_block = false;
        }
    }
    return names;
}

std::vector<std::string> PackagesOf(std::string_view show_install) {
    std::vector<std::string> names;
    std::optional<std::size_t> header_indent;  // set inside a package block
    for (const auto line : Lines(show_install)) {
        const auto trimmed = Trim(line);
        if (IsPackagesHeader(trimmed)) {
            header_indent = IndentOf(line);
            continue;
        }
        // A block is its header's more indented lines: a blank line, the next `Node ...` or
        // anything at the header's level ends it.
        if (!header_indent) continue;
        if (trimmed.empty() || IndentOf(line) <= *header_indent) {
            header_indent.reset();
            continue;
        }
        // `No packages.`, `No inactive package(s) in software repository`: an empty list.
        if (trimmed.starts_with("No ")) continue;
        AddPackageOnce(names, FirstWordOf(trimmed));
    }
    return names;
}

std::string InternalName(std::string_view file_name) {
    auto name = file_name;
    if (const auto slash = name.find_last_of("/:"); slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    if (name.ends_with(".DT_IMAGE")) name.remove_suffix(9);
    // External names: `<name>.<type>-<release>`.
    for (const std::string_view type : {".rpm-", ".iso-", ".pkg-", ".pie-", ".smu-"}) {
        const auto at = name.rfind(type);
        if (at == std::string_view::npos || at == 0) continue;
        const auto release = name.substr(at + type.size());
        const bool plausible = !release.empty() && IsDigit(release.front()) &&
                               std::all_of(release.begin(), release.end(), [](char c) {
                                   return IsDigit(c) || IsAsciiLetter(c) || c == '.' || c == '_';
                               });
        if (!plausible) continue;
        auto base = name.substr(0, at);
        if (type == ".rpm-") {
            // The rpm's own name has its release (`-r601`) already.
            if (base.ends_with(".x86_64")) base.remove_suffix(7);
            return std::string(base);
        }
        if (type == ".smu-") return std::string(base);
        return std::string(base) + "-" + std::string(release);
    }
    for (const std::string_view suffix :
         {".x86_64.rpm", ".rpm", ".iso", ".x86_64", ".tar", ".pie", ".pkg", ".smu"}) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            name.remove_suffix(suffix.size());
            break;
        }
    }
    return std::string(name);
}

bool TryCommandLater(std::string_view output) {
    return Says(output, "Please try command later");
}

}  // namespace escd::orchestrator::csm
