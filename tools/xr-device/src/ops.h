// Helpers the install operations of both modes share (install.cpp: IOS XR 64-bit,
// classic_install.cpp: classic IOS XR): time, the detached background worker, progress, answers.
#pragma once

#include <functional>
#include <string>

#include "state.h"

namespace xr {

long now_s();               // seconds since the epoch
void pause_s(double secs);  // sleeps; nothing for secs <= 0
// Double fork + setsid: the worker is re-parented to init, has no controlling terminal and keeps
// running after the session (and its sshd/telnetd connection) is gone. A non-zero op_id gets the
// worker's pid recorded in the operation (a dead worker then counts as aborted).
void spawn_detached(const std::string& dir, int op_id, std::function<void()> fn);
void set_percent(Db& db, int id, int pct);
// "y"/"yes" (any case); an empty answer counts when empty_is_yes.
bool yes(const std::string& answer, bool empty_is_yes);
// Whether the name contains one of the comma-separated substrings of reload_patterns.
bool matches_reload_pattern(const Config& c, const std::string& name);

}  // namespace xr
