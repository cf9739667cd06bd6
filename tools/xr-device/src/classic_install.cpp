// Install operations of classic IOS XR: `admin install add source ... async`, `admin install
// activate|deactivate ... prompt-level none async`, `admin install remove ...|inactive`,
// `admin install commit`. The package database, the background worker and the reload are the
// ones of the IOS XR 64-bit mode (state.h, ops.h, install.h); the texts are classic XR's.
//
// An operation's log (db/ops/N.log) holds lines "TAG<tab><tab>TEXT": N = printed by the
// session (the install logs), A = written by the worker (install logs, and printed to the session
// that started an async operation when it ends), D = only in `show install log N detail` (the
// `Packages added:` / `Package list:` blocks).
#include <unistd.h>

#include <algorithm>

#include "classic.h"
#include "fetch.h"
#include "install.h"
#include "ops.h"
#include "util.h"

namespace xr {

std::string classic_ts(time_t t) {
    struct tm tmv;
    gmtime_r(&t, &tmv);
    char buf[64];
    strftime(buf, sizeof buf, "%H:%M:%S UTC %a %b %d %Y", &tmv);
    return buf;
}

std::string classic_end_line(int id, bool ok, time_t t) {
    return "Install operation " + std::to_string(id) +
           (ok ? " completed successfully at " : " failed at ") + classic_ts(t) + ".";
}

std::string classic_disk_name(const std::string& name) {
    return "disk0:" + name;
}

namespace {

using Words = std::vector<std::string>;

std::string num(int v) {
    return std::to_string(v);
}

void clog(const Db& db, int id, char tag, const std::string& text) {
    append_file(db.dir() + "/db/ops/" + num(id) + ".log",
                std::string(1, tag) + "\t\t" + text + "\n");
}

// Prints a line and keeps it in the operation's install logs.
void say(Session& s, int id, const std::string& text) {
    clog(s.db, id, 'N', text);
    s.print(text + "\n");
}

struct Options {
    bool async = false;
    std::string prompt_level = "default";
    Words packages;  // what is left: package names, or "id" and operation ids
};

Options parse_options(const Words& words) {
    Options o;
    for (size_t i = 0; i < words.size(); ++i) {
        std::string w = lower(words[i]);
        if (w == "async" || w == "asynchronous") {
            o.async = true;
        } else if (w == "sync" || w == "synchronous") {
            o.async = false;
        } else if (w == "prompt-level" && i + 1 < words.size()) {
            o.prompt_level = lower(words[++i]);
        } else if ((w == "pause" || w == "location" || w == "auto-abort-timer") &&
                   i + 1 < words.size()) {
            ++i;
        } else if (w != "parallel-reload" && w != "test") {
            o.packages.push_back(words[i]);
        }
    }
    return o;
}

// Starts operation `kind` unless another one runs; prints its started line. 0 when refused.
int begin(Session& s, const std::string& kind, const std::string& command) {
    Db::Lock lock(s.db.dir());
    s.db.load();
    if (s.db.current_op) {
        Op cur = s.db.load_op(s.db.current_op);
        if (cur.status == "running" && !s.db.op_stale(cur)) {
            s.print(
                "Error:    Cannot proceed with the operation as another install command is\n"
                "Error:    currently in operation.\n"
                "Error:    Suggested steps to resolve this:\n"
                "Error:     - use 'show install request' to see the state of the current install\n"
                "Error:       operation.\n"
                "Error:     - re-issue the command when the current operation has completed.\n");
            return 0;
        }
        if (cur.status == "running") {  // its worker died: the operation can never finish
            cur.status = "aborted";
            cur.end = now_s();
            s.db.save_op(cur);
            clog(s.db, cur.id, 'A', classic_end_line(cur.id, false, cur.end));
        }
    }
    Op op;
    op.id = s.db.next_op++;
    op.kind = kind;
    op.user = s.user;
    op.command = command;
    op.start = now_s();
    s.db.current_op = op.id;
    s.db.save();
    s.db.save_op(op);
    say(s, op.id,
        "Install operation " + num(op.id) + " '" + command + "' started by user '" + s.user +
            "' via CLI at " + classic_ts(op.start) + ".");
    return op.id;
}

// Ends an operation: its Error lines and its last line, logged with `tag`; returns them.
std::vector<std::string> finish(Db& db, int id, bool ok, const Words& errors, char tag) {
    time_t t = now_s();
    {
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
    std::vector<std::string> lines;
    for (const auto& e : errors) lines.push_back("Error:    " + e);
    lines.push_back(classic_end_line(id, ok, t));
    for (const auto& l : lines) clog(db, id, tag, l);
    db.syslog("instmgr", ok ? "%INSTALL-INSTMGR-6-INSTALL_OPERATION_COMPLETED_SUCCESSFULLY : "
                              "Install operation " +
                                  num(id) + " completed successfully"
                            : "%INSTALL-INSTMGR-3-INSTALL_OPERATION_FAILED : Install operation " +
                                  num(id) + " failed");
    return lines;
}

// A check before the background part failed: the operation fails at once.
void fail_now(Session& s, int id, const Words& errors) {
    for (const auto& l : finish(s.db, id, false, errors, 'N')) s.print(l + "\n");
    s.flush();
}

// Hands the operation to a detached worker. async: the session gets its prompt back and hears of
// the end later (poll_events); otherwise it waits and prints the worker's lines.
void go_background(Session& s, int id, bool async, std::function<void()> work) {
    if (async) s.print("The install operation will continue asynchronously.\n");
    s.flush();
    spawn_detached(s.db.dir(), id, std::move(work));
    if (async) {
        s.my_ops.push_back(id);
        return;
    }
    std::string end;
    while ((end = classic_end_text(s, id)).empty()) usleep(200000);
    s.print(end);
}

const Package* resolve(Session& s, const std::string& typed) {
    std::string n = classic_internal_name(typed);
    for (const auto& p : s.db.packages)
        if (p.name == n || (!p.file.empty() && p.file == basename_of(typed))) return &p;
    return nullptr;
}

// The packages `words` name (names, files, disk0:names, or "id" + install add operations).
Words packages_of(Session& s, const Words& words, std::string& error) {
    Words pkgs;
    bool by_id = !words.empty() && lower(words[0]) == "id";
    for (size_t i = by_id ? 1 : 0; i < words.size() && error.empty(); ++i) {
        const auto& w = words[i];
        if (by_id) {
            Op add = s.db.load_op(static_cast<int>(to_long(w, 0)));
            if (add.id == 0 || add.kind != "add" || add.status != "success") {
                error = "Install operation " + w + " is not a completed install add operation.";
                break;
            }
            for (const auto& n : add.packages)
                if (s.db.find(n)) pkgs.push_back(n);
            continue;
        }
        const Package* p = resolve(s, w);
        if (!p) {
            error = "The package '" + w + "' could not be found on the router.";
            break;
        }
        pkgs.push_back(p->name);
    }
    if (error.empty() && pkgs.empty()) error = "No packages were specified.";
    return pkgs;
}

void info_list(Session& s, int id, const std::string& head, const Words& pkgs) {
    say(s, id, "Info:     " + head);
    for (const auto& n : pkgs) say(s, id, "Info:         " + classic_disk_name(n));
}

void detail_list(const Db& db, int id, const std::string& head, const Words& pkgs) {
    clog(db, id, 'D', head);
    for (const auto& n : pkgs) clog(db, id, 'D', "    " + classic_disk_name(n));
}

const char* kPlatformPrefixes[] = {"asr9k", "hfr",   "c12k",   "iosxrv", "xrv9k",   "ncs1k",
                                   "ncs4k", "ncs5k", "ncs540", "ncs560", "ncs5500", "ncs6k"};

void add_worker(Config cfg, Source src, Words files, int id) {
    Db db(cfg);
    auto fail = [&](const std::string& e) { finish(db, id, false, {e}, 'A'); };
    double step = static_cast<double>(cfg.op_seconds) / static_cast<double>(files.size() + 1);
    Words got;
    for (size_t i = 0; i < files.size(); ++i) {
        set_percent(db, id, static_cast<int>(5 + 85 * i / files.size()));
        std::string base = basename_of(files[i]), err;
        if (!fetch_file(cfg, src, files[i], db.repo_dir() + "/" + base, err))
            return fail("Cannot copy file '" + base + "' from '" + src.shown + "': " + err);
        got.push_back(base);
        pause_s(step);
    }
    Words pkgfiles;
    for (const auto& f : got) {
        if (!ends_with(f, ".tar")) {
            pkgfiles.push_back(f);
            continue;
        }
        std::string err;
        auto members = untar(db.repo_dir() + "/" + f, db.repo_dir(), err);
        ::unlink((db.repo_dir() + "/" + f).c_str());
        for (const auto& m : members) {  // pies only: no turboboot .vm, no readme
            if (m.find(".pie") != std::string::npos && m.find(".vm") == std::string::npos)
                pkgfiles.push_back(m);
            else
                ::unlink((db.repo_dir() + "/" + m).c_str());
        }
        if (members.empty()) return fail("Cannot unpack '" + f + "': " + err);
    }
    std::vector<Package> found;
    for (const auto& f : pkgfiles) {
        Package p;
        p.file = f;
        p.name = classic_internal_name(f);
        if (ends_with(f, ".rpm") || ends_with(f, ".iso"))
            return fail("The file '" + f + "' is not a valid package for this platform.");
        for (const char* pre : kPlatformPrefixes)
            if (starts_with(p.name, std::string(pre) + "-") && pre != cfg.pkg_prefix &&
                !starts_with(p.name, cfg.pkg_prefix + "-"))
                return fail("Package '" + f + "' is not supported on platform " + cfg.platform);
        std::string path = db.repo_dir() + "/" + f;
        p.kind = is_classic_image_name(p.name) ? "image" : "pie";
        p.version = package_attr(path, "version");
        if (p.version.empty()) p.version = classic_release_of(p.name);
        if (p.kind == "image" && p.version.empty())
            return fail("Unable to determine the release of package '" + f + "'");
        std::string r = lower(package_attr(path, "reload"));
        p.reload = p.kind == "image" || r == "yes" || r == "true" || r == "1" ||
                   matches_reload_pattern(cfg, p.name);
        p.add_op = id;
        found.push_back(p);
    }
    Words names;
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
    bool one = names.size() == 1;
    clog(db, id, 'A',
         std::string("Info:     The following ") + (one ? "package is" : "packages are") +
             " now available to be activated:");
    for (const auto& n : names) clog(db, id, 'A', "Info:         " + classic_disk_name(n));
    clog(db, id, 'A', "Info:     ");
    clog(db, id, 'A',
         std::string("Info:     The ") + (one ? "package" : "packages") +
             " can be activated across the entire router.");
    clog(db, id, 'A', "Info:     ");
    detail_list(db, id, "Packages added:", names);
    pause_s(step);
    finish(db, id, true, {}, 'A');
}

std::string release_base(const std::string& name) {  // asr9k-mpls-px-5.3.3 -> asr9k-mpls-px
    std::string rel = classic_release_of(name);
    if (!rel.empty() && ends_with(name, "-" + rel))
        return name.substr(0, name.size() - rel.size() - 1);
    return name;
}

// The active set after (de)activating pkgs: a new boot image (mini) replaces the running one and
// drops active packages of other releases; a package replaces the active one of the same name
// and another release.
Words next_active(Db& db, const Words& pkgs, bool deactivate) {
    auto in = [](const Words& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    Words set;
    if (deactivate) {
        for (const auto& a : db.active)
            if (!in(pkgs, a)) set.push_back(a);
        return set;
    }
    std::string new_rel;
    for (const auto& n : pkgs)
        if (auto* p = db.find(n); p && p->kind == "image") new_rel = p->version;
    for (const auto& a : db.active) {
        auto* p = db.find(a);
        if (!new_rel.empty() && p) {
            if (p->kind == "image") continue;
            std::string rel = classic_release_of(a);
            if (!rel.empty() && rel != new_rel && !in(pkgs, a)) continue;
        }
        bool superseded = false;
        for (const auto& n : pkgs)
            superseded = superseded ||
                         (n != a && release_base(n) != n && release_base(n) == release_base(a));
        if (!superseded) set.push_back(a);
    }
    for (const auto& n : pkgs)
        if (!in(set, n)) set.push_back(n);
    return set;
}

void activate_worker(Config cfg, Words pkgs, bool deactivate, bool reload, int id) {
    Db db(cfg);
    clog(db, id, 'A',
         std::string("Info:     Install Method: ") +
             (reload ? "Parallel Reload" : "Parallel Process Restart"));
    for (int k = 1; k <= 4; ++k) {
        set_percent(db, id, k * 20);
        pause_s(cfg.op_seconds / 4.0);
    }
    {
        Db::Lock lock(db.dir());
        db.load();
        auto set = next_active(db, pkgs, deactivate);
        if (reload) {
            db.pending_active = set;  // becomes the running software when the system reloads
            db.has_pending = true;
        } else {
            db.active = set;
        }
        db.save();
    }
    for (const char* l :
         {"Info:     The changes made to software configurations will not be persistent",
          "Info:     across system reloads. Use the command '(admin) install commit' to",
          "Info:     make changes persistent.",
          "Info:     Please verify that the system is consistent following the software",
          "Info:     change using the following commands:", "Info:         show system verify",
          "Info:         install verify packages"})
        clog(db, id, 'A', l);
    detail_list(db, id, "Package list:", pkgs);
    finish(db, id, true, {}, 'A');
    if (!reload) return;
    pause_s(cfg.reload_delay);
    do_reload(cfg);
}

void remove_worker(Config cfg, Words pkgs, int id) {
    Db db(cfg);
    pause_s(cfg.op_seconds / 2.0);
    Words removed;
    {
        Db::Lock lock(db.dir());
        db.load();
        std::vector<Package> keep;
        for (const auto& p : db.packages) {
            bool go = std::find(pkgs.begin(), pkgs.end(), p.name) != pkgs.end() &&
                      !db.is_active(p.name) && !db.is_committed(p.name);
            if (!go) {
                keep.push_back(p);
                continue;
            }
            removed.push_back(p.name);
            if (!p.file.empty()) ::unlink((db.repo_dir() + "/" + p.file).c_str());
        }
        db.packages = keep;
        db.save();
    }
    if (removed.empty())
        return static_cast<void>(finish(db, id, false, {"No packages removed."}, 'A'));
    detail_list(db, id, "Package list:", removed);
    finish(db, id, true, {}, 'A');
}

// The remove question unless prompt-level none; false when the answer is no.
bool confirm_remove(Session& s, int id, const Options& o, const Words& pkgs) {
    info_list(s, id,
              pkgs.size() == 1 ? "This operation will remove the following package:"
                               : "This operation will remove the following packages:",
              pkgs);
    if (o.prompt_level == "none") return true;
    std::string answer;
    s.ask("Proceed with removing these packages? [confirm]", answer);
    s.print("\n");
    return yes(answer, true);
}

}  // namespace

std::string classic_end_text(Session& s, int id) {
    Op op = s.db.load_op(id);
    bool stale = s.db.op_stale(op);
    if (op.status == "running" && !stale) return "";
    std::string text;
    for (const auto& raw : s.db.op_log(id)) {
        auto f = split(raw, '\t');
        if (f.size() >= 3 && f[0] == "A") text += f[2] + "\n";
    }
    if (stale) text += classic_end_line(id, false, now_s()) + "\n";
    return text;
}

void classic_install_add(Session& s, const std::string& source, const Words& words) {
    Options o = parse_options(words);
    Source src;
    std::string err;
    bool ok = parse_source(s.cfg, source, src, err);
    int id =
        begin(s, "add",
              "(admin) install add source " + (ok ? src.shown : source) + " " + join(words, " "));
    if (!id) return s.flush();
    if (!ok) return fail_now(s, id, {err});
    if (o.packages.empty()) return fail_now(s, id, {"No packages were specified."});
    if (needs_password(src)) {
        std::string pw;
        s.ask("Password: ", pw, true);
        src.password = pw;
        src.has_password = true;
    }
    Config cfg = s.cfg;
    Words files = o.packages;
    go_background(s, id, o.async, [cfg, src, files, id] { add_worker(cfg, src, files, id); });
}

void classic_install_activate(Session& s, const Words& words, bool deactivate) {
    std::string verb = deactivate ? "deactivate" : "activate";
    Options o = parse_options(words);
    int id = begin(s, verb, "(admin) install " + verb + " " + join(words, " "));
    if (!id) return s.flush();
    Words pkgs;
    bool reload = false;
    std::string error;
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        pkgs = packages_of(s, o.packages, error);
        for (size_t i = 0; error.empty() && i < pkgs.size(); ++i) {
            const Package* p = s.db.find(pkgs[i]);
            std::string shown = classic_disk_name(p->name);
            bool active = s.db.is_active(p->name);
            if (!deactivate && active) error = "The package " + shown + " is already active.";
            if (deactivate && !active) error = "The package " + shown + " is not active.";
            if (deactivate && p->kind == "image")
                error = "The boot package " + shown + " cannot be deactivated.";
            reload = reload || p->reload;
        }
    }
    if (!error.empty()) return fail_now(s, id, {error});
    if (reload) {
        say(s, id, "Info:     This operation will reload the following nodes in parallel:");
        for (const auto& c : s.cfg.cards)
            if (c.cpu)
                say(s, id,
                    "Info:         " + c.node + (c.rp ? " (RP)" : " (LC)") + " (SDR: Owner)");
        if (o.prompt_level != "none") {
            std::string answer;
            s.ask("Proceed with this install operation (y/n)? [y] ", answer);
            if (!yes(answer, true))
                return fail_now(s, id, {"The operation was aborted by the user."});
        }
    }
    Config cfg = s.cfg;
    go_background(s, id, o.async, [cfg, pkgs, deactivate, reload, id] {
        activate_worker(cfg, pkgs, deactivate, reload, id);
    });
}

void classic_install_remove(Session& s, const Words& words) {
    Options o = parse_options(words);
    int id = begin(s, "remove", "(admin) install remove " + join(words, " "));
    if (!id) return s.flush();
    Words pkgs;
    std::string error;
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        pkgs = packages_of(s, o.packages, error);
        for (const auto& n : pkgs) {
            if (!error.empty()) break;
            if (s.db.is_active(n))
                error = "The package " + classic_disk_name(n) + " is active and cannot be removed.";
            else if (s.db.is_committed(n))
                error = "The package " + classic_disk_name(n) +
                        " is part of the committed software and cannot be removed.";
        }
    }
    if (!error.empty()) return fail_now(s, id, {error});
    if (!confirm_remove(s, id, o, pkgs))
        return fail_now(s, id, {"The operation was aborted by the user."});
    Config cfg = s.cfg;
    go_background(s, id, o.async, [cfg, pkgs, id] { remove_worker(cfg, pkgs, id); });
}

void classic_install_remove_inactive(Session& s, const Words& words) {
    Options o = parse_options(words);
    int id =
        begin(s, "remove",
              "(admin) install remove inactive" + (words.empty() ? "" : " " + join(words, " ")));
    if (!id) return s.flush();
    Words pkgs;
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        for (const auto& p : s.db.packages)
            if (!s.db.is_active(p.name) && !s.db.is_committed(p.name)) pkgs.push_back(p.name);
    }
    if (pkgs.empty())
        return fail_now(
            s, id,
            {"Cannot proceed with the remove operation because there are no",
             "packages that can be removed. Packages can only be removed if they",
             "are not part of the active software and not part of the committed", "software.",
             "Suggested steps to resolve this:",
             " - check the set of active packages using '(admin) show install", "   active'.",
             " - check the committed software using '(admin) show install", "   committed'.",
             " - check the set of inactive packages using '(admin) show install", "   inactive'."});
    if (!confirm_remove(s, id, o, pkgs))
        return fail_now(s, id, {"The operation was aborted by the user."});
    Config cfg = s.cfg;
    go_background(s, id, o.async, [cfg, pkgs, id] { remove_worker(cfg, pkgs, id); });
}

void classic_install_commit(Session& s) {
    int id = begin(s, "commit", "(admin) install commit");
    if (!id) return s.flush();
    s.flush();
    pause_s(s.cfg.op_seconds / 2.0);
    {
        Db::Lock lock(s.db.dir());
        s.db.load();
        s.db.committed = s.db.active;
        s.db.save();
    }
    for (const auto& l : finish(s.db, id, true, {}, 'N')) s.print(l + "\n");
}

}  // namespace xr
