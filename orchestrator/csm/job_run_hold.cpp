// The monitoring hold of an install job on one of escd's VNFs (vnf_monitoring.hpp; docs/csm.md,
// "Install jobs on escd's VNFs"). A job that may reload its device (MayReload) turns the VM's
// monitoring off before it connects and on again after its last step, whatever its end, before
// its end is written:
// - the hold is recorded with the job (JobProgress::monitoring_held) before it is asked for, so a
//   job cut by a crash (or taken over by another node) resumes holding it and releases it at its
//   end; a job cut after the release was accepted holds it again when it resumes and releases
//   it again at its end;
// - a VM whose monitoring was off before the job (an operator's disable_monitoring) is left as
//   it is: the job neither holds nor releases it;
// - the release is an accepted enable_monitoring: the VM has its bootup_time to prove alive, or
//   recovery follows its policy. So a device that did not come back by the job's reload
//   deadline fails its job, and the VM is then recovered.

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/stores/lease_store.hpp"
#include "orchestrator/csm/job_run.hpp"

namespace escd::orchestrator::csm::detail {

std::string JobRun::MonitoringReason() const {
    return "CSM install job " + std::to_string(job_.id) + " (" +
           std::string(model::csm::InstallActionName(job_.action)) + ")";
}

asio::awaitable<bool> JobRun::HoldMonitoring() {
    if (vnf_monitoring_ == nullptr || !MayReload(job_.action)) co_return true;
    const auto host = co_await inventory_.GetHost(job_.hostname);
    if (!host || host->vnf_deployment.empty()) co_return true;
    vnf_deployment_ = host->vnf_deployment;
    const auto& vm = job_.hostname;
    const auto why = MonitoringReason();
    try {
        if (!resumed_.monitoring_held) {
            const bool on = co_await vnf_monitoring_->MonitoringOn(vnf_deployment_, vm);
            if (!on) {
                transcript_->Note("the monitoring of VM " + vm + " (deployment " + vnf_deployment_ +
                                  ") is off already: left as it is");
                co_return true;
            }
            progress_.monitoring_held = true;
            const auto doing = "holding the monitoring of VM " + vm;
            co_await Record(InstallStep::kConnect, doing);
        }
        co_await vnf_monitoring_->Hold(vnf_deployment_, vm, why, options_.connect_timeout);
    } catch (const model::LeaseLost&) {
        throw;  // another node runs the job now
    } catch (const Error& e) {
        failure_ = "The monitoring of VM " + vm + " (deployment " + vnf_deployment_ +
                   ") could not be turned off for the job: " + e.what();
        co_return false;
    }
    transcript_->Note("the monitoring of VM " + vm + " (deployment " + vnf_deployment_ +
                      ") is off until the job ends");
    ESCD_INFO("csm") << "install job " << job_.id << ": the monitoring of VM " << vm << " is held";
    co_return true;
}

asio::awaitable<void> JobRun::ReleaseMonitoring() {
    if (!progress_.monitoring_held) co_return;
    const auto& vm = job_.hostname;
    const auto why = MonitoringReason();
    // Worth waiting for, as the job's end is: a monitoring left off would never come back.
    for (int attempt = 1;; ++attempt) {
        std::string trouble;
        try {
            co_await vnf_monitoring_->Release(vnf_deployment_, vm, why);
            break;
        } catch (const model::LeaseLost&) {
            throw;
        } catch (const Error& e) {
            trouble = e.what();
            if (!e.retryable() || attempt == kDatabaseAttempts) {
                // Said with the job, for the operator to turn it on (enable_monitoring).
                job_.warnings_or_errors.push_back("The monitoring of VM " + vm +
                                                  " could not be turned on again: " + trouble);
                ESCD_ERROR("csm") << "install job " << job_.id << ": "
                                  << job_.warnings_or_errors.back();
                co_return;
            }
        }
        ESCD_WARN("csm") << "install job " << job_.id << ": the monitoring of VM " << vm
                         << " is not on again yet: " << trouble;
        co_await Pause();
    }
    transcript_->Note("the monitoring of VM " + vm + " is on again");
    ESCD_INFO("csm") << "install job " << job_.id << ": the monitoring of VM " << vm
                     << " is on again";
}

}  // namespace escd::orchestrator::csm::detail
