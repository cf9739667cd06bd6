#pragma once
/// @file
/// Leveled logging to stderr, one line per record:
///   2026-11-23T17:52:33.123Z INFO  server   POST /v0/tenants/t1 200 1.2ms tx=...
/// The level is process-wide and may change at run time (config LOG/LEVEL). Thread safe: each
/// record is formatted into a local buffer and written with one write(2).

#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace escd::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLevel(Level level) noexcept;
Level GetLevel() noexcept;
bool Enabled(Level level) noexcept;
/// "DEBUG", "INFO", "WARN"/"WARNING", "ERROR", case-insensitive.
std::optional<Level> ParseLevel(std::string_view text) noexcept;
std::string_view LevelName(Level level) noexcept;

/// Writes one record if `level` is enabled.
void Write(Level level, std::string_view component, std::string_view message);

/// Builds one record with operator<< and writes it when destroyed.
class Line {
  public:
    Line(Level level, std::string_view component) : level_(level), component_(component) {}
    ~Line() { Write(level_, component_, stream_.str()); }
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    template <class T>
    Line& operator<<(const T& value) {
        stream_ << value;
        return *this;
    }

  private:
    Level level_;
    std::string_view component_;
    std::ostringstream stream_;
};

/// A completion handler for co_spawn: a task that ended with an exception is logged at `level`
/// as "<what>: <exception>" (the error policy of common/error.hpp: each spawned task catches and
/// logs at its top).
inline auto LogFailure(Level level, std::string_view component, std::string what) {
    return [level, component, what = std::move(what)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            Line(level, component) << what << ": " << ex.what();
        }
    };
}

}  // namespace escd::log

// A one-pass `for` rather than if/else: formatting is skipped when the level is off, and the
// macro stays a single statement that cannot capture a caller's `else`.
#define ESCD_LOG(level, component)                                          \
    for (bool escd_log_once_ = ::escd::log::Enabled(level); escd_log_once_; \
         escd_log_once_ = false)                                            \
    ::escd::log::Line(level, component)
#define ESCD_DEBUG(component) ESCD_LOG(::escd::log::Level::kDebug, component)
#define ESCD_INFO(component) ESCD_LOG(::escd::log::Level::kInfo, component)
#define ESCD_WARN(component) ESCD_LOG(::escd::log::Level::kWarn, component)
#define ESCD_ERROR(component) ESCD_LOG(::escd::log::Level::kError, component)
