// Command tables of the two planes and the dispatcher that runs a typed line.
#include <unistd.h>

#include "classic.h"
#include "cli.h"
#include "fetch.h"
#include "install.h"
#include "session.h"
#include "show.h"
#include "util.h"

namespace xr {

namespace {

using Args = std::vector<std::string>;

std::string admin_node_tag(const Config& c) {
    std::string n = c.rp_node();  // 0/RP0/CPU0 -> 0_RP0
    auto pos = n.find("/CPU");
    if (pos != std::string::npos) n = n.substr(0, pos);
    for (auto& ch : n)
        if (ch == '/') ch = '_';
    return n;
}

void add_show_install(Grammar& g, bool admin) {
    for (const char* what : {"active", "inactive", "committed"}) {
        std::string w = what;
        g.add(std::string("show install ") + what, [w, admin](Session& s, const Args&) {
            admin ? admin_show_install(s, w, false) : show_install(s, w, false);
        });
        g.add(std::string("show install ") + what + " summary",
              [w, admin](Session& s, const Args&) {
                  admin ? admin_show_install(s, w, true) : show_install(s, w, true);
              });
    }
    g.add("show install request", [](Session& s, const Args&) { show_install_request(s); });
}

const Grammar& admin_grammar() {
    static Grammar g = [] {
        Grammar a;
        a.add("show version", [](Session& s, const Args&) { admin_show_version(s); });
        a.add("show inventory", [](Session& s, const Args&) { admin_show_inventory(s, false); });
        a.add("show inventory chassis",
              [](Session& s, const Args&) { admin_show_inventory(s, true); });
        a.add("show platform", [](Session& s, const Args&) { admin_show_platform(s); });
        add_show_install(a, true);
        a.add("hw-module location all reload",
              [](Session& s, const Args&) { reload_device(s, true); });
        a.add("terminal <*>", [](Session&, const Args&) {});
        a.add("exit", [](Session& s, const Args&) { s.admin = false; });
        return a;
    }();
    return g;
}

void run_admin_once(Session& s, const Args& words);

const Grammar& xr_grammar() {
    static Grammar g = [] {
        Grammar x;
        x.add("terminal exec prompt no-timestamp",
              [](Session& s, const Args&) { s.timestamps = false; });
        x.add("terminal exec prompt timestamp",
              [](Session& s, const Args&) { s.timestamps = true; });
        x.add("terminal length <N>", [](Session&, const Args&) {});
        x.add("terminal width <N>", [](Session&, const Args&) {});
        x.add("terminal monitor", [](Session&, const Args&) {});
        x.add("terminal monitor disable", [](Session&, const Args&) {});
        x.add("show version", [](Session& s, const Args&) { show_version(s); });
        x.add("show inventory", [](Session& s, const Args&) { show_inventory(s, false); });
        x.add("show inventory all", [](Session& s, const Args&) { show_inventory(s, false); });
        x.add("show inventory chassis", [](Session& s, const Args&) { show_inventory(s, true); });
        x.add("show platform", [](Session& s, const Args&) { show_platform(s); });
        add_show_install(x, false);
        x.add("show install repository",
              [](Session& s, const Args&) { show_install_repository(s); });
        x.add("show install log",
              [](Session& s, const Args&) { show_install_log(s, 0, false, false); });
        x.add("show install log detail",
              [](Session& s, const Args&) { show_install_log(s, 0, true, false); });
        x.add("show install log reverse",
              [](Session& s, const Args&) { show_install_log(s, 0, false, true); });
        x.add("show install log reverse detail",
              [](Session& s, const Args&) { show_install_log(s, 0, true, true); });
        x.add("show install log <N>", [](Session& s, const Args& a) {
            show_install_log(s, static_cast<int>(to_long(a[0], 0)), false, false);
        });
        x.add("show install log <N> detail", [](Session& s, const Args& a) {
            show_install_log(s, static_cast<int>(to_long(a[0], 0)), true, false);
        });
        x.add("show running-config <*>", [](Session& s, const Args&) { show_running_config(s); });
        x.add("show logging", [](Session& s, const Args&) { show_logging(s, 0); });
        x.add("show logging last <N>",
              [](Session& s, const Args& a) { show_logging(s, to_long(a[0], 0)); });
        x.add("show configuration failed startup",
              [](Session& s, const Args&) { show_config_failed_startup(s); });
        x.add("show users", [](Session& s, const Args&) { show_users(s); });
        x.add("show clock", [](Session& s, const Args&) { show_clock(s); });
        x.add("dir", [](Session& s, const Args&) { dir_disk(s, ""); });
        x.add("dir <W>", [](Session& s, const Args& a) { dir_disk(s, a[0]); });
        x.add("install add source <W> <+>", [](Session& s, const Args& a) {
            install_add(s, a[0], Args(a.begin() + 1, a.end()));
        });
        x.add("install activate id <+>", [](Session& s, const Args& a) {
            Args v = {"id"};
            v.insert(v.end(), a.begin(), a.end());
            install_activate(s, v, false);
        });
        x.add("install activate <+>",
              [](Session& s, const Args& a) { install_activate(s, a, false); });
        x.add("install deactivate id <+>", [](Session& s, const Args& a) {
            Args v = {"id"};
            v.insert(v.end(), a.begin(), a.end());
            install_activate(s, v, true);
        });
        x.add("install deactivate <+>",
              [](Session& s, const Args& a) { install_activate(s, a, true); });
        x.add("install remove inactive all",
              [](Session& s, const Args&) { install_remove_inactive(s); });
        x.add("install remove inactive",
              [](Session& s, const Args&) { install_remove_inactive(s); });
        x.add("install remove id <+>", [](Session& s, const Args& a) {
            Args v = {"id"};
            v.insert(v.end(), a.begin(), a.end());
            install_remove(s, v);
        });
        x.add("install remove <+>", [](Session& s, const Args& a) { install_remove(s, a); });
        x.add("install commit", [](Session& s, const Args&) { install_commit(s); });
        x.add("reload", [](Session& s, const Args&) { reload_device(s, false); });
        x.add("reload location all", [](Session& s, const Args&) { reload_device(s, false); });
        x.add("scp <W> <W>", [](Session& s, const Args& a) { scp_command(s, a[0], a[1]); });
        x.add("admin", [](Session& s, const Args&) {
            s.print("\n" + s.user + " connected from 127.0.0.1 using console on xr-vm_node" +
                    admin_node_tag(s.cfg) + "_CPU0\n");
            s.admin = true;
        });
        x.add("admin <+>", [](Session& s, const Args& a) { run_admin_once(s, a); });
        x.add("exit", [](Session& s, const Args&) { s.done = true; });
        x.add("logout", [](Session& s, const Args&) { s.done = true; });
        return x;
    }();
    return g;
}

std::string caret(size_t col) {
    return std::string(col, ' ') + "^\n";
}

// "admin <command>" typed in the XR plane runs one admin-plane command.
void run_admin_once(Session& s, const Args& words) {
    auto toks = tokenize(join(words, " "));
    Match m = admin_grammar().match(toks);
    if (m.kind != Match::Ok) {
        s.print(m.kind == Match::Incomplete ? "% Incomplete command.\n"
                                            : "% Invalid input detected at '^' marker.\n");
        return;
    }
    s.admin = true;
    (*m.handler)(s, m.args);
    s.admin = false;
}

void report(Session& s, const Match& m, const std::string& cmd) {
    size_t col = s.prompt().size() + m.error_offset;
    if (s.admin && !s.cfg.classic()) {  // the admin plane is a ConfD CLI: other wording
        if (m.kind == Match::Invalid)
            s.print(std::string(col, '-') + "^\nsyntax error: unknown argument\n");
        if (m.kind == Match::Incomplete) s.print("syntax error: incomplete path\n");
        if (m.kind == Match::Ambiguous)
            s.print(std::string(col, '-') + "^\nsyntax error: ambiguous\n");
        return;
    }
    if (m.kind == Match::Invalid) s.print(caret(col) + "% Invalid input detected at '^' marker.\n");
    if (m.kind == Match::Incomplete) s.print("% Incomplete command.\n");
    if (m.kind == Match::Ambiguous) s.print("% Ambiguous command:  \"" + trim(cmd) + "\"\n");
}

}  // namespace

std::string Session::prompt() const {
    if (cfg.classic())
        return "RP/" + cfg.rp_node() + ":" + cfg.hostname + (admin ? "(admin)#" : "#");
    if (admin) return "sysadmin-vm:" + admin_node_tag(cfg) + "# ";
    return "RP/" + cfg.rp_node() + ":" + cfg.hostname + "#";
}

bool Session::ask(const std::string& question, std::string& answer, bool secret) {
    print(question);
    flush();
    answer.clear();
    auto r = secret ? term.read_secret(answer) : term.read_line(answer, -1);
    return r == Term::Read::Line;
}

void execute(Session& s, const std::string& line) {
    std::vector<Token> filters;
    std::string cmd = split_pipes(line, filters);
    auto toks = tokenize(cmd);
    if (toks.empty()) return;
    Match m = (s.cfg.classic() ? classic_grammar(s.admin)
               : s.admin       ? admin_grammar()
                               : xr_grammar())
                  .match(toks);
    std::string probe;
    size_t bad = 0;
    if (m.kind == Match::Ok && !apply_filters(filters, probe, bad)) {
        m.kind = Match::Invalid;
        m.error_offset = bad;
    }
    if (m.kind != Match::Ok) {
        report(s, m, cmd);
        s.flush();
        return;
    }
    const std::string& first = toks[0].text;
    bool quiet = iprefix(first, "terminal") || iprefix(first, "exit") || iprefix(first, "logout");
    if (s.timestamps && (!s.admin || s.cfg.classic()) && !quiet) {
        s.print(ts_cli() + "\n");
        s.flush();  // the time stamp is not subject to "| include"
    }
    (*m.handler)(s, m.args);
    apply_filters(filters, s.out, bad);
    s.flush();
}

bool poll_events(Session& s) {
    std::string sys = read_file_or(s.cfg.state_dir + "/db/system");
    auto pos = sys.find("boot_time=");
    long boot = pos == std::string::npos
                    ? s.boot_seen
                    : to_long(trim(sys.substr(pos + 10, sys.find('\n', pos) - pos - 10)), 0);
    if (boot != s.boot_seen) {
        s.term.write("\n\nRP/" + s.cfg.rp_node() + ":" + ts_syslog(now_real()) +
                     ": shelfmgr[1210]: %PLATFORM-SHELFMGR-6-USER_RESET : Node " + s.cfg.rp_node() +
                     " is reset due to reload request\n");
        return false;
    }
    for (size_t i = 0; i < s.my_ops.size();) {
        Op op = s.db.load_op(s.my_ops[i]);
        bool over = op.status == "success" || op.status == "aborted" || s.db.op_stale(op);
        if (!over) {
            ++i;
            continue;
        }
        // XR prints the end of a background operation asynchronously, right after the prompt.
        if (s.cfg.async_messages && s.cfg.classic())
            s.term.write(classic_end_text(s, op.id));
        else if (s.cfg.async_messages)
            s.term.write(ts_install(static_cast<time_t>(now_real())) + " Install operation " +
                         std::to_string(op.id) +
                         (op.status == "success" ? " finished successfully\n" : " aborted\n"));
        s.my_ops.erase(s.my_ops.begin() + static_cast<long>(i));
    }
    return true;
}

}  // namespace xr
