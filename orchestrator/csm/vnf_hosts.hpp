#pragma once
/// @file
/// escd's VNFs as hosts of the CSM face (docs/csm.md, "escd's VNFs as hosts"): each VM of a
/// vm_group with a csm_host extension (model::CsmHostSpec) is a host while it lives.
///
/// - Registered once the VM is alive: hostname = the VM's name, address = that of the
///   extension's interface, region = the extension's or the tenant's (made, without
///   repositories, when missing), credentials = the extension's, rendered as day-0 templates
///   with the VM's day-0 values; discovered in the background (HostDiscovery).
/// - Refreshed, and discovered again, when the VM was made again (a recovery's redeploy, a
///   rolling upgrade: a new uuid) or moved (another compute host), or its address, credentials
///   or region changed.
/// - Retired when its VM is gone (undeploy, scale-in, a group removed): out of the inventory,
///   its scheduled jobs failed, its history kept (model::CsmStore::RetireHost).
///
/// VmsChanged is the fast path, after each committed step (VmFollower); Sync of every
/// deployment at start-up is the durable one. Work runs on a strand of its own, one deployment
/// at a time; a failure (the database away) is logged and the next change or start syncs again.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/host_discovery.hpp"
#include "orchestrator/deployment/vm_follower.hpp"

namespace escd::orchestrator::csm {

/// The host the csm_host extension `spec` makes of VM `vm` of deployment `deployment`.
model::csm::Host VnfHostOf(const model::DeploymentSpec& deployment,
                           const model::VmGroupSpec& group,
                           const model::CsmHostSpec& spec,
                           const model::VmRecord& vm);

class VnfHosts final : public VmFollower {
  public:
    VnfHosts(asio::any_io_executor executor, model::CsmStore& store, HostDiscovery& discovery);

    void VmsChanged(const model::DeploymentSpec& spec,
                    const std::vector<model::VmRecord>& vms) override;
    /// Syncs every claimed deployment, and retires the hosts of deployments that are gone.
    void Restarted(std::vector<Deployment> claimed) override;

    /// Makes the hosts of deployment `spec` what its VMs `vms` ask for (see above).
    asio::awaitable<void> Sync(model::DeploymentSpec spec, std::vector<model::VmRecord> vms);

    /// Tests: blocks until no queued or running Sync is left, or `timeout`; whether it was so.
    bool WaitIdleForTest(std::chrono::milliseconds timeout);

  private:
    /// Runs `work` on the strand, counted as pending until it ends; a failure is logged.
    void Queue(std::function<asio::awaitable<void>()> work, std::string what);
    /// Puts `host` unless it is stored as it is for the same VM (`identity`), then discovers
    /// it, trying for `discover_within` (HostDiscovery::DiscoverWhenUp).
    asio::awaitable<void> Register(const model::DeploymentSpec& spec,
                                   model::csm::Host host,
                                   const std::string& identity,
                                   std::chrono::seconds discover_within);
    void Done();

    asio::strand<asio::any_io_executor> strand_;
    model::CsmStore& store_;
    HostDiscovery& discovery_;
    /// On the strand: per hostname, the VM it was registered for ("<uuid>@<compute host>").
    std::map<std::string, std::string> registered_;
    std::mutex mutex_;
    /// Under mutex_: the deployments this process registered hosts for (a change that drops
    /// their last csm_host group still retires them), and the Syncs queued or running.
    std::set<std::string> deployments_;
    std::condition_variable idle_;
    std::size_t pending_ = 0;
};

}  // namespace escd::orchestrator::csm
