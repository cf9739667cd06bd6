// Command tables of classic IOS XR: exec mode (RP/0/RSP0/CPU0:host#), where every admin command
// also runs as `admin <command>`, and admin mode (`admin` -> RP/0/RSP0/CPU0:host(admin)#). The
// install commands exist in the admin plane only, as on a real ASR9K.
#include "classic.h"
#include "fetch.h"
#include "install.h"
#include "show.h"
#include "util.h"

namespace xr {

namespace {

using Args = std::vector<std::string>;

enum Plane { kExec = 1, kAdmin = 2, kBoth = 3 };

struct Entry {
    std::string pattern;
    int planes;
    Handler fn;
};

Args rest(const Args& a, size_t from) {
    return Args(a.begin() + static_cast<long>(std::min(from, a.size())), a.end());
}

std::vector<Entry> entries() {
    std::vector<Entry> e = {
        {"terminal exec prompt no-timestamp", kBoth,
         [](Session& s, const Args&) { s.timestamps = false; }},
        {"terminal exec prompt timestamp", kBoth,
         [](Session& s, const Args&) { s.timestamps = true; }},
        {"terminal length <N>", kBoth, [](Session&, const Args&) {}},
        {"terminal width <N>", kBoth, [](Session&, const Args&) {}},
        {"terminal monitor", kBoth, [](Session&, const Args&) {}},
        {"terminal monitor disable", kBoth, [](Session&, const Args&) {}},
        {"show version", kBoth, [](Session& s, const Args&) { classic_show_version(s, false); }},
        {"show version brief", kBoth,
         [](Session& s, const Args&) { classic_show_version(s, true); }},
        {"show inventory", kBoth, [](Session& s, const Args&) { classic_show_inventory(s); }},
        {"show inventory all", kBoth, [](Session& s, const Args&) { classic_show_inventory(s); }},
        {"show platform", kBoth, [](Session& s, const Args&) { classic_show_platform(s); }},
        {"show install", kBoth,
         [](Session& s, const Args&) { classic_show_install(s, "all", false); }},
        {"show install summary", kBoth,
         [](Session& s, const Args&) { classic_show_install(s, "all", true); }},
        {"show install request", kBoth,
         [](Session& s, const Args&) { classic_show_install_request(s); }},
        {"show install log", kBoth,
         [](Session& s, const Args&) { classic_show_install_log(s, 0, false, false); }},
        {"show install log detail", kBoth,
         [](Session& s, const Args&) { classic_show_install_log(s, 0, true, false); }},
        {"show install log reverse", kBoth,
         [](Session& s, const Args&) { classic_show_install_log(s, 0, false, true); }},
        {"show install log reverse detail", kBoth,
         [](Session& s, const Args&) { classic_show_install_log(s, 0, true, true); }},
        {"show install log <N>", kBoth,
         [](Session& s, const Args& a) {
             classic_show_install_log(s, static_cast<int>(to_long(a[0], 0)), false, false);
         }},
        {"show install log <N> detail", kBoth,
         [](Session& s, const Args& a) {
             classic_show_install_log(s, static_cast<int>(to_long(a[0], 0)), true, false);
         }},
        {"show running-config <*>", kExec, [](Session& s, const Args&) { show_running_config(s); }},
        {"show logging", kExec, [](Session& s, const Args&) { show_logging(s, 0); }},
        {"show logging last <N>", kExec,
         [](Session& s, const Args& a) { show_logging(s, to_long(a[0], 0)); }},
        {"show configuration failed startup", kExec,
         [](Session& s, const Args&) { show_config_failed_startup(s); }},
        {"show users", kExec, [](Session& s, const Args&) { show_users(s); }},
        {"show clock", kBoth, [](Session& s, const Args&) { show_clock(s); }},
        {"dir", kExec, [](Session& s, const Args&) { dir_disk(s, "disk0:"); }},
        {"dir <W>", kExec, [](Session& s, const Args& a) { dir_disk(s, a[0]); }},
        {"scp <W> <W>", kExec, [](Session& s, const Args& a) { scp_command(s, a[0], a[1]); }},
        {"reload", kExec, [](Session& s, const Args&) { reload_device(s, false); }},
        {"reload location all", kAdmin, [](Session& s, const Args&) { reload_device(s, false); }},
        {"hw-module location all reload", kAdmin,
         [](Session& s, const Args&) { reload_device(s, true); }},
        {"install add source <W> <+>", kAdmin,
         [](Session& s, const Args& a) { classic_install_add(s, a[0], rest(a, 1)); }},
        {"install activate <+>", kAdmin,
         [](Session& s, const Args& a) { classic_install_activate(s, a, false); }},
        {"install deactivate <+>", kAdmin,
         [](Session& s, const Args& a) { classic_install_activate(s, a, true); }},
        {"install remove inactive <*>", kAdmin,
         [](Session& s, const Args& a) { classic_install_remove_inactive(s, a); }},
        {"install remove <+>", kAdmin,
         [](Session& s, const Args& a) { classic_install_remove(s, a); }},
        {"install commit", kAdmin, [](Session& s, const Args&) { classic_install_commit(s); }},
    };
    for (const char* what : {"active", "inactive", "committed"}) {
        std::string w = what;
        e.push_back({"show install " + w, kBoth,
                     [w](Session& s, const Args&) { classic_show_install(s, w, false); }});
        e.push_back({"show install " + w + " summary", kBoth,
                     [w](Session& s, const Args&) { classic_show_install(s, w, true); }});
    }
    return e;
}

Grammar build(bool admin_mode) {
    Grammar g;
    for (const auto& e : entries()) {
        if (admin_mode ? (e.planes & kAdmin) : (e.planes & kExec)) g.add(e.pattern, e.fn);
        if (!admin_mode && (e.planes & kAdmin)) g.add("admin " + e.pattern, e.fn);
    }
    if (admin_mode) {
        g.add("exit", [](Session& s, const Args&) { s.admin = false; });
        g.add("end", [](Session& s, const Args&) { s.admin = false; });
    } else {
        g.add("admin", [](Session& s, const Args&) { s.admin = true; });
        g.add("exit", [](Session& s, const Args&) { s.done = true; });
        g.add("logout", [](Session& s, const Args&) { s.done = true; });
    }
    return g;
}

}  // namespace

const Grammar& classic_grammar(bool admin_mode) {
    static const Grammar exec = build(false);
    static const Grammar admin = build(true);
    return admin_mode ? admin : exec;
}

}  // namespace xr
