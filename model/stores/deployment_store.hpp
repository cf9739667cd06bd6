#pragma once
/// @file
/// model::DeploymentStore — the role of the store that keeps deployments beyond their resource
/// row: the accept of a deployment or of its update, the steps its workflow commits (VMs,
/// service state, addresses, with their events), and their reads. Conventions:
/// model/stores/resource_store.hpp.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/vm_record.hpp"

namespace escd::model {

class DeploymentStore {
  public:
    virtual ~DeploymentStore() = default;

    /// Inserts the deployment (CREATING, parent its tenant), its service (DEPLOYING) and `op`;
    /// when the tenant does not exist, also the tenant (CREATING, to be created by `op`).
    /// kConflict when the id is used, or the tenant is being deleted or the id of another kind.
    /// `uses` lists the (kind, id) of the images, flavors and networks it names: deleting one
    /// of them is refused (409) while the deployment exists. `declared` are the networks and
    /// subnets the datamodel declares: inserted CREATING (kConflict when an id is used).
    virtual asio::awaitable<void> AcceptDeployment(
        const ResourceRecord& deployment,
        const Operation& op,
        const std::vector<std::pair<std::string, std::string>>& uses,
        const std::vector<ResourceRecord>& declared) = 0;
    /// PUT of a deployment: moves it to UPDATING (kNotFound, kConflict as
    /// ResourceStore::AcceptUpdate) and records `op` (whose payload is the new datamodel); `uses`
    /// (of the new datamodel) join what it uses until the update's last step says what remains.
    virtual asio::awaitable<void> AcceptDeploymentUpdate(
        const Operation& op, const std::vector<std::pair<std::string, std::string>>& uses) = 0;
    /// Commits one step of a deployment workflow and returns its outbox rows.
    virtual asio::awaitable<std::vector<OutboxRow>> RecordDeploymentStep(
        const DeploymentStep& step) = 0;

    /// The service state of a deployment; nullopt when there is none.
    virtual asio::awaitable<std::optional<ServiceState>> GetServiceState(
        const std::string& deployment_id) = 0;
    /// The service state of every deployment (lists).
    virtual asio::awaitable<std::map<std::string, ServiceState>> ListServiceStates() = 0;
    /// The VMs of a deployment by group and index.
    virtual asio::awaitable<std::vector<VmRecord>> ListVms(const std::string& deployment_id) = 0;
    /// Every VM of every deployment, by deployment, group and index (lists).
    virtual asio::awaitable<std::vector<VmRecord>> ListAllVms() = 0;
    /// One VM by name.
    virtual asio::awaitable<std::optional<VmRecord>> GetVm(const std::string& vm_name) = 0;
    /// Addresses allocated on a network.
    virtual asio::awaitable<std::vector<std::string>> AllocatedAddresses(
        const std::string& network_id) = 0;
};

}  // namespace escd::model
