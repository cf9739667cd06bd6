// Outputs of the show commands, shaped like IOS XR 64-bit 6.x so that CSM/condoor regexes and
// parsers (show version, inventory, platform, install lists, install log) work on them.
#pragma once

#include <string>

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

}  // namespace xr
