// escd-xr-device: emulates the CLI of a Cisco IOS XR 64-bit router for testing install jobs.
// It is the login shell (or ForceCommand) of an SSH user, or the login program of telnetd
// (--login asks Username:/Password: like the router). See ../README.md.
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "install.h"
#include "session.h"
#include "util.h"

using namespace xr;

namespace {

void usage() {
    std::fputs(
        "usage: escd-xr-device [--state DIR] [--login] [-c COMMAND] [--command-log FILE]\n"
        "                      [--os exr|classic] [--factory-reset | --boot]\n"
        "  --state DIR  device state directory (default: $XR_DEVICE_STATE, else $HOME/xr-state)\n"
        "  --os OS      exr: IOS XR 64-bit (default), classic: 32-bit IOS XR (ASR9K 5.3.x);\n"
        "               overrides the os key of device.conf\n"
        "  --login      ask Username:/Password: (checked against device.conf) before the CLI\n"
        "  -c COMMAND   run one CLI command and exit (also taken from $SSH_ORIGINAL_COMMAND)\n"
        "  --factory-reset  forget packages, operations and sessions (device.conf and\n"
        "               harddisk: stay); the next start boots the image of device.conf\n"
        "  --boot       the machine has just booted (a VM's init, before any login): finish\n"
        "               the reload that rebooted it, or treat the restart as a reload\n"
        "  --command-log FILE  append \"<epoch_us> <hostname> <pid> <line>\" for every command\n"
        "               line received (default: $XR_COMMAND_LOG; none when empty)\n",
        stderr);
}

// /etc/passwd is read directly (no NSS) so that a static binary works in a minimal VM image.
bool passwd_entry(uid_t uid, std::string& name, std::string& home) {
    for (const auto& line : split(read_file_or("/etc/passwd"), '\n')) {
        auto f = split(line, ':');
        if (f.size() >= 6 && to_long(f[2], -1) == static_cast<long>(uid)) {
            name = f[0];
            home = f[5];
            return true;
        }
    }
    return false;
}

std::string default_user() {
    if (const char* u = getenv("USER"); u && *u) return u;
    std::string name, home;
    if (passwd_entry(getuid(), name, home)) return name;
    return "cisco";
}

// telnetd runs the login program as root; the CLI then continues as the owner of the state
// directory so that files written through telnet and through ssh keep one owner.
void drop_to_state_owner(const std::string& dir) {
    struct stat st;
    if (geteuid() != 0 || ::stat(dir.c_str(), &st) != 0 || st.st_uid == 0) return;
    std::string name, home;
    if (passwd_entry(st.st_uid, name, home)) {
        setenv("HOME", home.c_str(), 1);
        setenv("USER", name.c_str(), 1);
    }
    gid_t gid = st.st_gid;
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(st.st_uid) != 0) {
        std::fputs("cannot drop privileges\n", stderr);
        std::exit(1);
    }
}

bool login(Session& s) {
    s.term.write("\n\nUser Access Verification\n\n");
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::string user, pass;
        s.print("Username: ");
        s.flush();
        if (s.term.read_line(user, -1) != Term::Read::Line) return false;
        if (trim(user).empty()) {
            --attempt;
            continue;
        }
        if (!s.ask("Password: ", pass, true)) return false;
        if (trim(user) == s.cfg.username && pass == s.cfg.password) {
            s.user = trim(user);
            return true;
        }
        s.print("% Authentication failed\n\n");
    }
    s.flush();
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::string state, command, command_log, os;
    bool login_mode = std::strstr(basename_of(argv[0]).c_str(), "login") != nullptr;
    bool have_command = false, reset = false, boot = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--state" && i + 1 < argc) {
            state = argv[++i];
        } else if (a == "--command-log" && i + 1 < argc) {
            command_log = argv[++i];
        } else if (a == "--os" && i + 1 < argc) {
            os = argv[++i];
            if (os != "exr" && os != "classic") {
                usage();
                return 2;
            }
        } else if (a == "--factory-reset") {
            reset = true;
        } else if (a == "--boot") {
            boot = true;
        } else if (a == "--login") {
            login_mode = true;
        } else if (a == "-c" && i + 1 < argc) {
            command = argv[++i];
            have_command = true;
        } else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (!have_command) {
        if (const char* oc = getenv("SSH_ORIGINAL_COMMAND"); oc && *oc) {
            command = oc;
            have_command = true;
        }
    }
    if (command_log.empty()) {
        if (const char* e = getenv("XR_COMMAND_LOG"); e && *e) command_log = e;
    }
    if (state.empty()) {
        if (const char* e = getenv("XR_DEVICE_STATE"); e && *e) {
            state = e;
        } else {
            const char* home = getenv("HOME");
            state = std::string(home && *home ? home : "/tmp") + "/xr-state";
        }
    }
    if (!mkdirs(state, 0775)) {
        std::fprintf(stderr, "cannot use state directory %s\n", state.c_str());
        return 1;
    }
    drop_to_state_owner(state);  // before any state file is created
    if (reset) {
        Db::Lock lock(state);
        std::error_code ec;
        for (const char* sub : {"/db", "/repo", "/sessions"})
            std::filesystem::remove_all(state + sub, ec);
        return 0;
    }
    if (boot) {
        boot_device(load_config(state, os));
        return 0;
    }
    signal(SIGINT, SIG_IGN);  // ^C does not end an XR session
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);

    Config cfg = load_config(state, os);
    Term term(0, 1);
    Session s(cfg, term);
    {
        Db::Lock lock(state);
        s.db.load();  // creates the factory state on first use
    }
    // While the device reloads it does not accept logins: during its reload window, and when the
    // reload reboots the machine, until that boot completed it.
    if (now_real() < static_cast<double>(s.db.reload_until)) return 1;
    if (cfg.reload_reboots && s.db.reloading) return 1;
    s.boot_seen = s.db.boot_time;
    s.user = default_user();

    if (login_mode) {
        if (!login(s)) return 1;
    }
    if (have_command) {
        for (const auto& line : split(command, '\n')) {
            if (!command_log.empty()) log_command(command_log, now_us(), cfg.hostname, line);
            execute(s, line);
        }
        return 0;
    }
    register_session(state, s.user, getenv("SSH_CONNECTION") ? "ssh" : "telnet");
    s.print("\n\n");
    while (!s.done) {
        s.print(s.prompt());
        s.flush();
        std::string line;
        Term::Read r;
        while ((r = term.read_line(line, 500)) == Term::Read::Timeout) {
            if (!poll_events(s)) {
                unregister_session(state);
                return 0;
            }
        }
        if (r == Term::Read::Eof) break;
        long long arrived_us = now_us();  // before anything else touches the state files
        if (!poll_events(s)) break;
        if (!command_log.empty()) log_command(command_log, arrived_us, cfg.hostname, line);
        execute(s, line);
    }
    unregister_session(state);
    return 0;
}
