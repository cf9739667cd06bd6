// One CLI session (an SSH or telnet login, or one exec command) and the command tables of the
// two planes: the XR plane (RP/0/RP0/CPU0:host#) and the admin plane (sysadmin-vm:0_RP0#).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "state.h"
#include "term.h"

namespace xr {

struct Session {
    Session(const Config& c, Term& t) : cfg(c), db(c), term(t) {}
    Config cfg;
    Db db;
    Term& term;
    std::string user = "cisco";
    bool timestamps = true;   // until "terminal exec prompt no-timestamp"
    bool admin = false;       // in the admin (sysadmin-vm) plane
    bool done = false;        // exit requested
    std::string out;          // output of the running command, filtered before it is shown
    std::vector<int> my_ops;  // operations started here whose end is still to be announced
    long boot_seen = 0;       // boot_time at login: a change means the device reloaded

    std::string prompt() const;
    void print(const std::string& s) { out += s; }
    void flush() {
        term.write(out);
        out.clear();
    }
    // Shows a question and reads the answer (interactive prompts such as Password:).
    bool ask(const std::string& question, std::string& answer, bool secret = false);
};

// Runs one typed line: parsing, error reporting, the command, output filters.
void execute(Session& s, const std::string& line);
// Periodic work while waiting for input: announces finished operations of this session and
// notices a reload. Returns false when the session must end.
bool poll_events(Session& s);

}  // namespace xr
