#pragma once
/// @file
/// What follows a deployment's VMs from outside the engine (the CSM face's hosts of escd's VNFs:
/// orchestrator/csm/vnf_hosts.hpp): told after each committed step that wrote or removed VMs,
/// with the deployment's VMs as they are now. A fast path only: what it keeps must also be
/// reconciled from the committed VMs at start-up, since a process may die between a commit and
/// the call.

#include <string>
#include <vector>

#include "model/deployment.hpp"
#include "model/vm_record.hpp"

namespace escd::orchestrator {

class VmFollower {
  public:
    virtual ~VmFollower() = default;
    /// Called on the deployment's strand: must not block (queue the work).
    virtual void VmsChanged(const model::DeploymentSpec& spec,
                            const std::vector<model::VmRecord>& vms) = 0;
    /// At start-up, once the engine claimed its deployments (engine_reconcile.cpp): each with
    /// its VMs, to reconcile from. Must not block.
    struct Deployment {
        model::DeploymentSpec spec;
        std::vector<model::VmRecord> vms;
    };
    virtual void Restarted(std::vector<Deployment> claimed) = 0;
};

}  // namespace escd::orchestrator
