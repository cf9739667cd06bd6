// Small helpers shared by the emulator: strings, files, time stamps in the formats IOS XR prints.
#pragma once

#include <ctime>
#include <string>
#include <vector>

namespace xr {

std::string trim(const std::string& s);
std::vector<std::string> split_ws(const std::string& s);
std::vector<std::string> split(const std::string& s, char sep);
std::string join(const std::vector<std::string>& v, const std::string& sep);
bool starts_with(const std::string& s, const std::string& prefix);
bool ends_with(const std::string& s, const std::string& suffix);
std::string lower(std::string s);
bool iprefix(const std::string& word, const std::string& keyword);  // word abbreviates keyword

// Whole-file helpers. write_file is atomic (temp file + rename) so that a reader in another
// session never sees a half-written state file.
bool read_file(const std::string& path, std::string& out);
std::string read_file_or(const std::string& path, const std::string& fallback = "");
bool write_file(const std::string& path, const std::string& data, int mode = 0644);
bool append_file(const std::string& path, const std::string& data);
bool file_exists(const std::string& path);
bool mkdirs(const std::string& path, int mode = 0755);
std::vector<std::string> list_dir(const std::string& path);
std::string basename_of(const std::string& path);
std::string dirname_of(const std::string& path);

double now_real();   // seconds since the epoch, with fractions
long long now_us();  // CLOCK_REALTIME in microseconds since the epoch

// Benchmark hook (--command-log): appends "<epoch_us> <host> <pid> <line>" with one O_APPEND
// write, so lines of concurrent sessions never interleave. Control characters in the line
// become '?'; a line is cut at 2000 bytes. False when the file cannot be written.
bool log_command(const std::string& path,
                 long long epoch_us,
                 const std::string& host,
                 const std::string& line);

// strftime of t in UTC (the device's time zone, whatever the host's TZ).
std::string utc_text(time_t t, const char* format);
// "Jun 09 15:49:15": the stamp in front of install messages and install log lines.
std::string ts_install(time_t t);
// "Mon Aug 21 09:13:19.188 UTC": the line XR prints before a command's output.
std::string ts_cli();
// "Jun  9 15:49:15.123 UTC": the stamp of a syslog buffer line.
std::string ts_syslog(double t);
std::string uptime_text(long seconds);  // "2 days, 2 hours, 38 minutes"

long to_long(const std::string& s, long fallback);

}  // namespace xr
