#include "fetch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <regex>

#include "ops.h"
#include "util.h"

namespace xr {

bool parse_source(const Config& c, const std::string& src, Source& out, std::string& err) {
    out = Source{};
    static const std::regex disk(R"(^/?(harddisk|disk0|disk1|apphost|rootfs):/?(.*)$)");
    std::smatch m;
    if (std::regex_match(src, m, disk)) {
        out.scheme = "local";
        out.local_dir =
            c.state_dir + "/" + m[1].str() + (m[2].str().empty() ? "" : "/" + m[2].str());
        out.shown = src;
        return true;
    }
    if (!src.empty() && src[0] == '/') {
        out.scheme = "local";
        out.local_dir = src;
        out.shown = src;
        return true;
    }
    static const std::regex url(
        R"(^([a-z]+)://(?:([^:@/]*)(?::([^@/]*))?@)?([^/;:]+)(;[^/:]*)?(:\d+)?(/.*)?$)");
    if (!std::regex_match(src, m, url)) {
        err = "Invalid source URL '" + src + "'";
        return false;
    }
    out.scheme = m[1];
    if (out.scheme != "tftp" && out.scheme != "ftp" && out.scheme != "sftp" &&
        out.scheme != "scp" && out.scheme != "http" && out.scheme != "https") {
        err = "Unsupported protocol '" + out.scheme + "' in source URL";
        return false;
    }
    out.user = m[2];
    out.password = m[3];
    out.has_password = m[3].matched;
    std::string path = m[7];
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    // The ";vrf" part only selects a routing table on a real router.
    out.base = out.scheme + "://" + m[4].str() + m[6].str() + (path == "/" ? "" : path);
    out.shown = out.scheme + "://" + (out.user.empty() ? "" : out.user + "@") + m[4].str() +
                m[5].str() + m[6].str() + path;
    return true;
}

bool needs_password(const Source& s) {
    return !s.user.empty() && !s.has_password &&
           (s.scheme == "ftp" || s.scheme == "sftp" || s.scheme == "scp");
}

namespace {

// curl reads the credentials from its standard input (-K -) so they never show in ps.
std::string quote_cfg(const std::string& v) {
    std::string q = "\"";
    for (char ch : v) {
        if (ch == '"' || ch == '\\') q += '\\';
        q += ch;
    }
    return q + "\"";
}

bool run_curl(const Config& c,
              const std::string& url,
              const std::string& user,
              const std::string& password,
              bool insecure,
              const std::string& dest,
              std::string& err) {
    std::string tmp = dest + ".part";
    std::string errfile = dest + ".err";
    int in[2];
    if (pipe(in) != 0) {
        err = "pipe failed";
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        close(in[0]);
        close(in[1]);
        int efd = ::open(errfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (efd >= 0) dup2(efd, 2);
        std::string maxt = std::to_string(c.fetch_timeout);
        std::vector<std::string> args = {"curl", "-sS",        "-f", "--connect-timeout",
                                         "10",   "--max-time", maxt, "-K",
                                         "-",    "-o",         tmp};
        if (insecure) args.push_back("-k");
        args.push_back(url);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp("curl", argv.data());
        std::fprintf(stderr, "curl: cannot run curl\n");
        _exit(127);
    }
    close(in[0]);
    std::string cfg;
    if (!user.empty()) cfg = "user = " + quote_cfg(user + ":" + password) + "\n";
    if (!cfg.empty() && ::write(in[1], cfg.data(), cfg.size()) < 0) { /* curl reports auth errors */
    }
    close(in[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    std::string e = trim(read_file_or(errfile));
    ::unlink(errfile.c_str());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !file_exists(tmp)) {
        ::unlink(tmp.c_str());
        err = e.empty() ? "transfer failed" : split(e, '\n').back();
        return false;
    }
    if (::rename(tmp.c_str(), dest.c_str()) != 0) {
        err = "cannot store " + dest;
        return false;
    }
    return true;
}

// Whether prog is an executable file in a directory of $PATH.
bool on_path(const std::string& prog) {
    const char* path = getenv("PATH");
    for (const auto& dir : split(path && *path ? path : "/usr/bin:/bin", ':'))
        if (!dir.empty() && ::access((dir + "/" + prog).c_str(), X_OK) == 0) return true;
    return false;
}

// Without curl (the busybox VM of deploy/vnf-image): busybox `tftp -g -r FILE -l DEST HOST
// [PORT]`, stopped after fetch_timeout seconds. base is tftp://host[:port]/dir.
bool run_busybox_tftp(const Config& c,
                      const std::string& base,
                      const std::string& file,
                      const std::string& dest,
                      std::string& err) {
    std::string rest = base.substr(std::string("tftp://").size());
    auto slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    std::string remote = (slash == std::string::npos ? "" : rest.substr(slash)) + "/" + file;
    while (!remote.empty() && remote[0] == '/') remote.erase(0, 1);  // as curl sends it
    std::vector<std::string> args = {"tftp", "-g", "-r", remote, "-l", dest + ".part"};
    auto colon = hostport.find(':');
    args.push_back(hostport.substr(0, colon));
    if (colon != std::string::npos) args.push_back(hostport.substr(colon + 1));
    std::string tmp = dest + ".part";
    std::string errfile = dest + ".err";
    pid_t pid = fork();
    if (pid == 0) {
        int nul = ::open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        int efd = ::open(errfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (efd >= 0) dup2(efd, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp("tftp", argv.data());
        std::fprintf(stderr, "tftp: cannot run tftp (neither curl nor tftp is installed)\n");
        _exit(127);
    }
    int status = 0;
    bool timed_out = false;
    for (long waited_ms = 0; pid > 0 && waitpid(pid, &status, WNOHANG) == 0; waited_ms += 50) {
        if (waited_ms >= c.fetch_timeout * 1000L) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            timed_out = true;
            break;
        }
        usleep(50000);
    }
    std::string e = trim(read_file_or(errfile));
    ::unlink(errfile.c_str());
    if (pid <= 0 || timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        !file_exists(tmp)) {
        ::unlink(tmp.c_str());
        err = timed_out ? "tftp: timeout after " + std::to_string(c.fetch_timeout) + " s"
              : e.empty() ? "transfer failed"
                          : split(e, '\n').back();
        return false;
    }
    if (::rename(tmp.c_str(), dest.c_str()) != 0) {
        err = "cannot store " + dest;
        return false;
    }
    return true;
}

const char* kNoCurl = "curl is not installed on this device: only tftp:// and local sources work";

bool copy_local(const std::string& from, const std::string& dest, std::string& err) {
    std::string data;
    if (!read_file(from, data)) {
        err = "No such file or directory: " + from;
        return false;
    }
    if (!write_file(dest, data)) {
        err = "cannot write " + dest;
        return false;
    }
    return true;
}

}  // namespace

bool fetch_file(const Config& c,
                const Source& s,
                const std::string& file,
                const std::string& dest,
                std::string& err) {
    if (s.scheme == "local") return copy_local(s.local_dir + "/" + file, dest, err);
    if (!on_path("curl")) {
        if (s.scheme == "tftp") return run_busybox_tftp(c, s.base, file, dest, err);
        err = kNoCurl;
        return false;
    }
    bool insecure = s.scheme == "sftp" || s.scheme == "scp" || s.scheme == "https";
    return run_curl(c, s.base + "/" + file, s.user, s.password, insecure, dest, err);
}

bool scp_fetch(const Config& c,
               const std::string& user,
               const std::string& password,
               const std::string& host,
               const std::string& path,
               const std::string& dest,
               std::string& err) {
    std::string p = path.empty() || path[0] != '/' ? "/~/" + path : path;
    if (!on_path("curl")) {
        err = kNoCurl;
        return false;
    }
    return run_curl(c, "scp://" + host + p, user, password, true, dest, err);
}

std::vector<std::string> untar(const std::string& tar_path,
                               const std::string& dir,
                               std::string& err) {
    std::vector<std::string> names;
    std::string data;
    if (!read_file(tar_path, data)) {
        err = "cannot read " + tar_path;
        return names;
    }
    size_t off = 0;
    while (off + 512 <= data.size()) {
        const char* h = data.data() + off;
        if (h[0] == '\0') break;  // end-of-archive block
        std::string name(h, strnlen(h, 100));
        std::string prefix(h + 345, strnlen(h + 345, 155));
        if (std::string(h + 257, 5) == "ustar" && !prefix.empty()) name = prefix + "/" + name;
        long size = std::strtol(std::string(h + 124, 12).c_str(), nullptr, 8);
        char type = h[156];
        off += 512;
        if (size < 0 || off + static_cast<size_t>(size) > data.size()) {
            err = "truncated tar file";
            break;
        }
        std::string base = basename_of(name);
        if ((type == '0' || type == '\0') && !base.empty() && base[0] != '.') {
            write_file(dir + "/" + base, data.substr(off, static_cast<size_t>(size)));
            names.push_back(base);
        }
        off += (static_cast<size_t>(size) + 511) / 512 * 512;
    }
    if (names.empty() && err.empty()) err = "no packages found in tar file";
    return names;
}

std::string package_attr(const std::string& path, const std::string& key) {
    std::string data;
    if (!read_file(path, data)) return "";
    data = data.substr(0, 4096);
    std::regex re("(^|\\n)\\s*" + key + "\\s*[=:]\\s*([^\\s]+)");
    std::smatch m;
    if (std::regex_search(data, m, re)) return m[2];
    return "";
}

void scp_command(Session& s, const std::string& source, const std::string& dest) {
    static const std::regex remote(R"(^([^@]+)@([^:]+):(.*)$)");
    std::smatch m;
    if (!std::regex_match(source, m, remote)) {
        s.print("% Invalid source '" + source + "': expected user@host:/path\n");
        return;
    }
    Source dst;
    std::string err;
    if (!parse_source(s.cfg, dest, dst, err) || dst.scheme != "local") {
        s.print("% Invalid destination '" + dest + "'\n");
        return;
    }
    mkdirs(dst.local_dir);
    std::string target = dst.local_dir + "/" + basename_of(m[3]);
    s.print("Connecting to " + m[2].str() + "...\n");
    std::string pw;
    s.ask("Password: ", pw, true);
    if (!scp_fetch(s.cfg, m[1], pw, m[2], m[3], target, err)) {
        s.print("scp: " + m[3].str() + ": " + err + "\n");
        return;
    }
    std::string size = std::to_string(read_file_or(target).size());
    s.print("  Transferred " + size + " Bytes\n  " + size + " bytes copied in 0 sec (" + size +
            ")bytes/sec\n");
}

// --- install add, as both modes do it (ops.h) ---------------------------------------------------

void ask_password(Session& s, Source& src) {
    if (!needs_password(src)) return;
    std::string pw;
    s.ask("Password: ", pw, true);
    src.password = pw;
    src.has_password = true;
}

bool other_platform(const Config& cfg,
                    const std::string& name,
                    const std::vector<std::string>& prefixes) {
    for (const auto& pre : prefixes)
        if (starts_with(name, pre + "-") && pre != cfg.pkg_prefix &&
            !starts_with(name, cfg.pkg_prefix + "-"))
            return true;
    return false;
}

namespace {

// Copies the files into the repository (tar bundles unpacked into their packages) and describes
// each package; false with error set when one cannot be copied, unpacked or added.
bool fetch_packages(const Config& cfg,
                    Db& db,
                    const Source& src,
                    const std::vector<std::string>& files,
                    int id,
                    double step,
                    const AddRules& r,
                    std::vector<Package>& found,
                    std::string& error) {
    std::vector<std::string> got;
    for (size_t i = 0; i < files.size(); ++i) {
        set_percent(db, id, static_cast<int>(5 + 85 * i / files.size()));
        std::string base = basename_of(files[i]), err;
        if (r.copying) r.copying(db, base);
        if (!fetch_file(cfg, src, files[i], db.repo_dir() + "/" + base, err)) {
            error = r.copy_failed(base, err);
            return false;
        }
        got.push_back(base);
        pause_s(step);
    }
    std::vector<std::string> pkgfiles;
    for (const auto& f : got) {
        if (!ends_with(f, ".tar")) {
            pkgfiles.push_back(f);
            continue;
        }
        std::string err;
        auto members = untar(db.repo_dir() + "/" + f, db.repo_dir(), err);
        ::unlink((db.repo_dir() + "/" + f).c_str());
        for (const auto& m : members) {
            if (!r.keep || r.keep(m))
                pkgfiles.push_back(m);
            else
                ::unlink((db.repo_dir() + "/" + m).c_str());
        }
        if (members.empty()) {
            error = r.unpack_failed(f, err);
            return false;
        }
    }
    for (const auto& f : pkgfiles) {
        Package p;
        p.file = f;
        std::string path = db.repo_dir() + "/" + f;
        p.version = package_attr(path, "version");
        error = r.describe(p);
        if (!error.empty()) return false;
        std::string reload = lower(package_attr(path, "reload"));
        p.reload = p.kind == "image" || reload == "yes" || reload == "true" || reload == "1" ||
                   matches_reload_pattern(cfg, p.name);
        p.add_op = id;
        found.push_back(p);
    }
    return true;
}

}  // namespace

void add_files(const Config& cfg,
               const Source& src,
               const std::vector<std::string>& files,
               int id,
               const AddRules& rules) {
    Db db(cfg);
    double step = static_cast<double>(cfg.op_seconds) / static_cast<double>(files.size() + 1);
    std::vector<Package> found;
    std::string error;
    if (!fetch_packages(cfg, db, src, files, id, step, rules, found, error))
        return rules.finish(db, false, error);
    std::vector<std::string> names;
    {
        Db::Lock lock(db.dir());
        db.load();
        for (const auto& p : found) {
            if (auto* old = db.find(p.name)) {
                *old = p;
            } else {
                db.packages.push_back(p);
            }
            names.push_back(p.name);
        }
        db.save();
        Op op = db.load_op(id);
        op.packages = names;
        op.percent = 95;
        db.save_op(op);
    }
    rules.added(db, names);
    pause_s(step);
    rules.finish(db, true, "");
}

}  // namespace xr
