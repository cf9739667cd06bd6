#include "state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <regex>

#include "util.h"

namespace xr {

namespace {

// A stable pseudo serial number so that two emulated devices differ but one device keeps its
// serials across restarts (CSM matches inventory rows by serial number).
std::string make_serial(const std::string& seed, const std::string& prefix) {
    unsigned long h = 5381;
    for (char c : seed) h = h * 33 + static_cast<unsigned char>(c);
    const char* digits = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
    std::string s = prefix;
    while (s.size() < 11) {
        s += digits[h % 33];
        h = h / 33 + 7919 * s.size();
    }
    return s;
}

// Hardware of the platforms the emulator knows. Values follow what the real boxes print.
void apply_profile(Config& c) {
    const std::string p = c.platform;
    std::string pid, descr, prefix;
    auto card = [&](const std::string& node, const std::string& type, const std::string& d, bool rp,
                    bool cpu) {
        c.cards.push_back({node, type, d, make_serial(c.hostname + node, "SAL"), rp, cpu});
    };
    if (c.classic() && starts_with(p, "ASR")) {  // an ASR 9006 with an RSP440, 32-bit XR
        prefix = "asr9k";
        pid = "ASR-9006-AC";
        descr = "ASR 9006 4 Line Card Slot Chassis with V1 AC PEM";
        card("0/RSP0/CPU0", "A9K-RSP440-SE",
             "ASR9K Route Switch Processor with 440G/slot Fabric and 12GB", true, true);
        card("0/FT0/SP", "ASR-9006-FAN", "ASR-9006 Fan Tray", false, false);
        card("0/0/CPU0", "A9K-MOD80-SE", "80G Modular Linecard, Service Edge Optimized", false,
             true);
        card("0/PS0/M0/SP", "A9K-3KW-AC", "3kW AC Power Module", false, false);
    } else if (c.classic()) {  // IOS XRv (iosxrv-*), CRS (hfr-*) or anything else: one RP
        for (char ch : lower(p.substr(0, p.find(' '))))
            if (std::isalnum(static_cast<unsigned char>(ch))) prefix += ch;
        if (p.find("XRv") != std::string::npos) prefix = "iosxrv";
        if (starts_with(p, "CRS")) prefix = "hfr";
        pid = prefix == "iosxrv" ? "IOSXRV" : p.substr(0, p.find(' '));
        descr = p + " Chassis";
        card("0/RP0/CPU0", pid + "-RP", p + " Route Processor", true, true);
    } else if (p.find("XRv 9000") != std::string::npos || p.find("XRv9") != std::string::npos) {
        prefix = "xrv9k";
        pid = "R-IOSXRV9000-CC";
        descr = "Cisco IOS-XRv 9000 Centralized Virtual Router";
        card("0/RP0/CPU0", "R-IOSXRV9000-RP-C", "Cisco IOS-XRv 9000 Centralized Route Processor",
             true, true);
        card("0/0/CPU0", "R-IOSXRV9000-LC-C", "Cisco IOS-XRv 9000 Centralized Line Card", false,
             true);
    } else if (starts_with(p, "NCS-55")) {
        prefix = "ncs5500";
        pid = "NCS-5508";
        descr = "NCS5500 8 Slot Single Chassis";
        card("0/RP0/CPU0", "NC55-RP", "NCS 5500 Route Processor Card", true, true);
        card("0/0/CPU0", "NC55-36X100G", "NCS 5500 36x100GE BASE", false, true);
        card("0/FC0", "NC55-5508-FC", "NCS 5508 Fabric Card", false, false);
        card("0/FT0", "NC55-5508-FAN", "NCS 5508 Fan Tray", false, false);
        card("0/SC0", "NC55-SC", "NCS 5500 System Controller", false, false);
    } else if (starts_with(p, "ASR")) {
        prefix = "asr9k";
        pid = "ASR-9904-AC";
        descr = "ASR-9904 AC Chassis";
        card("0/RSP0/CPU0", "A9K-RSP880-SE", "ASR 9000 Route Switch Processor 880 for Service Edge",
             true, true);
        card("0/0/CPU0", "A9K-8X100GE-SE", "ASR 9000 8-port 100GE Service Edge Line Card", false,
             true);
        card("0/FT0", "ASR-9904-FAN", "ASR-9904 Fan Tray", false, false);
    } else {
        for (char ch : lower(p))
            if (std::isalnum(static_cast<unsigned char>(ch))) prefix += ch;
        pid = p;
        descr = p + " Chassis";
        card("0/RP0/CPU0", p + "-RP", p + " Route Processor", true, true);
    }
    if (c.pkg_prefix.empty()) c.pkg_prefix = prefix;
    if (c.chassis_pid.empty()) c.chassis_pid = pid;
    if (c.chassis_descr.empty()) c.chassis_descr = descr;
    if (c.serial.empty()) c.serial = make_serial(c.hostname, "FOX");
}

std::map<std::string, std::string> parse_kv(const std::string& text) {
    std::map<std::string, std::string> kv;
    for (const auto& raw : split(text, '\n')) {
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        kv[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return kv;
}

std::string lines_of(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    for (const auto& l : split(read_file_or(path), '\n'))
        if (!trim(l).empty()) out.push_back(trim(l));
    return out;
}

bool pid_alive(int pid) {
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace

std::string Config::rp_node() const {
    for (const auto& c : cards)
        if (c.rp) return c.node;
    return "0/RP0/CPU0";
}

Config load_config(const std::string& state_dir, const std::string& os_override) {
    Config c;
    c.state_dir = state_dir;
    auto kv = parse_kv(read_file_or(state_dir + "/device.conf"));
    if (!os_override.empty()) kv["os"] = os_override;
    if (lower(kv["os"]) == "classic" || lower(kv["os"]) == "xr") {
        c.os = "classic";
        c.platform = "ASR9K Series";  // unless device.conf says otherwise
        c.version = "5.3.3";
    }
    auto str = [&](const char* k, std::string& dst) {
        if (kv.count(k)) dst = kv[k];
    };
    auto num = [&](const char* k, int& dst) {
        if (kv.count(k)) dst = static_cast<int>(to_long(kv[k], dst));
    };
    str("hostname", c.hostname);
    str("platform", c.platform);
    str("chassis_pid", c.chassis_pid);
    str("chassis_descr", c.chassis_descr);
    str("serial", c.serial);
    str("pkg_prefix", c.pkg_prefix);
    str("version", c.version);
    str("username", c.username);
    str("password", c.password);
    str("reload_command", c.reload_command);
    str("initial_packages", c.initial_packages);
    str("reload_patterns", c.reload_patterns);
    num("reload_seconds", c.reload_seconds);
    num("reload_delay", c.reload_delay);
    num("op_seconds", c.op_seconds);
    num("fetch_timeout", c.fetch_timeout);
    num("node_settle_seconds", c.node_settle_seconds);
    if (kv.count("async_messages")) c.async_messages = lower(kv["async_messages"]) != "no";
    if (kv.count("reload_reboots")) c.reload_reboots = lower(kv["reload_reboots"]) == "yes";
    apply_profile(c);
    return c;
}

// ---------------------------------------------------------------------------------------------
// Package names

std::string internal_name(const std::string& in) {
    std::string n = basename_of(in);
    // External engineering/production names carry the release after the extension
    // (ncs5500-mgbl-3.0.0.0-r601.x86_64.rpm-6.0.1, ncs5500-mini-x.iso-6.0.1): drop that tail.
    static const std::regex ext_tail(R"(^(.*)\.(rpm|iso|pkg|smu)-[0-9][0-9A-Za-z._]*$)");
    std::smatch m;
    if (std::regex_match(n, m, ext_tail)) {
        if (m[2] == "iso") return m[1].str() + "-" + n.substr(n.rfind('-') + 1);
        n = m[1].str() + "." + m[2].str();
    }
    for (const char* suffix : {".x86_64.rpm", ".rpm", ".iso", ".x86_64", ".tar"})
        if (ends_with(n, suffix)) return n.substr(0, n.size() - std::string(suffix).size());
    return n;
}

bool is_image_name(const std::string& name) {
    std::string n = lower(name);
    return n.find(".iso") != std::string::npos || n.find("-mini-x") != std::string::npos ||
           n.find("-full-x") != std::string::npos || n.find("-fullk9-x") != std::string::npos ||
           n.find("goldenk9") != std::string::npos;
}

std::string image_version_of(const std::string& name) {
    static const std::regex ver(R"((\d+\.\d+\.\d+(?:\.\d+[A-Za-z]?)?)(?:\.iso)?(?:\..*)?$)");
    std::smatch m;
    std::string n = basename_of(name);
    if (std::regex_search(n, m, ver)) return m[1];
    return "";
}

std::string rpm_release(const std::string& name) {
    static const std::regex rel(R"(-r(\d{3,4})[0-9A-Za-z]*(?:\.|$))");
    std::smatch m;
    if (std::regex_search(name, m, rel)) return m[1];
    return "";
}

std::string release_digits(const std::string& version) {
    std::string d;
    for (const auto& part : split(version, '.')) {
        if (d.size() >= 3) break;
        if (!part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) d += part;
    }
    return d;
}

std::string classic_internal_name(const std::string& in) {
    std::string n = basename_of(in);
    if (auto colon = n.find(':'); colon != std::string::npos) n = n.substr(colon + 1);
    static const std::regex external(R"(^(.*)\.pie-([0-9][0-9A-Za-z._]*)$)");
    std::smatch m;
    if (std::regex_match(n, m, external)) return m[1].str() + "-" + m[2].str();
    if (ends_with(n, ".pie")) {
        n = n.substr(0, n.size() - 4);
        // SMUs and service packs carry their own version on the device.
        static const std::regex smu(R"(\.(CSC[a-z]{2}[0-9]{5}|sp[0-9]*|fp[0-9]*)$)");
        if (std::regex_search(n, smu)) n += "-1.0.0";
        return n;
    }
    if (ends_with(n, ".tar")) return n.substr(0, n.size() - 4);
    return n;
}

std::string classic_release_of(const std::string& name) {
    static const std::regex ver(R"((\d+\.\d+\.\d+(?:\.\d+[A-Za-z]?)?))");
    std::smatch m;
    if (std::regex_search(name, m, ver)) return m[1];
    return "";
}

bool is_classic_image_name(const std::string& name) {
    return lower(name).find("-mini-") != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Db

Db::Lock::Lock(const std::string& dir) {
    fd_ = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ >= 0) flock(fd_, LOCK_EX);
}

Db::Lock::~Lock() {
    if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

Db::Db(const Config& cfg) : cfg_(cfg), dir_(cfg.state_dir) {}

void Db::init_factory() {
    for (const char* sub : {"/db", "/db/ops", "/repo", "/sessions", "/harddisk"})
        mkdirs(dir_ + sub, 0775);
    packages.clear();
    active.clear();
    Package img;
    img.name = cfg_.pkg_prefix + (cfg_.classic() ? "-mini-px-" : "-xr-") + cfg_.version;
    img.kind = "image";
    img.version = cfg_.version;
    img.reload = true;
    packages.push_back(img);
    active.push_back(img.name);
    for (auto name : split_ws(std::regex_replace(cfg_.initial_packages, std::regex(","), " "))) {
        Package p;
        p.name = cfg_.classic() ? classic_internal_name(name) : internal_name(name);
        p.kind = cfg_.classic() ? "pie" : "rpm";
        p.version = cfg_.classic() ? classic_release_of(p.name) : rpm_release(p.name);
        packages.push_back(p);
        active.push_back(p.name);
    }
    committed = active;
    next_op = 1;
    current_op = 0;
    boot_time = static_cast<long>(now_real()) - 3 * 3600 - 17 * 60;
    reload_until = 0;
    reloading = false;
    save();
    syslog("init", "%OS-INIT-7-MBI_STARTED : total time 5.914 seconds");
    syslog("instmgr", "%INSTALL-INSTMGR-6-INSTALL_BOOT_IMAGE : Booted with image " + img.name);
    syslog("ifmgr", "%PKT_INFRA-LINK-3-UPDOWN : Interface MgmtEth0/" + cfg_.rp_node() +
                        "/0, changed state to Up");
    syslog("ifmgr", "%PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface MgmtEth0/" +
                        cfg_.rp_node() + "/0, changed state to Up");
    syslog("config_mgr", "%MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'SYSTEM'.");
}

void Db::load() {
    if (!file_exists(dir_ + "/db/system")) {
        init_factory();
        return;
    }
    auto kv = parse_kv(read_file_or(dir_ + "/db/system"));
    next_op = static_cast<int>(to_long(kv["next_op"], 1));
    current_op = static_cast<int>(to_long(kv["current_op"], 0));
    boot_time = to_long(kv["boot_time"], 0);
    reload_until = to_long(kv["reload_until"], 0);
    has_pending = kv["has_pending"] == "1";
    reloading = kv["reloading"] == "1";
    packages.clear();
    for (const auto& line : read_lines(dir_ + "/db/packages")) {
        auto f = split(line, '\t');
        if (f.size() < 6) continue;
        Package p;
        p.name = f[0];
        p.file = f[1] == "-" ? "" : f[1];
        p.kind = f[2];
        p.version = f[3] == "-" ? "" : f[3];
        p.reload = f[4] == "1";
        p.add_op = static_cast<int>(to_long(f[5], 0));
        packages.push_back(p);
    }
    active = read_lines(dir_ + "/db/active");
    committed = read_lines(dir_ + "/db/committed");
    pending_active = read_lines(dir_ + "/db/pending");
}

void Db::save() {
    std::string sys = "next_op=" + std::to_string(next_op) + "\n" +
                      "current_op=" + std::to_string(current_op) + "\n" +
                      "boot_time=" + std::to_string(boot_time) + "\n" +
                      "reload_until=" + std::to_string(reload_until) + "\n" +
                      "has_pending=" + (has_pending ? "1" : "0") + "\n" +
                      "reloading=" + (reloading ? "1" : "0") + "\n";
    std::string pk;
    for (const auto& p : packages)
        pk += p.name + "\t" + (p.file.empty() ? "-" : p.file) + "\t" + p.kind + "\t" +
              (p.version.empty() ? "-" : p.version) + "\t" + (p.reload ? "1" : "0") + "\t" +
              std::to_string(p.add_op) + "\n";
    write_file(dir_ + "/db/packages", pk, 0664);
    write_file(dir_ + "/db/active", lines_of(active), 0664);
    write_file(dir_ + "/db/committed", lines_of(committed), 0664);
    write_file(dir_ + "/db/pending", lines_of(pending_active), 0664);
    write_file(dir_ + "/db/system", sys, 0664);  // last: its presence marks an initialised db
}

Package* Db::find(const std::string& name) {
    for (auto& p : packages)
        if (p.name == name) return &p;
    return nullptr;
}

bool Db::is_active(const std::string& n) const {
    for (const auto& a : active)
        if (a == n) return true;
    return false;
}

bool Db::is_committed(const std::string& n) const {
    for (const auto& a : committed)
        if (a == n) return true;
    return false;
}

std::string Db::image_version() const {
    for (const auto& p : packages)
        if (p.kind == "image" && is_active(p.name)) return p.version;
    return cfg_.version;
}

Op Db::load_op(int id) const {
    Op op;
    auto kv = parse_kv(read_file_or(dir_ + "/db/ops/" + std::to_string(id) + ".meta"));
    if (kv.empty()) return op;
    op.id = id;
    op.kind = kv["kind"];
    op.user = kv["user"];
    op.command = kv["command"];
    op.status = kv["status"];
    op.percent = static_cast<int>(to_long(kv["percent"], 0));
    op.start = to_long(kv["start"], 0);
    op.end = to_long(kv["end"], 0);
    op.worker_pid = static_cast<int>(to_long(kv["worker_pid"], 0));
    op.reload = kv["reload"] == "1";
    for (const auto& p : split(kv["packages"], ' '))
        if (!p.empty()) op.packages.push_back(p);
    return op;
}

void Db::save_op(const Op& op) const {
    std::string s = "kind=" + op.kind + "\nuser=" + op.user + "\ncommand=" + op.command +
                    "\nstatus=" + op.status + "\npercent=" + std::to_string(op.percent) +
                    "\nstart=" + std::to_string(op.start) + "\nend=" + std::to_string(op.end) +
                    "\nworker_pid=" + std::to_string(op.worker_pid) +
                    "\nreload=" + (op.reload ? "1" : "0") + "\npackages=" + join(op.packages, " ") +
                    "\n";
    write_file(dir_ + "/db/ops/" + std::to_string(op.id) + ".meta", s, 0664);
}

std::vector<int> Db::op_ids() const {
    std::vector<int> ids;
    for (const auto& f : list_dir(dir_ + "/db/ops"))
        if (ends_with(f, ".meta"))
            ids.push_back(static_cast<int>(to_long(f.substr(0, f.size() - 5), 0)));
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<std::string> Db::op_log(int id) const {
    return split(read_file_or(dir_ + "/db/ops/" + std::to_string(id) + ".log"), '\n');
}

void Db::log(int id, const std::string& text, bool detail_only, bool stamped) const {
    std::string stamp = stamped ? ts_install(static_cast<time_t>(now_real())) : "";
    append_file(dir_ + "/db/ops/" + std::to_string(id) + ".log",
                std::string(detail_only ? "D" : "N") + "\t" + stamp + "\t" + text + "\n");
}

void Db::syslog(const std::string& process, const std::string& msg) const {
    unsigned pid = 1000;
    for (char c : process) pid = pid * 31 + static_cast<unsigned char>(c);
    pid = 1000 + pid % 9000;
    append_file(dir_ + "/db/syslog", "RP/" + cfg_.rp_node() + ":" + ts_syslog(now_real()) + ": " +
                                         process + "[" + std::to_string(pid) + "]: " + msg + "\n");
}

bool Db::op_stale(const Op& op) const {
    if (op.status != "running") return false;
    if (op.worker_pid > 0) return !pid_alive(op.worker_pid);
    return now_real() - static_cast<double>(op.start) > 30;  // worker never reported in
}

// ---------------------------------------------------------------------------------------------
// Sessions

void register_session(const std::string& dir, const std::string& user, const std::string& line) {
    mkdirs(dir + "/sessions", 0775);
    std::string from;
    if (const char* c = getenv("SSH_CONNECTION")) from = split_ws(c).empty() ? "" : split_ws(c)[0];
    write_file(dir + "/sessions/" + std::to_string(getpid()),
               user + "\n" + line + "\n" + from + "\n" +
                   std::to_string(static_cast<long>(now_real())) + "\n",
               0664);
}

void unregister_session(const std::string& dir) {
    ::unlink((dir + "/sessions/" + std::to_string(getpid())).c_str());
}

std::vector<SessionInfo> live_sessions(const std::string& dir) {
    std::vector<SessionInfo> out;
    for (const auto& f : list_dir(dir + "/sessions")) {
        int pid = static_cast<int>(to_long(f, 0));
        std::string path = dir + "/sessions/" + f;
        if (pid <= 0) continue;
        if (!pid_alive(pid)) {
            ::unlink(path.c_str());
            continue;
        }
        auto l = split(read_file_or(path), '\n');
        l.resize(4);
        out.push_back({pid, l[0], l[1], l[2], to_long(l[3], 0)});
    }
    return out;
}

}  // namespace xr
