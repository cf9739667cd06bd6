#include "show.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdio>

#include "ops.h"
#include "util.h"

namespace xr {

std::string pad(const std::string& s, size_t w) {
    return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}

void load_db(Session& s) {
    Db::Lock lock(s.db.dir());
    s.db.load();
}

bool nodes_settling(Session& s) {
    load_db(s);
    return now_s() < s.db.boot_time + s.cfg.node_settle_seconds;
}

bool running_op(Session& s, Op& op) {
    load_db(s);
    op = s.db.current_op ? s.db.load_op(s.db.current_op) : Op{};
    return op.id != 0 && op.status == "running" && !s.db.op_stale(op);
}

std::vector<int> logged_ops(
    Session& s, int id, bool reverse, const std::string& not_found, const std::string& none) {
    load_db(s);
    auto ids = s.db.op_ids();
    if (id) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
            s.print(not_found);
            return {};
        }
        ids = {id};
    }
    if (ids.empty()) {
        s.flush();
        s.term.write(none);
        return {};
    }
    if (reverse) std::reverse(ids.begin(), ids.end());
    return ids;
}

namespace {

// Build details printed by show version; a stable fake per release.
std::string build_info(const Config& c, const std::string& ver) {
    return "Build Information:\n"
           " Built By     : ahoang\n"
           " Built On     : Fri Mar 17 18:46:08 PDT 2017\n"
           " Build Host   : iox-lnx-069\n"
           " Workspace    : /auto/srcarchive11/production/" +
           ver + "/" + c.pkg_prefix +
           "/workspace\n"
           " Version      : " +
           ver +
           "\n"
           " Location     : /opt/cisco/XR/packages/\n";
}

bool is_admin_pkg(const Package& p) {
    return p.name.find("-sysadmin") != std::string::npos;
}

bool in_plane(const Package& p, bool admin) {
    if (p.kind == "image") return true;
    return admin == is_admin_pkg(p);
}

std::string admin_node(const std::string& xr_node) {
    auto pos = xr_node.find("/CPU");
    return pos == std::string::npos ? xr_node : xr_node.substr(0, pos);
}

// Lines of the given package state for one plane, in database order with the image first.
std::vector<std::string> listing(Session& s, const std::string& what, bool admin) {
    std::vector<std::string> out;
    const auto& set = what == "active" ? s.db.active : s.db.committed;
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& p : s.db.packages) {
            if ((p.kind == "image") != (pass == 0) || !in_plane(p, admin)) continue;
            bool member = false;
            for (const auto& n : set) member = member || n == p.name;
            if (what == "inactive") member = !s.db.is_active(p.name);
            if (!member) continue;
            // An inactive image keeps the name it was added with (xrv9k-mini-x-6.2.1); once
            // active it shows as the running XR / sysadmin image (xrv9k-xr-6.2.1).
            std::string name =
                what == "inactive" && !admin ? p.name : display_name(s.cfg, p, admin);
            if (what != "inactive" && p.kind == "image")
                name += " version=" + p.version + " [Boot image]";
            out.push_back(name);
        }
    }
    return out;
}

}  // namespace

std::string display_name(const Config& c, const Package& p, bool admin_plane) {
    if (p.kind != "image") return p.name;
    return c.pkg_prefix + (admin_plane ? "-sysadmin-" : "-xr-") + p.version;
}

void show_version(Session& s) {
    load_db(s);
    std::string ver = s.db.image_version();
    s.print("\nCisco IOS XR Software, Version " + ver +
            "\nCopyright (c) 2013-2017 by Cisco Systems, Inc.\n\n" + build_info(s.cfg, ver) +
            "\ncisco " + s.cfg.platform + " () processor\nSystem uptime is " +
            uptime_text(now_s() - s.db.boot_time) + "\n\n");
}

void admin_show_version(Session& s) {
    load_db(s);
    std::string ver = s.db.image_version();
    s.print("\nCisco IOS XR Admin Software, Version " + ver +
            "\nCopyright (c) 2013-2017 by Cisco Systems, Inc.\n\n" + build_info(s.cfg, ver) +
            "\ncisco " + s.cfg.platform + " () processor\nSystem uptime is " +
            uptime_text(now_s() - s.db.boot_time) + "\n\n");
}

void show_inventory(Session& s, bool chassis_only) {
    auto block = [&](const std::string& name, const std::string& descr, const std::string& pid,
                     const std::string& sn) {
        s.print("NAME: \"" + name + "\", DESCR: \"" + descr + "\"\nPID: " + pad(pid, 18) +
                ", VID: V01, SN: " + sn + "\n\n");
    };
    if (!chassis_only) {
        for (const auto& c : s.cfg.cards) block(admin_node(c.node), c.descr, c.type, c.sn);
    }
    block("Rack 0", s.cfg.chassis_descr, s.cfg.chassis_pid, s.cfg.serial);
}

void admin_show_inventory(Session& s, bool chassis_only) {
    auto block = [&](const std::string& name, const std::string& descr, const std::string& pid,
                     const std::string& sn) {
        s.print(" Name: " + pad(name, 22) + "Descr: " + descr + "\n PID: " + pad(pid, 23) +
                "VID: V01                   SN: " + sn + "\n\n");
    };
    s.print("\n");
    block("Rack 0", s.cfg.chassis_descr, s.cfg.chassis_pid, s.cfg.serial);
    if (!chassis_only)
        for (const auto& c : s.cfg.cards) block(admin_node(c.node), c.descr, c.type, c.sn);
}

void show_platform(Session& s) {
    bool settling = nodes_settling(s);
    s.print(
        "Node              Type                       State             Config state\n"
        "--------------------------------------------------------------------------------\n");
    for (const auto& c : s.cfg.cards) {
        std::string state = c.cpu ? (settling && !c.rp ? "BOOTING" : "IOS XR RUN") : "OPERATIONAL";
        s.print(pad(c.node, 18) + pad(c.type + (c.rp ? "(Active)" : ""), 27) + pad(state, 18) +
                "NSHUT\n");
    }
}

void admin_show_platform(Session& s) {
    bool settling = nodes_settling(s);
    s.print(
        "Location  Card Type               HW State      SW State      Config State  \n"
        "----------------------------------------------------------------------------\n");
    for (const auto& c : s.cfg.cards) {
        std::string sw = c.cpu ? (settling && !c.rp ? "BOOTING" : "OPERATIONAL") : "N/A";
        s.print(pad(admin_node(c.node), 10) + pad(c.type, 24) + pad("OPERATIONAL", 14) +
                pad(sw, 14) + "NSHUT\n");
    }
}

void show_install(Session& s, const std::string& what, bool summary) {
    load_db(s);
    auto pk = listing(s, what, false);
    if (what == "inactive") {
        if (pk.empty()) {
            s.print("No inactive package(s) in software repository\n");
        } else if (summary) {
            s.print("    Inactive Packages: " + std::to_string(pk.size()) + "\n");
            for (const auto& p : pk) s.print("        " + p + "\n");
        } else {
            s.print(std::to_string(pk.size()) + " inactive package(s) found:\n");
            for (const auto& p : pk) s.print("    " + p + "\n");
        }
        return;
    }
    std::string title = what == "active" ? "Active Packages: " : "Committed Packages: ";
    if (summary) {
        s.print("    Label : " + s.db.image_version() + "\n\n    " + title +
                std::to_string(pk.size()) + "\n");
        for (const auto& p : pk) s.print("        " + p + "\n");
        return;
    }
    for (const auto& c : s.cfg.cards) {
        if (!c.cpu) continue;
        s.print("Node " + c.node + (c.rp ? " [RP]\n" : " [LC]\n") +
                "  Boot Partition: " + (c.rp ? "xr_lv0" : "xr_lcp_lv0") + "\n  " + title +
                std::to_string(pk.size()) + "\n");
        for (const auto& p : pk) s.print("        " + p + "\n");
        s.print("\n");
    }
}

void admin_show_install(Session& s, const std::string& what, bool summary) {
    load_db(s);
    auto pk = listing(s, what, true);
    std::string title = what == "active"     ? "Active Packages:"
                        : what == "inactive" ? "Inactive Packages:"
                                             : "Committed Packages:";
    if (what != "inactive" || !pk.empty()) title += " " + std::to_string(pk.size());
    if (summary) {
        s.print("    " + title + "\n");
        for (const auto& p : pk) s.print("       " + p + "\n");
        return;
    }
    for (const auto& c : s.cfg.cards) {
        if (!c.cpu) continue;
        s.print(" Node " + admin_node(c.node) + (c.rp ? " [RP]\n" : " [LC]\n") + "    " + title +
                "\n");
        for (const auto& p : pk) s.print("       " + p + "\n");
        s.print("\n");
    }
}

void show_install_repository(Session& s) {
    load_db(s);
    s.print(std::to_string(s.db.packages.size()) + " package(s) in XR repository:\n");
    for (const auto& p : s.db.packages) s.print("    " + display_name(s.cfg, p, false) + "\n");
}

void show_install_request(Session& s) {
    Op op;
    if (!running_op(s, op)) return s.print("No install operation in progress\n");
    s.print("User " + op.user + ", Op Id " + std::to_string(op.id) + "\n  " + op.command + "\n" +
            "The install operation " + std::to_string(op.id) + " is " + std::to_string(op.percent) +
            "% complete\n");
}

void show_install_log(Session& s, int id, bool detail, bool reverse) {
    // CSM tests the text "No install operation" even when it asked for "| utility egrep".
    for (int x :
         logged_ops(s, id, reverse, "Install operation " + std::to_string(id) + " not found\n",
                    "No install operation found in log\n")) {
        for (const auto& raw : s.db.op_log(x)) {
            auto f = split(raw, '\t');
            if (f.size() < 3 || (f[0] == "D" && !detail)) continue;
            std::string text = f[2];
            for (size_t k = 3; k < f.size(); ++k) text += "\t" + f[k];
            s.print((f[1].empty() ? "" : f[1] + " ") + text + "\n");
        }
        s.print("\n");
    }
}

void show_running_config(Session& s) {
    std::string custom;
    if (read_file(s.cfg.state_dir + "/running-config", custom)) {
        s.print(custom);
        return;
    }
    load_db(s);
    std::string rp = s.cfg.rp_node();
    s.print(
        "Building configuration...\n!! IOS XR Configuration version = " + s.db.image_version() +
        "\n!! Last configuration change at " + ts_cli() + " by " + s.cfg.username +
        "\n!\nhostname " + s.cfg.hostname + "\nusername " + s.cfg.username +
        "\n group root-lr\n group cisco-support\n secret 5 $1$Nq4u$9OUlq8xHcFC6H8cRdqVwW1\n!\n"
        "line default\n exec-timeout 0 0\n!\ncall-home\n service active\n contact smart-licensing\n"
        " profile CiscoTAC-1\n  active\n  destination transport-method http\n !\n!\n"
        "interface MgmtEth0/" +
        rp +
        "/0\n ipv4 address dhcp\n!\n"
        "interface GigabitEthernet0/0/0/0\n shutdown\n!\n"
        "interface GigabitEthernet0/0/0/1\n shutdown\n!\n"
        "router static\n address-family ipv4 unicast\n  0.0.0.0/0 MgmtEth0/" +
        rp +
        "/0\n !\n!\n"
        "ssh server v2\nssh server vrf default\ntelnet vrf default ipv4 server max-servers "
        "10\nend\n\n");
}

void show_logging(Session& s, long last) {
    auto lines = split(read_file_or(s.cfg.state_dir + "/db/syslog"), '\n');
    for (const auto& l : split(read_file_or(s.cfg.state_dir + "/logging.extra"), '\n'))
        lines.push_back(l);
    std::vector<std::string> keep;
    for (const auto& l : lines)
        if (!trim(l).empty()) keep.push_back(l);
    s.print(
        "Syslog logging: enabled (0 messages dropped, 0 flushes, 0 overruns)\n"
        "    Console logging: level warnings, " +
        std::to_string(keep.size()) +
        " messages logged\n"
        "    Monitor logging: level debugging, 0 messages logged\n"
        "    Trap logging: level informational, 0 messages logged\n"
        "    Buffer logging: level debugging, " +
        std::to_string(keep.size()) +
        " messages logged\n\n"
        "Log Buffer (2097152 bytes):\n\n");
    size_t from = last > 0 && static_cast<size_t>(last) < keep.size() ? keep.size() - last : 0;
    for (size_t i = from; i < keep.size(); ++i) s.print(keep[i] + "\n");
}

void show_config_failed_startup(Session& s) {
    s.print(read_file_or(s.cfg.state_dir + "/config-failed-startup"));
}

void show_users(Session& s) {
    s.print("   Line            User                 Service  Conns   Idle        Location\n");
    int vty = 0;
    for (const auto& u : live_sessions(s.cfg.state_dir)) {
        std::string line = "vty" + std::to_string(vty++);
        bool me = u.pid == getpid();
        s.print(std::string(me ? "*  " : "   ") + pad(line, 16) + pad(u.user, 21) + pad(u.line, 9) +
                "    0  00:00:00    " + u.from + "\n");
    }
}

void show_clock(Session& s) {
    double t = now_real();
    time_t sec = static_cast<time_t>(t);
    char ms[16];
    std::snprintf(ms, sizeof ms, ".%03d UTC ",
                  static_cast<int>((t - static_cast<double>(sec)) * 1000));
    s.print(utc_text(sec, "%H:%M:%S") + ms + utc_text(sec, "%a %b %d %Y") + "\n");
}

void dir_disk(Session& s, const std::string& disk) {
    std::string d = disk.empty() ? "harddisk:" : disk;
    std::string name = d.substr(0, d.find(':'));
    std::string path = s.cfg.state_dir + "/" + name;
    s.print("\nDirectory of /" + name + ":\n\n");
    long inode = 11;
    for (const auto& f : list_dir(path)) {
        struct stat st;
        if (::stat((path + "/" + f).c_str(), &st) != 0) continue;
        char line[512];
        std::snprintf(line, sizeof line, "%7ld %s. 1 %10lld %s %s\n", inode++,
                      S_ISDIR(st.st_mode) ? "drwxr-xr-x" : "-rw-r--r--",
                      static_cast<long long>(st.st_size),
                      utc_text(st.st_mtime, "%b %e %H:%M").c_str(), f.c_str());
        s.print(line);
    }
    s.print("\n3962216 kbytes total (3658112 kbytes free)\n");
}

}  // namespace xr
