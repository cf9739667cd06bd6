#include "orchestrator/csm/device/cli_text.hpp"

#include <boost/regex.hpp>

namespace escd::orchestrator::csm::cli {
namespace {

// Boost.Regex rather than std::regex: libstdc++'s matcher recurses per character and can
// overflow a coroutine's thread stack on long output; Boost's does not recurse.
const boost::regex& PromptRegex() {
    static const boost::regex regex(std::string(kPromptPattern), boost::regex::perl);
    return regex;
}

bool IsPromptBlank(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

std::string TerminalText::Clean(std::string_view raw) {
    std::string text;
    text.reserve(raw.size());
    for (const char c : raw) {
        switch (state_) {
            case State::kText:
                if (c == '\x1b') {
                    state_ = State::kEscape;
                } else if (c != '\r' && c != '\0' && c != '\a') {
                    text.push_back(c);
                }
                break;
            case State::kEscape:
                // `ESC [` opens a control sequence; any other `ESC x` is a two-byte sequence.
                state_ = c == '[' ? State::kCsi : State::kText;
                break;
            case State::kCsi:
                // Parameters and intermediates are 0x20-0x3F; a final byte 0x40-0x7E ends it.
                if (c >= 0x40 && c <= 0x7e) state_ = State::kText;
                break;
        }
    }
    return text;
}

std::size_t LastLineStart(std::string_view text) {
    const auto newline = text.rfind('\n');
    return newline == std::string_view::npos ? 0 : newline + 1;
}

std::optional<std::string> TrailingPrompt(std::string_view text) {
    auto line = text.substr(LastLineStart(text));
    // A prompt is short: a long last line is output still arriving.
    if (line.empty() || line.size() > 256) return std::nullopt;
    if (!boost::regex_match(line.begin(), line.end(), PromptRegex())) return std::nullopt;
    while (!line.empty() && IsPromptBlank(line.back())) line.remove_suffix(1);
    return std::string(line);
}

std::optional<Echo> FindEcho(std::string_view answer, std::string_view line) {
    if (line.empty()) return Echo{};
    std::size_t start = 0;
    while (start <= kEchoSearch) {
        const auto rest = answer.substr(start);
        if (rest.size() <= line.size()) {
            // Undecided until a character after the echo arrived: whether a newline ends it
            // changes where the answer starts, and the answer must not move once searched.
            if (line.substr(0, rest.size()) == rest) return std::nullopt;
        } else if (rest.substr(0, line.size()) == line) {
            return Echo{start, start + line.size() + (rest[line.size()] == '\n' ? 1 : 0)};
        }
        const auto newline = answer.find('\n', start);
        if (newline == std::string_view::npos) break;
        start = newline + 1;
    }
    return Echo{};
}

std::string OutputBefore(std::string_view answer, std::size_t prompt_start) {
    auto output = answer.substr(0, std::min(prompt_start, answer.size()));
    // The newline that ended the echo (when it came in a later chunk) and the one before the
    // prompt frame the output; they are not part of it.
    if (!output.empty() && output.front() == '\n') output.remove_prefix(1);
    if (!output.empty() && output.back() == '\n') output.remove_suffix(1);
    return std::string(output);
}

}  // namespace escd::orchestrator::csm::cli
