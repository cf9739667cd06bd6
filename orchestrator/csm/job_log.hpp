#pragma once
/// @file
/// Where an install job's logs live (docs/csm.md, "Session logs"): one directory per job below
/// `[csm] log_dir`, which a cluster's nodes share, so that the node that answers
/// `GET /api/v1/install/logs/{id}` need not be the one that ran the job, and a job taken over
/// after a crash appends to the same `session.log`.
///
/// A job's directory holds `session.log` (the CLI transcript, passwords masked), one
/// `<command>.txt` per captured command (CommandFileName, exr_text.hpp) and, for a Post-Upgrade,
/// one `<command>.txt.diff.html` per capture its Pre-Upgrade also made.

#include <cstdint>
#include <filesystem>
#include <string>

namespace escd::orchestrator::csm {

/// `<log_dir>/<id>`: the id alone (never reused) rather than CSM's address-and-time name, which
/// a takeover on another node could not find again.
inline std::filesystem::path JobLogDir(const std::filesystem::path& log_dir, std::int64_t id) {
    return log_dir / std::to_string(id);
}

inline constexpr const char* kSessionLogName = "session.log";

}  // namespace escd::orchestrator::csm
