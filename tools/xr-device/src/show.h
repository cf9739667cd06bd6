// Outputs of the show commands, shaped like IOS XR 64-bit 6.x so that CSM/condoor regexes and
// parsers (show version, inventory, platform, install lists, install log) work on them; and the
// helpers the outputs of classic IOS XR (classic_show.cpp) use too.
#pragma once

#include <string>
#include <vector>

#include "session.h"

namespace xr {

void show_version(Session& s);
void admin_show_version(Session& s);
void show_inventory(Session& s, bool chassis_only);
void admin_show_inventory(Session& s, bool chassis_only);
void show_platform(Session& s);
void admin_show_platform(Session& s);
// what: active | inactive | committed
void show_install(Session& s, const std::string& what, bool summary);
void admin_show_install(Session& s, const std::string& what, bool summary);
void show_install_repository(Session& s);
void show_install_request(Session& s);
// id 0: all operations. reverse: newest first.
void show_install_log(Session& s, int id, bool detail, bool reverse);
void show_running_config(Session& s);
void show_logging(Session& s, long last);
void show_config_failed_startup(Session& s);
void show_users(Session& s);
void show_clock(Session& s);
void dir_disk(Session& s, const std::string& disk);

// Name a package has in the lists of a plane (active images show as <prefix>-xr-<ver>).
std::string display_name(const Config& c, const Package& p, bool admin_plane);

// --- helpers the outputs of both modes share (show.cpp, classic_show.cpp) ---------------------
std::string pad(const std::string& s, size_t w);  // s and blanks to w columns, at least one blank
void load_db(Session& s);                         // reads the database, under its lock
// Whether the line cards still boot after a reload (node_settle_seconds). Loads the database.
bool nodes_settling(Session& s);
// The install operation in progress, if any. Loads the database.
bool running_op(Session& s, Op& op);
// The operations `show install log` shows (id 0: all; reverse: newest first). None when there is
// nothing to show: then it printed not_found (no operation id), or none (no operation at all),
// the latter past the output filters.
std::vector<int> logged_ops(
    Session& s, int id, bool reverse, const std::string& not_found, const std::string& none);

}  // namespace xr
