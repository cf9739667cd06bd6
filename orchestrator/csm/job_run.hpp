#pragma once
/// @file
/// One install job's run (install_runner.hpp): the state its steps share, and the steps, each
/// reporting how it ended to the table of install_steps.hpp. Internal to the runner; the steps
/// are split by kind: job_run.cpp (the walk, connect, discover, the job's end),
/// job_run_hold.cpp (the monitoring hold of a VNF),
/// job_run_checks.cpp (Pre-/Post-Upgrade), job_run_packages.cpp (the install operations).

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "model/csm/install_job.hpp"
#include "model/stores/csm_job_store.hpp"
#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/device/device_session.hpp"
#include "orchestrator/csm/install_runner.hpp"
#include "orchestrator/csm/install_steps.hpp"
#include "orchestrator/csm/job_log.hpp"
#include "orchestrator/csm/vnf_monitoring.hpp"
#include "orchestrator/csm/xr_commands.hpp"

namespace escd::orchestrator::csm::detail {

class JobRun {
  public:
    JobRun(model::csm::InstallJob job,
           model::CsmStore& inventory,
           model::CsmJobStore& jobs,
           asio::thread_pool& pool,
           Clock& clock,
           const InstallRunnerOptions& options,
           asio::any_io_executor executor,
           VnfMonitoring* vnf_monitoring)
        : job_(std::move(job)),
          inventory_(inventory),
          jobs_(jobs),
          pool_(pool),
          clock_(clock),
          options_(options),
          executor_(std::move(executor)),
          vnf_monitoring_(vnf_monitoring),
          dir_(JobLogDir(options.log_dir, job_.id)),
          resumed_(ParseProgress(job_.progress)),
          progress_(resumed_) {
        // A job that had typed its command resumes watching; anything before that runs again.
        resuming_ = !job_.progress.empty();
    }

    asio::awaitable<void> Run();

  private:
    asio::awaitable<StepOutcome> PerformSurvivingTheDatabase(InstallStep step);
    asio::awaitable<StepOutcome> Perform(InstallStep step);
    asio::awaitable<StepOutcome> Connect();
    asio::awaitable<StepOutcome> Discover();
    asio::awaitable<StepOutcome> CheckNodes();
    asio::awaitable<StepOutcome> Capture();
    asio::awaitable<StepOutcome> Diff();
    asio::awaitable<StepOutcome> ReadBefore();
    asio::awaitable<StepOutcome> Issue();
    asio::awaitable<StepOutcome> Watch();
    asio::awaitable<StepOutcome> AwaitReload();
    asio::awaitable<StepOutcome> ReadAfter();
    asio::awaitable<void> Finish(bool completed);
    /// Before the first step: the monitoring of the VNF the job may reload is turned off (and
    /// that recorded); false when it could not be (failure_ says why: the job fails).
    asio::awaitable<bool> HoldMonitoring();
    /// After the last step, before the job's end is written: turned on again.
    asio::awaitable<void> ReleaseMonitoring();
    /// "CSM install job 12 (Activate)": the trigger of the monitoring switches.
    std::string MonitoringReason() const;

    /// g++ 12: the command is a named string at every call (no temporary in a co_await).
    asio::awaitable<std::string> Command(std::string_view command);
    asio::awaitable<std::vector<std::string>> Packages(PackageList list);
    asio::awaitable<std::optional<int>> NewestOperation();
    asio::awaitable<void> Record(InstallStep step, const std::string& doing);
    asio::awaitable<void> Pause() { co_await clock_.Wait(options_.poll); }
    StepOutcome Fail(std::string message, std::string trace = "") {
        failure_ = std::move(message);
        if (!trace.empty()) job_.trace = std::move(trace);
        return StepOutcome::kFailed;
    }
    // A device error in a step: before the install command was typed the job fails; after, the
    // device may be busy with it (or reloading), and the job waits for it.
    StepOutcome DeviceTrouble(const DeviceError& error) {
        if (progress_.operation || progress_.step >= InstallStep::kIssue) return StepOutcome::kLost;
        return Fail(error.what());
    }
    const XrCommands& commands() const { return *commands_; }
    static bool Listed(const std::vector<std::string>& list, const std::string& item) {
        return std::find(list.begin(), list.end(), item) != list.end();
    }
    /// How often a step is tried while the database does not answer (a poll apart).
    static constexpr int kDatabaseAttempts = 60;

    model::csm::InstallJob job_;
    model::CsmStore& inventory_;
    model::CsmJobStore& jobs_;
    asio::thread_pool& pool_;
    Clock& clock_;
    const InstallRunnerOptions& options_;
    asio::any_io_executor executor_;
    VnfMonitoring* vnf_monitoring_;
    std::string vnf_deployment_;  // the deployment of the VNF whose monitoring is held
    std::filesystem::path dir_;
    JobProgress resumed_;
    JobProgress progress_;
    bool resuming_ = false;

    ConnectionPlan plan_;  // kConnect: how the device is reached, again after a reload
    std::unique_ptr<Transcript> transcript_;
    std::unique_ptr<DeviceSession> session_;
    std::optional<XrCommands> commands_;
    std::vector<std::string> targets_;   // kReadBefore: the packages to act on
    std::vector<std::string> captures_;  // kCapture: the files written
    std::string failure_;
};

}  // namespace escd::orchestrator::csm::detail
