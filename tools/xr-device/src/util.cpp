#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace xr {

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_ws(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        out += v[i];
    }
    return out;
}

bool starts_with(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

bool ends_with(const std::string& s, const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool iprefix(const std::string& word, const std::string& keyword) {
    if (word.empty() || word.size() > keyword.size()) return false;
    return starts_with(lower(keyword), lower(word));
}

bool read_file(const std::string& path, std::string& out) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    out.clear();
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return true;
}

std::string read_file_or(const std::string& path, const std::string& fallback) {
    std::string s;
    return read_file(path, s) ? s : fallback;
}

bool write_file(const std::string& path, const std::string& data, int mode) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return false;
    size_t off = 0;
    while (off < data.size()) {
        ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w <= 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        off += static_cast<size_t>(w);
    }
    ::close(fd);
    return ::rename(tmp.c_str(), path.c_str()) == 0;
}

bool append_file(const std::string& path, const std::string& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return false;
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
    ::close(fd);
    return ok;
}

bool file_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

bool mkdirs(const std::string& path, int mode) {
    if (path.empty()) return false;
    std::string cur;
    for (const auto& part : split(path, '/')) {
        cur += part;
        if (!cur.empty()) ::mkdir(cur.c_str(), mode);
        cur += '/';
    }
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string basename_of(const std::string& path) {
    auto p = path.find_last_of('/');
    return p == std::string::npos ? path : path.substr(p + 1);
}

std::string dirname_of(const std::string& path) {
    auto p = path.find_last_of('/');
    if (p == std::string::npos) return ".";
    return p == 0 ? "/" : path.substr(0, p);
}

double now_real() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

long long now_us() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool log_command(const std::string& path,
                 long long epoch_us,
                 const std::string& host,
                 const std::string& line) {
    std::string rec = std::to_string(epoch_us) + " " + host + " " + std::to_string(getpid()) + " ";
    for (size_t i = 0; i < line.size() && i < 2000; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        rec += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    rec += '\n';
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0664);
    if (fd < 0) return false;
    bool ok = ::write(fd, rec.data(), rec.size()) == static_cast<ssize_t>(rec.size());
    ::close(fd);
    return ok;
}

// The device runs on UTC like most lab routers; using gmtime keeps outputs independent of the
// host's TZ setting.
std::string utc_text(time_t t, const char* format) {
    struct tm tmv;
    gmtime_r(&t, &tmv);
    char buf[128];
    strftime(buf, sizeof buf, format, &tmv);
    return buf;
}

namespace {

// utc_text of t followed by its milliseconds: "<text>.123 UTC".
std::string utc_ms_text(double t, const char* format) {
    time_t s = static_cast<time_t>(t);
    char out[160];
    std::snprintf(out, sizeof out, "%s.%03d UTC", utc_text(s, format).c_str(),
                  static_cast<int>((t - static_cast<double>(s)) * 1000));
    return out;
}

}  // namespace

std::string ts_install(time_t t) {
    return utc_text(t, "%b %d %H:%M:%S");
}

std::string ts_cli() {
    return utc_ms_text(now_real(), "%a %b %e %H:%M:%S");
}

std::string ts_syslog(double t) {
    return utc_ms_text(t, "%b %e %H:%M:%S");
}

std::string uptime_text(long secs) {
    if (secs < 0) secs = 0;
    long w = secs / 604800, d = (secs / 86400) % 7, h = (secs / 3600) % 24, m = (secs / 60) % 60;
    std::vector<std::string> parts;
    auto add = [&](long v, const char* unit) {
        if (v) parts.push_back(std::to_string(v) + " " + unit + (v == 1 ? "" : "s"));
    };
    add(w, "week");
    add(d, "day");
    add(h, "hour");
    add(m, "minute");
    if (parts.empty()) return "0 minutes";
    return join(parts, ", ");
}

long to_long(const std::string& s, long fallback) {
    if (s.empty()) return fallback;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    return (end && *end == '\0') ? v : fallback;
}

}  // namespace xr
