#include "common/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace escd::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
        if (x != y) return false;
    }
    return true;
}
}  // namespace

void SetLevel(Level level) noexcept {
    g_level.store(static_cast<int>(level));
}
Level GetLevel() noexcept {
    return static_cast<Level>(g_level.load());
}
bool Enabled(Level level) noexcept {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

std::optional<Level> ParseLevel(std::string_view text) noexcept {
    if (IEquals(text, "DEBUG") || IEquals(text, "TRACE")) return Level::kDebug;
    if (IEquals(text, "INFO")) return Level::kInfo;
    if (IEquals(text, "WARN") || IEquals(text, "WARNING")) return Level::kWarn;
    if (IEquals(text, "ERROR")) return Level::kError;
    return std::nullopt;
}

std::string_view LevelName(Level level) noexcept {
    switch (level) {
        case Level::kDebug:
            return "DEBUG";
        case Level::kInfo:
            return "INFO";
        case Level::kWarn:
            return "WARN";
        case Level::kError:
            return "ERROR";
    }
    return "?";
}

void Write(Level level, std::string_view component, std::string_view message) {
    if (!Enabled(level)) return;
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    std::string line;
    line.reserve(64 + message.size());
    line.append(stamp).append(" ");
    auto name = LevelName(level);
    line.append(name).append(6 - name.size(), ' ');
    line.append(component);
    if (component.size() < 12) line.append(12 - component.size(), ' ');
    line.append(" ").append(message).append("\n");
    // One write(2) per record keeps concurrent records from interleaving.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace escd::log
