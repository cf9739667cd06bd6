#pragma once
/// @file
/// Running helper programs (initdb, pg_ctl) at start-up and shutdown. Blocking by design: used
/// only before the io_context runs or after it stopped.

#include <string>
#include <vector>

namespace escd {

/// Runs argv[0] (PATH lookup) with `argv`, stdout and stderr appended to `log_path` (or
/// inherited when empty); waits and returns the exit status (128+signal when killed).
/// Throws std::runtime_error when it cannot start the program.
int RunProcess(const std::vector<std::string>& argv, const std::string& log_path = {});

/// When escd runs as root, PostgreSQL's tools must run as an unprivileged user: returns
/// {"runuser", "-u", "postgres", "--"} as root and {} otherwise.
std::vector<std::string> UnprivilegedPrefix();

}  // namespace escd
