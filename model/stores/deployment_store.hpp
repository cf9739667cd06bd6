#pragma once
/// @file
/// model::DeploymentStore — the role of the store that keeps deployments beyond their resource
/// row: the accept of a deployment or of its update, the steps its workflow commits (VMs,
/// service state, addresses, with their events), and their reads. Conventions:
/// model/stores/resource_store.hpp.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/vm_record.hpp"

namespace escd::model {

/// A deployment with what its readers show and act on (GET, the monitor, the workflows), read
/// together in one trip to the store (DeploymentStore::ReadDeployment).
struct StoredDeployment {
    ResourceRecord record;
    std::optional<ServiceState> service;  ///< nullopt: no service row yet (ServiceStateOf)
    std::vector<VmRecord> vms;            ///< by group and index
    std::string tenant_external_id;       ///< "" while its tenant has none
};

/// A step's address was committed first by another step (another node's: ip_allocations decides
/// across nodes, docs/cluster.md). Nothing of the step is written. Retryable: the operation runs
/// again from its last committed step and chooses anew.
class AddressTaken : public Error {
  public:
    AddressTaken(std::string network_id, const std::string& address)
        : Error(ErrorOrigin::kDatabase,
                ErrorCode::kUnavailable,
                "address " + address + " on network " + network_id +
                    " was taken by another step; choosing again"),
          network_id_(std::move(network_id)) {}
    const std::string& network_id() const { return network_id_; }

  private:
    std::string network_id_;
};

class DeploymentStore {
  public:
    virtual ~DeploymentStore() = default;

    /// Inserts the deployment (CREATING, parent its tenant), its service (DEPLOYING) and `op`;
    /// when the tenant does not exist, also the tenant (CREATING, to be created by `op`).
    /// kConflict when the id is used, or the tenant is being deleted or the id of another kind.
    /// `uses` lists the (kind, id) of the images, flavors and networks it names: deleting one
    /// of them is refused (409) while the deployment exists. `declared` are the networks and
    /// subnets the datamodel declares: inserted CREATING (kConflict when an id is used).
    virtual asio::awaitable<void> AcceptDeployment(const ResourceRecord& deployment,
                                                   const Operation& op,
                                                   const std::vector<ResourceKey>& uses,
                                                   const std::vector<ResourceRecord>& declared) = 0;
    /// PUT of a deployment: moves it to UPDATING (kNotFound, kConflict as
    /// ResourceStore::AcceptUpdate) and records `op` (whose payload is the new datamodel); `uses`
    /// (of the new datamodel) join what it uses until the update's last step says what remains.
    /// `declared`: the networks and subnets the new datamodel declares first, inserted CREATING
    /// (kConflict when an internal id is taken) for the update to create.
    virtual asio::awaitable<void> AcceptDeploymentUpdate(
        const Operation& op,
        const std::vector<ResourceKey>& uses,
        const std::vector<ResourceRecord>& declared) = 0;
    /// DELETE of a deployment: moves it to DELETING and records `op`. While an operation runs
    /// on it, kConflict, unless that operation is one an undeploy cancels (UndeployCancels): its
    /// row is then marked cancelled by `op` in the same transaction (OperationStore::CancelledBy)
    /// and `op` runs once it has ended. kNotFound when absent.
    virtual asio::awaitable<void> AcceptUndeploy(const Operation& op) = 0;
    /// Commits one step of a deployment workflow and returns its outbox rows. AddressTaken when
    /// one of its allocations is another VM's.
    virtual asio::awaitable<std::vector<OutboxRow>> RecordDeploymentStep(
        const DeploymentStep& step) = 0;

    /// A deployment with its service state, VMs and tenant's external id; nullopt when there is
    /// no deployment `deployment_id`.
    virtual asio::awaitable<std::optional<StoredDeployment>> ReadDeployment(
        const std::string& deployment_id) = 0;
    /// Every deployment so, by internal id: a fixed number of queries however many there are.
    virtual asio::awaitable<std::vector<StoredDeployment>> ReadDeployments() = 0;
    /// Every VM of every deployment, by deployment, group and index (reconciliation).
    virtual asio::awaitable<std::vector<VmRecord>> ListAllVms() = 0;
    /// One VM by name.
    virtual asio::awaitable<std::optional<VmRecord>> GetVm(const std::string& vm_name) = 0;
    /// Addresses allocated on a network.
    virtual asio::awaitable<std::vector<std::string>> AllocatedAddresses(
        const std::string& network_id) = 0;
};

}  // namespace escd::model
