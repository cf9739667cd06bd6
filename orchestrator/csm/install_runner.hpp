#pragma once
/// @file
/// InstallRunner: runs a claimed CSM install job on its device (docs/csm.md, "Running a job").
///
/// A job is a walk through install_steps.hpp's table: the runner carries out the step the
/// table reached (typing commands through a DeviceSession, reading the answers with the eXR
/// parsers), and the table decides the next one from how it ended. Each step entered is
/// recorded with the job (RecordJobProgress, fenced on the job's lease), with the install
/// operation once started; a job taken over after a crash resumes from that record. The whole
/// conversation is in the job's `session.log` (passwords masked), the captures beside it
/// (job_log.hpp).
///
/// A job that may reload one of escd's VNFs (Activate, Deactivate on a host with a
/// vnf_deployment) holds that VM's monitoring from before it connects until after its end,
/// whatever the end (vnf_monitoring.hpp; docs/csm.md, "Install jobs on escd's VNFs").
///
/// Nothing here blocks an Asio thread: the device sessions are asynchronous, files are written
/// on the blocking pool, waits are the clock's.

#include <chrono>
#include <filesystem>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "common/clock.hpp"
#include "model/stores/csm_job_store.hpp"
#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/job_scheduler.hpp"
#include "orchestrator/csm/vnf_monitoring.hpp"

namespace escd::orchestrator::csm {

struct InstallRunnerOptions {
    std::filesystem::path log_dir;  ///< `[csm] log_dir`
    CidrList allowed_addresses;     ///< `[csm] device_allowed_cidrs`
    std::chrono::milliseconds connect_timeout{60'000};
    std::chrono::milliseconds command_timeout{300'000};
    /// How often a running operation, a reloading device and its nodes are looked at.
    std::chrono::milliseconds poll{10'000};
    std::chrono::milliseconds reload_timeout{3'600'000};
    std::chrono::milliseconds operation_timeout{7'200'000};
};

class InstallRunner final : public JobRunner {
  public:
    /// Sessions and jobs run on strands of `executor`; files are written on `blocking_pool`.
    /// `vnf_monitoring`: holds the monitoring of escd's VNFs while a job may reload one (none:
    /// no job runs on a VNF of this escd).
    InstallRunner(asio::any_io_executor executor,
                  model::CsmStore& inventory,
                  model::CsmJobStore& jobs,
                  asio::thread_pool& blocking_pool,
                  Clock& clock,
                  InstallRunnerOptions options,
                  VnfMonitoring* vnf_monitoring = nullptr);

    asio::awaitable<void> Run(model::csm::InstallJob job) override;

  private:
    asio::any_io_executor executor_;
    model::CsmStore& inventory_;
    model::CsmJobStore& jobs_;
    asio::thread_pool& pool_;
    Clock& clock_;
    InstallRunnerOptions options_;
    VnfMonitoring* vnf_monitoring_;
};

}  // namespace escd::orchestrator::csm
