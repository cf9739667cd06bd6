#pragma once
/// @file
/// The text side of a device CLI, without I/O: cleaning the terminal stream, finding the prompt,
/// the echo of a typed line and a command's output. Pure functions (and one small stateful
/// filter), so that the rules are tested without a device (tests/device/cli_text_test.cpp).
///
/// The rules are condoor's (CSM's connection library), made explicit:
/// - A prompt is the LAST line of what arrived when the whole line matches kPromptPattern
///   (`RP/0/RP0/CPU0:r1#`, `sysadmin-vm:0_RP0# `, `router>`): nothing may follow it, since a
///   device prints its prompt and then waits.
/// - A line the client types is echoed back first (the device's line editor or its pty); the
///   echo is skipped before patterns and the prompt are looked for, so that a typed line can
///   never answer itself.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace escd::orchestrator::csm::cli {

/// A prompt line: IOS (`r1>`, `r1#`), IOS XR (`RP/0/RP0/CPU0:r1#`), the admin plane
/// (`sysadmin-vm:0_RP0#`), NX-OS. Matched against one whole line, trailing blanks allowed.
inline constexpr std::string_view kPromptPattern = R"([\w\-/:.@()]+[#>]\s*)";

/// Drops what a terminal would not show as text: CR, NUL, BEL and ANSI escape sequences
/// (`ESC [ ... final`, `ESC x`). Stateful because a sequence may be split across reads.
class TerminalText {
  public:
    /// The clean text of `raw` (continuing a sequence begun in the previous chunk).
    std::string Clean(std::string_view raw);

  private:
    enum class State { kText, kEscape, kCsi };
    State state_ = State::kText;
};

/// The prompt at the very end of `text`: its last line, when that whole line matches
/// kPromptPattern, without its trailing blanks. nullopt when `text` ends with a newline or with
/// anything else.
std::optional<std::string> TrailingPrompt(std::string_view text);

/// Offset of the start of the last line of `text` (0 when it has a single line).
std::size_t LastLineStart(std::string_view text);

/// Where the echo of `line` is in `answer` (what arrived after `line` was typed): the first
/// line that begins with `line`, within the first kEchoSearch characters; `end` is past its
/// newline. Lines before it are text that crossed the typed line (an asynchronous message).
/// {0, 0} when the device did not echo it (a password) or echoed something else; nullopt while
/// the last line that arrived could still be the echo (wait for more: the answer is decided once
/// a character after the echo is there).
struct Echo {
    std::size_t begin = 0;
    std::size_t end = 0;
};
inline constexpr std::size_t kEchoSearch = 4096;
std::optional<Echo> FindEcho(std::string_view answer, std::string_view line);

/// The output of a command: `answer` (after the echo) up to `prompt_start`, without the newlines
/// that frame it.
std::string OutputBefore(std::string_view answer, std::size_t prompt_start);

}  // namespace escd::orchestrator::csm::cli
