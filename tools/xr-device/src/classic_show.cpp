// Outputs of classic IOS XR (ASR9K 5.3.x as CSM's plugins and Cisco's documentation show them):
// show version, show inventory, (admin) show platform, (admin) show install ..., the install
// request and the install log.
#include <cctype>

#include "classic.h"
#include "ops.h"
#include "show.h"
#include "util.h"

namespace xr {

namespace {

std::string rtrim(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// The boot image file of a node: /disk0/asr9k-os-mbi-5.3.3/0x100305/mbiasr9k-rsp3.vm
std::string boot_image(const Config& c, const std::string& ver, bool rp) {
    return "/disk0/" + c.pkg_prefix + "-os-mbi-" + ver +
           (rp ? "/0x100305/mbi" + c.pkg_prefix + "-rsp3.vm" : "/lc/mbi" + c.pkg_prefix + "-lc.vm");
}

// Package names (without disk0:) of a list, the boot image first, then in database order.
std::vector<std::string> listing(Session& s, const std::string& what) {
    std::vector<std::string> out;
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& p : s.db.packages) {
            if ((p.kind == "image") != (pass == 0)) continue;
            bool member = what == "active"      ? s.db.is_active(p.name)
                          : what == "committed" ? s.db.is_committed(p.name)
                                                : !s.db.is_active(p.name);
            if (member) out.push_back(p.name);
        }
    }
    return out;
}

void print_list(Session& s, const std::vector<std::string>& pk, const std::string& indent) {
    if (pk.empty()) s.print(indent + "No packages.\n");
    for (const auto& p : pk) s.print(indent + classic_disk_name(p) + "\n");
}

std::string title_of(const std::string& what) {
    return what == "active"     ? "Active Packages:"
           : what == "inactive" ? "Inactive Packages:"
                                : "Committed Packages:";
}

}  // namespace

void classic_show_version(Session& s, bool brief) {
    load_db(s);
    const Config& c = s.cfg;
    std::string ver = s.db.image_version(), rp = c.rp_node();
    s.print("\nCisco IOS XR Software, Version " + ver +
            "[Default]\nCopyright (c) 2016 by Cisco Systems, Inc.\n\n"
            "ROM: System Bootstrap, Version 2.04(20140424:063844) [" +
            upper(c.pkg_prefix) + " ROMMON],\n\n" + c.hostname + " uptime is " +
            uptime_text(now_s() - s.db.boot_time) + "\nSystem image file is \"bootflash:" +
            boot_image(c, ver, true).substr(1) + "\"\n\ncisco " + c.platform +
            " (Intel 686 F6M14S4) processor with 12582912K bytes of memory.\n"
            "Intel 686 F6M14S4 processor at 2134MHz, Revision 2.174\n" +
            c.chassis_descr +
            "\n\n2 Management Ethernet\n8 TenGigE\n"
            "503k bytes of non-volatile configuration memory.\n"
            "6271M bytes of hard disk.\n"
            "11817968k bytes of disk0: (Sector size 512 bytes).\n\n"
            "Configuration register on node " +
            rp + " is 0x1922\nBoot device on node " + rp + " is disk0:\n");
    if (brief) return;
    s.print("Package active on node " + rp + ":\n");
    for (const auto& n : listing(s, "active")) {
        // asr9k-mpls-px-5.3.3 -> asr9k-mpls-px, V 5.3.3; an SMU's version is its own (1.0.0).
        auto dash = n.rfind('-');
        std::string base = dash == std::string::npos ? n : n.substr(0, dash);
        std::string v = dash == std::string::npos ? ver : n.substr(dash + 1);
        bool smu = n.find(".CSC") != std::string::npos;
        s.print(base + ", V " + v + (smu ? "[SMU]" : "[Default]") + ", Cisco Systems, at " +
                classic_disk_name(n) + "\n    Built on Thu Jun 16 13:42:50 UTC 2016\n    By " +
                "iox-lnx-014 in /auto/srcarchive14/production/" + classic_release_of(n) + "/" +
                c.pkg_prefix + "/workspace for pie\n\n");
    }
}

void classic_show_inventory(Session& s) {
    auto block = [&](const std::string& name, const std::string& descr, const std::string& pid,
                     const std::string& sn) {
        s.print("NAME: \"" + name + "\", DESCR: \"" + descr + "\"\nPID: " + pid +
                ", VID: V01, SN: " + sn + "\n\n");
    };
    for (const auto& c : s.cfg.cards) {
        std::string kind = c.node.find("/FT") != std::string::npos   ? "fantray "
                           : c.node.find("/PS") != std::string::npos ? "power-module "
                                                                     : "module ";
        block(kind + c.node, c.descr, c.type, c.sn);
    }
    block("chassis " + s.cfg.chassis_pid, s.cfg.chassis_descr, s.cfg.chassis_pid, s.cfg.serial);
}

void classic_show_platform(Session& s) {
    bool settling = nodes_settling(s);
    s.print("Node            Type                      State            Config State\n" +
            std::string(77, '-') + "\n");
    for (const auto& c : s.cfg.cards) {
        std::string state = c.cpu ? (settling && !c.rp ? "MBI-BOOTING" : "IOS XR RUN") : "READY";
        bool fan = c.node.find("/FT") != std::string::npos;
        s.print(rtrim(pad(c.node, 16) + pad(c.type + (c.rp ? "(Active)" : ""), 26) +
                      pad(state, 17) + (fan ? "" : "PWR,NSHUT,MON")) +
                "\n");
    }
}

void classic_show_install(Session& s, const std::string& what, bool summary) {
    load_db(s);
    if (summary) {
        s.print("Default Profile:\n  SDRs:\n    Owner\n");
        for (const std::string w : {"active", "inactive", "committed"}) {
            if (what != w && !(what == "all" && w != "committed")) continue;
            s.print("  " + title_of(w) + "\n");
            print_list(s, listing(s, w), "    ");
        }
        s.print("\n");
        return;
    }
    std::string ver = s.db.image_version();
    s.print("Secure Domain Router: Owner\n\n");
    for (const auto& c : s.cfg.cards) {
        if (!c.cpu) continue;
        s.print("  Node " + c.node + (c.rp ? " [RP]" : " [LC]") + " [SDR: Owner]\n" +
                "    Boot Device: " + (c.rp ? "disk0:" : "mem:") + "\n");
        for (const std::string w : {"active", "inactive", "committed"}) {
            if (what != w && !(what == "all" && w != "committed")) continue;
            if (w == "active") s.print("    Boot Image: " + boot_image(s.cfg, ver, c.rp) + "\n");
            s.print("    " + title_of(w) + "\n");
            print_list(s, listing(s, w), "      ");
        }
        s.print("\n");
    }
}

void classic_show_install_request(Session& s) {
    Op op;
    if (!running_op(s, op)) return s.print("There are no install requests in operation.\n");
    s.print("Install operation " + std::to_string(op.id) + " '" + op.command +
            "' started by user '" + op.user + "' via CLI at " + classic_ts(op.start) +
            ".\nThe operation is " + std::to_string(op.percent) + "% complete\n");
}

void classic_show_install_log(Session& s, int id, bool detail, bool reverse) {
    // CSM looks for "No log information" even when it asked for "| utility egrep".
    for (int x : logged_ops(
             s, id, reverse,
             "Error:    No log information for install operation " + std::to_string(id) + ".\n",
             "No log information available.\n")) {
        Op op = s.db.load_op(x);
        std::vector<std::string> logs, details;
        for (const auto& raw : s.db.op_log(x)) {
            auto f = split(raw, '\t');
            if (f.size() < 3) continue;
            (f[0] == "D" ? details : logs).push_back(f[2]);
        }
        s.print("Install operation " + std::to_string(x) + " started by user '" + op.user +
                "' via CLI at " + classic_ts(op.start) + ".\n    " + op.command + "\n");
        if (op.status == "success" || op.status == "aborted")
            s.print(classic_end_line(x, op.status == "success", op.end) + "\n");
        s.print("\nInstall logs:\n");
        for (const auto& l : logs) s.print("    " + l + "\n");
        if (detail && !details.empty()) {
            s.print("\n");
            for (const auto& l : details) s.print(l + "\n");
        }
        s.print("\n");
    }
}

}  // namespace xr
