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
    return utc_text(t, "%H:%M:%S UTC %a %b %d %Y");
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
    int busy = 0;
    Op op = start_op(s, kind, command, busy, [&s](const Op& cur) {
        clog(s.db, cur.id, 'A', classic_end_line(cur.id, false, cur.end));
    });
    if (!op.id) {
        s.print(
            "Error:    Cannot proceed with the operation as another install command is\n"
            "Error:    currently in operation.\n"
            "Error:    Suggested steps to resolve this:\n"
            "Error:     - use 'show install request' to see the state of the current install\n"
            "Error:       operation.\n"
            "Error:     - re-issue the command when the current operation has completed.\n");
        return 0;
    }
    say(s, op.id,
        "Install operation " + num(op.id) + " '" + command + "' started by user '" + s.user +
            "' via CLI at " + classic_ts(op.start) + ".");
    return op.id;
}

// Ends an operation: its Error lines and its last line, logged with `tag`; returns them.
std::vector<std::string> finish(Db& db, int id, bool ok, const Words& errors, char tag) {
    time_t t = now_s();
    end_op(db, id, ok, t);
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

// Naming's fields, in order.
const Naming kNaming = {
    resolve,
    true,  // completed_only
    "Install operation %s is not a completed install add operation.",
    "The package '%s' could not be found on the router.",
    "The package disk0:%s is already active.",
    "The package disk0:%s is not active.",
    "The boot package disk0:%s cannot be deactivated.",
    "The package disk0:%s is active and cannot be removed.",
    "The package disk0:%s is part of the committed software and cannot be removed.",
};

// The packages `words` name (names, files, disk0:names, or "id" + install add operations).
// Call with the lock held.
Words packages_of(Session& s, const Words& words, std::string& error) {
    Words pkgs = named_packages(s, words, kNaming, error);
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

const std::vector<std::string> kPlatformPrefixes = {"asr9k",  "hfr",    "c12k",    "iosxrv",
                                                    "xrv9k",  "ncs1k",  "ncs4k",   "ncs5k",
                                                    "ncs540", "ncs560", "ncs5500", "ncs6k"};

void add_worker(Config cfg, Source src, Words files, int id) {
    AddRules r;
    r.copy_failed = [&](const std::string& f, const std::string& err) {
        return "Cannot copy file '" + f + "' from '" + src.shown + "': " + err;
    };
    r.keep = [](const std::string& m) {  // pies only: no turboboot .vm, no readme
        return m.find(".pie") != std::string::npos && m.find(".vm") == std::string::npos;
    };
    r.unpack_failed = [](const std::string& f, const std::string& err) {
        return "Cannot unpack '" + f + "': " + err;
    };
    r.describe = [&](Package& p) -> std::string {
        p.name = classic_internal_name(p.file);
        if (ends_with(p.file, ".rpm") || ends_with(p.file, ".iso"))
            return "The file '" + p.file + "' is not a valid package for this platform.";
        if (other_platform(cfg, p.name, kPlatformPrefixes))
            return "Package '" + p.file + "' is not supported on platform " + cfg.platform;
        p.kind = is_classic_image_name(p.name) ? "image" : "pie";
        if (p.version.empty()) p.version = classic_release_of(p.name);
        if (p.kind == "image" && p.version.empty())
            return "Unable to determine the release of package '" + p.file + "'";
        return "";
    };
    r.added = [&](Db& db, const Words& names) {
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
    };
    r.finish = [&](Db& db, bool ok, const std::string& error) {
        finish(db, id, ok, ok ? Words{} : Words{error}, 'A');
    };
    add_files(cfg, src, files, id, r);
}

std::string release_base(const std::string& name) {  // asr9k-mpls-px-5.3.3 -> asr9k-mpls-px
    std::string rel = classic_release_of(name);
    if (!rel.empty() && ends_with(name, "-" + rel))
        return name.substr(0, name.size() - rel.size() - 1);
    return name;
}

// A new boot image (mini) replaces the running one and drops active packages of other releases;
// a package replaces the active one of the same name and another release.
const Releases kReleases = {
    [](const Package& p) { return p.kind == "image" ? p.version : classic_release_of(p.name); },
    [](const std::string& pkg, const std::string& active) {
        return pkg != active && release_base(pkg) != pkg &&
               release_base(pkg) == release_base(active);
    },
};

void activate_worker(Config cfg, Words pkgs, bool deactivate, bool reload, int id) {
    Db db(cfg);
    clog(db, id, 'A',
         std::string("Info:     Install Method: ") +
             (reload ? "Parallel Reload" : "Parallel Process Restart"));
    activation_progress(cfg, db, id);
    set_active(db, pkgs, deactivate, reload, kReleases);
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
    Words removed = remove_packages(db, [&](const Package& p) {
        return std::find(pkgs.begin(), pkgs.end(), p.name) != pkgs.end() && !db.is_active(p.name) &&
               !db.is_committed(p.name);
    });
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
    ask_password(s, src);
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
        if (error.empty()) error = activation_refusal(s.db, pkgs, deactivate, kNaming, reload);
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
        if (error.empty()) error = removal_refusal(s.db, pkgs, kNaming);
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
    commit_active(s.db);
    for (const auto& l : finish(s.db, id, true, {}, 'N')) s.print(l + "\n");
}

}  // namespace xr
