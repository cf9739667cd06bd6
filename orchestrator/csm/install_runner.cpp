#include "orchestrator/csm/install_runner.hpp"

#include "common/log.hpp"
#include "model/stores/lease_store.hpp"
#include "orchestrator/csm/job_run.hpp"

namespace escd::orchestrator::csm {

InstallRunner::InstallRunner(asio::any_io_executor executor,
                             model::CsmStore& inventory,
                             model::CsmJobStore& jobs,
                             asio::thread_pool& blocking_pool,
                             Clock& clock,
                             InstallRunnerOptions options,
                             VnfMonitoring* vnf_monitoring)
    : executor_(std::move(executor)),
      inventory_(inventory),
      jobs_(jobs),
      pool_(blocking_pool),
      clock_(clock),
      options_(std::move(options)),
      vnf_monitoring_(vnf_monitoring) {}

asio::awaitable<void> InstallRunner::Run(model::csm::InstallJob job) {
    detail::JobRun run(std::move(job), inventory_, jobs_, pool_, clock_, options_, executor_,
                       vnf_monitoring_);
    try {
        co_await run.Run();
    } catch (const model::LeaseLost& e) {
        ESCD_WARN("csm") << "install job ended here: another node took it over (" << e.what()
                         << ")";
    }
}

}  // namespace escd::orchestrator::csm
