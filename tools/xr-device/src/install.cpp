#include "install.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "classic.h"
#include "fetch.h"
#include "ops.h"
#include "show.h"
#include "util.h"

namespace xr {

// The helpers of ops.h (shared with classic_install.cpp).
long now_s() {
    return static_cast<long>(now_real());
}
void pause_s(double secs) {
    if (secs > 0) usleep(static_cast<useconds_t>(secs * 1e6));
}

void set_percent(Db& db, int id, int pct) {
    Db::Lock lock(db.dir());
    Op op = db.load_op(id);
    op.percent = pct;
    db.save_op(op);
}

void spawn_detached(const std::string& dir, int op_id, std::function<void()> fn) {
    pid_t p = fork();
    if (p == 0) {
        setsid();
        if (fork() == 0) {
            int nul = ::open("/dev/null", O_RDWR);
            dup2(nul, 0);
            dup2(nul, 1);
            dup2(nul, 2);
            if (nul > 2) ::close(nul);
            signal(SIGHUP, SIG_IGN);
            signal(SIGPIPE, SIG_IGN);
            if (op_id) {
                Db::Lock lock(dir);
                Config dummy;
                dummy.state_dir = dir;
                Db db(dummy);
                Op op = db.load_op(op_id);
                op.worker_pid = getpid();
                db.save_op(op);
            }
            fn();
            _exit(0);
        }
        _exit(0);
    }
    if (p > 0) waitpid(p, nullptr, 0);
}

bool yes(const std::string& answer, bool empty_is_yes) {
    std::string a = lower(trim(answer));
    return (a.empty() && empty_is_yes) || a == "y" || a == "yes";
}

bool matches_reload_pattern(const Config& c, const std::string& name) {
    for (const auto& pat : split(c.reload_patterns, ','))
        if (!trim(pat).empty() && name.find(trim(pat)) != std::string::npos) return true;
    return false;
}

Op start_op(Session& s,
            const std::string& kind,
            const std::string& command,
            int& busy,
            const std::function<void(const Op&)>& log_aborted) {
    Db& db = s.db;
    db.load();
    if (db.current_op) {
        Op cur = db.load_op(db.current_op);
        if (cur.status == "running" && !db.op_stale(cur)) {
            busy = cur.id;
            return Op{};
        }
        if (cur.status == "running") {  // its worker died: the operation can never finish
            cur.status = "aborted";
            cur.end = now_s();
            db.save_op(cur);
            log_aborted(cur);
        }
    }
    Op op;
    op.id = db.next_op++;
    op.kind = kind;
    op.user = s.user;
    op.command = command;
    op.start = now_s();
    db.current_op = op.id;
    db.save();
    db.save_op(op);
    return op;
}

void end_op(Db& db, int id, bool ok, long t) {
    Db::Lock lock(db.dir());
    db.load();
    Op op = db.load_op(id);
    op.status = ok ? "success" : "aborted";
    op.end = t;
    if (ok) op.percent = 100;
    db.save_op(op);
    if (db.current_op == id) db.current_op = 0;
    db.save();
}

namespace {

// A refusal text with its "%s" replaced by word.
std::string fill(const std::string& text, const std::string& word) {
    auto at = text.find("%s");
    return at == std::string::npos ? text : text.substr(0, at) + word + text.substr(at + 2);
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// The active set after activating (or deactivating) pkgs.
std::vector<std::string> next_active(Db& db,
                                     const std::vector<std::string>& pkgs,
                                     bool deactivate,
                                     const Releases& releases) {
    std::vector<std::string> set;
    if (deactivate) {
        for (const auto& a : db.active)
            if (!contains(pkgs, a)) set.push_back(a);
        return set;
    }
    std::string new_rel;
    for (const auto& n : pkgs)
        if (auto* p = db.find(n); p && p->kind == "image") new_rel = releases.of(*p);
    for (const auto& a : db.active) {
        auto* p = db.find(a);
        if (!new_rel.empty() && p) {
            if (p->kind == "image") continue;
            std::string rel = releases.of(*p);
            if (!rel.empty() && rel != new_rel && !contains(pkgs, a)) continue;
        }
        bool replaced = false;
        for (const auto& n : pkgs)
            replaced = replaced || (releases.replaces && releases.replaces(n, a));
        if (!replaced) set.push_back(a);
    }
    for (const auto& n : pkgs)
        if (!contains(set, n)) set.push_back(n);
    return set;
}

}  // namespace

std::vector<std::string> named_packages(Session& s,
                                        const std::vector<std::string>& words,
                                        const Naming& naming,
                                        std::string& error) {
    bool by_id = !words.empty() && lower(words[0]) == "id";
    std::vector<std::string> pkgs;
    for (size_t i = by_id ? 1 : 0; i < words.size(); ++i) {
        const auto& w = words[i];
        if (by_id) {
            Op add = s.db.load_op(static_cast<int>(to_long(w, 0)));
            if (add.id == 0 || add.kind != "add" ||
                (naming.completed_only && add.status != "success")) {
                error = fill(naming.not_add_op, w);
                break;
            }
            for (const auto& n : add.packages)
                if (s.db.find(n)) pkgs.push_back(n);
            continue;
        }
        const Package* p = naming.find(s, w);
        if (!p) {
            error = fill(naming.not_found, w);
            break;
        }
        pkgs.push_back(p->name);
    }
    return pkgs;
}

std::string activation_refusal(Db& db,
                               const std::vector<std::string>& pkgs,
                               bool deactivate,
                               const Naming& naming,
                               bool& reload) {
    std::string error;
    for (size_t i = 0; error.empty() && i < pkgs.size(); ++i) {
        const Package* p = db.find(pkgs[i]);
        bool active = db.is_active(p->name);
        if (!deactivate && active) error = fill(naming.already_active, p->name);
        if (deactivate && !active) error = fill(naming.not_active, p->name);
        if (deactivate && p->kind == "image") error = fill(naming.boot_image, p->name);
        reload = reload || p->reload;
    }
    return error;
}

std::string removal_refusal(const Db& db,
                            const std::vector<std::string>& pkgs,
                            const Naming& naming) {
    for (const auto& n : pkgs) {
        if (db.is_active(n)) return fill(naming.active, n);
        if (db.is_committed(n)) return fill(naming.committed, n);
    }
    return "";
}

void activation_progress(const Config& cfg, Db& db, int id) {
    for (int k = 1; k <= 4; ++k) {
        set_percent(db, id, k * 20);
        pause_s(cfg.op_seconds / 4.0);
    }
}

void set_active(Db& db,
                const std::vector<std::string>& pkgs,
                bool deactivate,
                bool reload,
                const Releases& releases) {
    Db::Lock lock(db.dir());
    db.load();
    auto set = next_active(db, pkgs, deactivate, releases);
    if (reload) {
        db.pending_active = set;  // becomes the running software when the system reloads
        db.has_pending = true;
    } else {
        db.active = set;
    }
    db.save();
}

std::vector<std::string> remove_packages(Db& db, const std::function<bool(const Package&)>& goes) {
    std::vector<std::string> removed;
    Db::Lock lock(db.dir());
    db.load();
    std::vector<Package> keep;
    for (const auto& p : db.packages) {
        if (!goes(p)) {
            keep.push_back(p);
            continue;
        }
        removed.push_back(p.name);
        if (!p.file.empty()) ::unlink((db.repo_dir() + "/" + p.file).c_str());
    }
    db.packages = keep;
    db.save();
    return removed;
}

void commit_active(Db& db) {
    Db::Lock lock(db.dir());
    db.load();
    db.committed = db.active;
    db.save();
}

namespace {

std::string num(int v) {
    return std::to_string(v);
}

// Prints an install message to the session and records it in the operation's log, so that
// "show install log N" later shows the same lines.
void say(Session& s, int id, const std::string& text, bool stamped = true) {
    s.db.log(id, text, false, stamped);
    s.print((stamped ? ts_install(now_s()) + " " : "") + text + "\n");
    s.flush();
}

// Allocates the next operation id unless another operation is still running.
int begin_op(Session& s, const std::string& kind, const std::string& command) {
    Db::Lock lock(s.db.dir());
    int busy = 0;
    Op op = start_op(s, kind, command, busy, [&s](const Op& cur) {
        s.db.log(cur.id, "Install operation " + num(cur.id) + " aborted");
    });
    if (!op.id) {
        s.print("Could not start this install operation. Install operation " + num(busy) +
                " is still in progress\n");
        return 0;
    }
    say(s, op.id, "Install operation " + num(op.id) + " started by " + s.user + ":");
    say(s, op.id, "  " + command, false);
    return op.id;
}

// Ends an operation; returns the log lines it wrote (the session may print them too).
std::vector<std::string> finish_op(Db& db, int id, bool ok, const std::string& error) {
    end_op(db, id, ok, now_s());
    std::vector<std::string> lines;
    if (!error.empty()) lines.push_back("Error:    " + error);
    lines.push_back("Install operation " + num(id) + (ok ? " finished successfully" : " aborted"));
    for (const auto& l : lines) db.log(id, l);
    db.log(id, "Ending operation " + num(id), true);
    db.syslog("sdr_instmgr", ok ? "%INSTALL-INSTMGR-2-OPERATION_SUCCESS : Install operation " +
                                      num(id) + " finished successfully"
                                : "%INSTALL-INSTMGR-3-OPERATION_ABORTED : Install operation " +
                                      num(id) + " aborted");
    return lines;
}

void abort_now(Session& s, int id, const std::string& error) {
    for (const auto& l : finish_op(s.db, id, false, error))
        s.print(ts_install(now_s()) + " " + l + "\n");
    s.flush();
}

// Hands the operation to a detached worker; the session hears of its end later (poll_events).
void go_background(Session& s, int id, std::function<void()> work) {
    say(s, id, "Install operation will continue in the background");
    s.my_ops.push_back(id);
    spawn_detached(s.db.dir(), id, std::move(work));
}

// Finds a package by what a user typed: internal name, file name, external name, or for
// images also the <prefix>-xr-<ver> / <prefix>-sysadmin-<ver> names the lists show.
const Package* resolve(Session& s, const std::string& typed) {
    std::string n = internal_name(typed);
    for (const auto& p : s.db.packages)
        if (p.name == n || p.file == typed || display_name(s.cfg, p, false) == n ||
            display_name(s.cfg, p, true) == n)
            return &p;
    return nullptr;
}

// Naming's fields, in order.
const Naming kNaming = {
    resolve,
    true,  // completed_only
    "Install operation %s is not a completed install add operation",
    "Package %s is not present in the software repository",
    "Package %s is already active",
    "Package %s is not active",
    "Cannot deactivate the boot image %s",
    "Package %s is active and cannot be removed",
    "Package %s is part of the committed software and cannot be removed",
};

// Activating an image replaces the running image and drops the active rpms of other releases
// (compared by the first three digits of their release tags).
const Releases kReleases = {
    [](const Package& p) {
        return p.kind == "image" ? release_digits(p.version) : rpm_release(p.name).substr(0, 3);
    },
    nullptr,
};

const std::vector<std::string> kKnownPrefixes = {"asr9k",  "ncs1k",  "ncs4k", "ncs5k", "ncs5500",
                                                 "ncs540", "ncs560", "ncs6k", "xrv9k", "iosxrv"};

void add_worker(Config cfg, Source src, std::vector<std::string> files, int id) {
    AddRules r;
    r.copying = [&](Db& db, const std::string& f) {
        db.log(id, "Action 1: install add action, copying " + f + " from " + src.shown, true);
    };
    r.copy_failed = [&](const std::string& f, const std::string& err) {
        return "Failed to copy " + f + " from " + src.shown + ": " + err;
    };
    r.unpack_failed = [](const std::string& f, const std::string& err) {
        return "Failed to unpack " + f + ": " + err;
    };
    r.describe = [&](Package& p) -> std::string {
        p.name = internal_name(p.file);
        if (other_platform(cfg, p.name, kKnownPrefixes))
            return "Package " + p.file + " is not supported on platform " + cfg.platform;
        p.kind = is_image_name(p.file) ? "image" : "rpm";
        if (p.version.empty())
            p.version = p.kind == "image" ? image_version_of(p.file) : rpm_release(p.name);
        if (p.kind == "image" && p.version.empty())
            return "Unable to determine the release of image " + p.file;
        return "";
    };
    r.added = [&](Db& db, const std::vector<std::string>& names) {
        db.log(id, "Packages added:");
        for (const auto& n : names) db.log(id, "    " + n);
    };
    r.finish = [&](Db& db, bool ok, const std::string& error) { finish_op(db, id, ok, error); };
    add_files(cfg, src, files, id, r);
}

void activate_worker(
    Config cfg, std::vector<std::string> pkgs, bool deactivate, bool reload, int id) {
    Db db(cfg);
    activation_progress(cfg, db, id);
    set_active(db, pkgs, deactivate, reload, kReleases);
    if (reload) db.log(id, "The system will reload to complete the operation", true);
    finish_op(db, id, true, "");
    if (!reload) return;
    pause_s(cfg.reload_delay);
    do_reload(cfg);
}

void remove_worker(Config cfg, std::vector<std::string> pkgs, bool all_inactive, int id) {
    Db db(cfg);
    pause_s(cfg.op_seconds / 2.0);
    std::vector<std::string> skipped;
    auto removed = remove_packages(db, [&](const Package& p) {
        bool inactive = all_inactive && !db.is_active(p.name);
        if (inactive && db.is_committed(p.name)) skipped.push_back(p.name);
        return (inactive && !db.is_committed(p.name)) || contains(pkgs, p.name);
    });
    if (!skipped.empty())
        db.log(id, "Skipped inactive package(s) that are part of the committed software: " +
                       join(skipped, " "));
    if (removed.empty())
        return static_cast<void>(
            finish_op(db, id, false, "No inactive package(s) in software repository"));
    db.log(id, "Package list:");
    for (const auto& n : removed) db.log(id, "    " + n);
    finish_op(db, id, true, "");
}

}  // namespace

void install_add(Session& s, const std::string& source, const std::vector<std::string>& files) {
    Source src;
    std::string err;
    bool ok = parse_source(s.cfg, source, src, err);
    int id = begin_op(s, "add",
                      "install add source " + (ok ? src.shown : source) + " " + join(files, " "));
    if (!id) return s.flush();
    if (!ok) return abort_now(s, id, err);
    ask_password(s, src);
    Config cfg = s.cfg;
    go_background(s, id, [cfg, src, files, id] { add_worker(cfg, src, files, id); });
}

void install_activate(Session& s, const std::vector<std::string>& args, bool deactivate) {
    std::string verb = deactivate ? "deactivate" : "activate";
    bool by_id = !args.empty() && args[0] == "id";
    std::vector<std::string> words(args.begin() + (by_id ? 1 : 0), args.end());
    int id = begin_op(s, verb, "install " + verb + (by_id ? " id " : " pkg ") + join(words, " "));
    if (!id) return s.flush();
    std::vector<std::string> pkgs;
    bool reload = false;
    std::string error;
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        pkgs = named_packages(s, args, kNaming, error);
        if (error.empty()) error = activation_refusal(s.db, pkgs, deactivate, kNaming, reload);
        if (error.empty() && pkgs.empty()) error = "No packages to " + verb;
    }
    if (!pkgs.empty()) {
        say(s, id, "Package list:");
        for (const auto& n : pkgs) say(s, id, "    " + n);
    }
    if (!error.empty()) return abort_now(s, id, error);
    if (reload) {
        std::string answer;
        s.ask("\nThis install operation will reload the system, continue?\n [yes/no]:[yes] ",
              answer);
        if (!yes(answer, true)) return abort_now(s, id, "Install operation cancelled by user");
    }
    Config cfg = s.cfg;
    go_background(s, id, [cfg, pkgs, deactivate, reload, id] {
        activate_worker(cfg, pkgs, deactivate, reload, id);
    });
}

void install_remove(Session& s, const std::vector<std::string>& args) {
    bool by_id = !args.empty() && args[0] == "id";
    std::vector<std::string> words(args.begin() + (by_id ? 1 : 0), args.end());
    int id = begin_op(s, "remove",
                      "install remove " + std::string(by_id ? "id " : "") + join(words, " "));
    if (!id) return s.flush();
    std::vector<std::string> pkgs;
    std::string error;
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        Naming naming = kNaming;
        naming.completed_only = false;
        naming.not_add_op = "Install operation %s is not an install add operation";
        pkgs = named_packages(s, args, naming, error);
        if (error.empty()) error = removal_refusal(s.db, pkgs, naming);
    }
    say(s, id, "Package list:");
    for (const auto& n : pkgs) say(s, id, "    " + n);
    if (!error.empty()) return abort_now(s, id, error);
    Config cfg = s.cfg;
    go_background(s, id, [cfg, pkgs, id] { remove_worker(cfg, pkgs, false, id); });
}

void install_remove_inactive(Session& s) {
    int id = begin_op(s, "remove", "install remove inactive all");
    if (!id) return s.flush();
    Config cfg = s.cfg;
    go_background(s, id, [cfg, id] { remove_worker(cfg, {}, true, id); });
}

void install_commit(Session& s) {
    int id = begin_op(s, "commit", "install commit");
    if (!id) return s.flush();
    Config cfg = s.cfg;
    go_background(s, id, [cfg, id] {
        Db db(cfg);
        pause_s(cfg.op_seconds / 2.0);
        commit_active(db);
        finish_op(db, id, true, "");
    });
}

namespace {

// The software a reload boots: the pending activation if there is one, otherwise the committed
// set (uncommitted changes revert). An operation still marked running never completes; its
// worker is killed when kill_worker (a reload of this boot), not after a real restart (its pid
// belongs to the previous boot). Call with the lock held and the db loaded.
void reload_software(Db& db, const Config& c, bool kill_worker) {
    if (db.has_pending) {
        db.active = db.pending_active;
    } else if (db.active != db.committed) {
        db.syslog("sdr_instmgr",
                  "%INSTALL-INSTMGR-4-ACTIVE_SOFTWARE_REVERTED : Uncommitted "
                  "software changes reverted to the committed software");
        db.active = db.committed;
    }
    db.pending_active.clear();
    db.has_pending = false;
    if (db.current_op) {  // an operation cut by the reload never completes
        Op op = db.load_op(db.current_op);
        if (op.status == "running") {
            if (kill_worker && op.worker_pid > 0 && op.worker_pid != getpid())
                kill(op.worker_pid, SIGKILL);
            op.status = "aborted";
            op.end = now_s();
            db.save_op(op);
            if (c.classic())  // the classic log: no stamp, `failed at <time>.`
                db.log(op.id, classic_end_line(op.id, false, op.end), false, false);
            else
                db.log(op.id, "Install operation " + num(op.id) + " aborted");
        }
        db.current_op = 0;
    }
}

void log_booted(const Db& db, const Config& c) {
    db.syslog("instmgr", "%INSTALL-INSTMGR-6-INSTALL_BOOT_IMAGE : System booted with " +
                             c.pkg_prefix + (c.classic() ? "-mini-px-" : "-xr-") +
                             db.image_version());
}

}  // namespace

void do_reload(const Config& c) {
    Db db(c);
    {
        Db::Lock lock(db.dir());
        db.load();
        reload_software(db, c, true);
        db.reload_until = now_s() + c.reload_seconds;
        db.boot_time = db.reload_until;
        db.reloading = true;
        db.save();
    }
    db.syslog("shelfmgr", "%PLATFORM-SHELFMGR-6-USER_RESET : Node " + c.rp_node() +
                              " is reset due to reload request");
    pause_s(1.5);  // sessions notice the new boot time and say goodbye themselves
    for (const auto& sess : live_sessions(c.state_dir))
        if (sess.pid != getpid()) kill(sess.pid, SIGTERM);
    if (!c.reload_command.empty()) {
        pid_t p = fork();
        if (p == 0) {
            setenv("XR_RELOAD_SECONDS", std::to_string(c.reload_seconds).c_str(), 1);
            setenv("XR_DEVICE_STATE", c.state_dir.c_str(), 1);
            setenv("XR_HOSTNAME", c.hostname.c_str(), 1);
            execl("/bin/sh", "sh", "-c", c.reload_command.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        if (p > 0) waitpid(p, nullptr, 0);
    }
    // A reload_command that reboots the machine (and does not return before the reboot) never
    // gets here: the boot_device of the next boot ends that reload.
    log_booted(db, c);
}

void boot_device(const Config& c) {
    Db db(c);
    Db::Lock lock(db.dir());
    if (!file_exists(db.dir() + "/db/system")) {
        db.load();  // the first boot: the factory state
        return;
    }
    db.load();
    long now = now_s();
    if (db.reloading) {
        // The reload ran before the machine went down: its software is in place. The device stays
        // down until the end of its reload window if the boot was quicker.
        db.reloading = false;
        db.boot_time = std::max(now, db.reload_until);
    } else {
        // A restart no reload asked for (power cycle, reset): boots like any other reload.
        reload_software(db, c, false);
        db.syslog("shelfmgr", "%PLATFORM-SHELFMGR-6-USER_RESET : Node " + c.rp_node() +
                                  " is reset due to a power cycle");
        db.reload_until = now;
        db.boot_time = now;
    }
    db.save();
    // The sessions of the previous boot are gone; their pids may be reused by now.
    for (const auto& f : list_dir(db.dir() + "/sessions")) ::unlink((db.dir() + "/sessions/" + f).c_str());
    log_booted(db, c);
}

void reload_device(Session& s, bool hw_module) {
    std::string answer;
    if (hw_module) {
        s.ask("Reload hardware module ? [no,yes] ", answer);
        if (!yes(answer, false)) return;
        s.print("result Card graceful reload request on all acknowledged.\n");
    } else {
        s.ask("Proceed with reload? [confirm]", answer);
        if (!yes(answer, true)) return;
    }
    s.flush();
    Config cfg = s.cfg;
    spawn_detached(s.db.dir(), 0, [cfg] { do_reload(cfg); });
    for (int i = 0; i < 50 && poll_events(s); ++i) usleep(100000);
    s.done = true;
}

}  // namespace xr
