#pragma once
/// @file
/// The CSM face's install job routes (docs/csm.md, "Install jobs"): POST /install (every item
/// checked before any job is created; then the jobs host by host in CSM's action order, each
/// with its dependency), GET /install with its filters, DELETE /install/delete with the
/// cascade to the jobs that depended on a deleted one, GET /install/logs/{id} (the job's log
/// directory as a zip, docs/csm.md "Session logs").

#include <filesystem>
#include <functional>

#include "common/asio.hpp"
#include "model/stores/csm_job_store.hpp"
#include "model/stores/csm_store.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

struct InstallRouteDeps {
    model::CsmStore& inventory;
    model::CsmJobStore& jobs;
    /// Called once jobs were created: the scheduler looks at once (a job due now runs now).
    std::function<void()> jobs_created;
    /// Reads the log files and builds their zip, off the Asio threads.
    asio::thread_pool& blocking_pool;
    std::filesystem::path log_dir;  ///< `[csm] log_dir`: a directory per job (job_log.hpp)
};

void RegisterInstallRoutes(Router& router, InstallRouteDeps deps);

}  // namespace escd::server::csm
