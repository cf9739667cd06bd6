// Classic IOS XR (32-bit: ASR9K 4.x-6.x, CRS, XR12K), selected by os=classic in device.conf or
// --os classic. Install commands live in the admin plane (`admin install ... async`, or admin
// mode RP/0/RSP0/CPU0:host(admin)#), packages are pies listed as disk0:<name>, and operations
// report `Install operation N '(admin) ...' started by user 'u' via CLI at ...` /
// `Install operation N completed successfully at ...` / `... failed at ...`.
// classic_commands.cpp: command tables; classic_install.cpp: install operations;
// classic_show.cpp: outputs.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "cli.h"
#include "session.h"

namespace xr {

// Command table of exec mode (admin commands reachable as `admin <command>`), or of admin mode.
const Grammar& classic_grammar(bool admin_mode);

// --- install operations (classic_install.cpp) --------------------------------------------------
// `words` is what followed the verb: packages (or `id N...`) and the options prompt-level X,
// async / asynchronous / synchronous, parallel-reload, test, pause X, location X.
void classic_install_add(Session& s,
                         const std::string& source,
                         const std::vector<std::string>& words);
void classic_install_activate(Session& s, const std::vector<std::string>& words, bool deactivate);
void classic_install_remove(Session& s, const std::vector<std::string>& words);
void classic_install_remove_inactive(Session& s, const std::vector<std::string>& words);
void classic_install_commit(Session& s);
// What the session that started async operation `id` sees when it ends: the lines its worker
// logged, down to `Install operation N completed successfully at ...` ("" while it runs).
std::string classic_end_text(Session& s, int id);

// "10:00:05 UTC Mon Dec 07 2020": how classic XR stamps install messages.
std::string classic_ts(time_t t);
// "Install operation N completed successfully at <ts>." or "Install operation N failed at <ts>."
std::string classic_end_line(int id, bool ok, time_t t);
// How the lists show a package: disk0:<name>.
std::string classic_disk_name(const std::string& name);

// --- outputs (classic_show.cpp) -------------------------------------------------------------
void classic_show_version(Session& s, bool brief);
void classic_show_inventory(Session& s);
void classic_show_platform(Session& s);
// what: active | inactive | committed | all (show install summary)
void classic_show_install(Session& s, const std::string& what, bool summary);
void classic_show_install_request(Session& s);
// id 0: every operation; reverse: newest first.
void classic_show_install_log(Session& s, int id, bool detail, bool reverse);

}  // namespace xr
