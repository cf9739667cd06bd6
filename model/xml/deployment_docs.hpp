#pragma once
/// @file
/// The documents escd sends about a deployment: the callback of each event (a <deployment> with
/// deployment_stage, the service state, and for per-VM events <deployment_details>, as in the
/// reference's VM_DEPLOYED / VM_ALIVE / SERVICE_ALIVE examples), and the GET answers (the
/// deployment with its operational state: the service state and every VM).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/deployment.hpp"
#include "model/vm_record.hpp"

namespace escd::model::xml {

struct DeploymentView {
    const DeploymentSpec* spec = nullptr;
    std::string external_id;
    std::string tenant_external_id;
    ServiceState service = ServiceState::kDeploying;
    std::vector<VmRecord> vms;

    /// The VMs of group `group`, in the view's order.
    std::vector<VmRecord> MembersOf(std::string_view group) const {
        std::vector<VmRecord> members;
        for (const auto& vm : vms)
            if (vm.vm_group == group) members.push_back(vm);
        return members;
    }
};

/// One event callback; `vm` null for service-level events (SERVICE_ALIVE, ...). When `replaced`
/// is given (a VM redeployed by recovery), <deployment_details> also carries <vm_source> (the VM
/// as it was: its old uuid and host) and <vm_target> (as it is now), the shape ESC's recovery
/// events have and NSO reads the new addresses from.
std::string DeploymentEventDocument(const DeploymentView& deployment,
                                    std::string_view stage,
                                    const VmRecord* vm,
                                    const VmRecord* replaced = nullptr);

/// The callback of an operation on deployment `deployment_id` that reports only its stage, with
/// nothing of the view (none may be loaded): a <deployment> with deployment_stage and
/// internal_deployment_id. An operation that failed as a whole (SERVICE_ALIVE, ... with its
/// failure) and one that waits for its VIM (VIM_UNAVAILABLE) send it.
std::string DeploymentStageDocument(std::string_view stage, std::string_view deployment_id);

/// The <esc_event> of a single-VM operation (VM_STOP_COMPLETE, ...), with its <vm_source>.
std::string VmEventDocument(const DeploymentView& deployment,
                            std::string_view event_type,
                            const VmRecord& vm);
/// The same with <event_details> holding one element per (name, text): what the event is
/// about beyond the VM (the snapshot of a VM_SNAPSHOT_COMPLETE, the hosts of a migration).
std::string VmEventDocument(const DeploymentView& deployment,
                            std::string_view event_type,
                            const VmRecord& vm,
                            const std::vector<std::pair<std::string, std::string>>& details);

/// GET /v0/deployments/{id}.
std::string DeploymentDocument(const DeploymentView& deployment);
/// GET /v0/deployments.
std::string DeploymentListDocument(const std::vector<DeploymentView>& deployments);

/// The <interfaces> XML stored with a VM, and back.
struct AllocatedNic {
    int nicid = 0;
    std::string network;
    std::string network_uuid;
    std::string subnet;
    std::string ip_address;
    std::string mac_address;
    std::string netmask;
    std::string gateway;
};
std::string StoredInterfaces(const std::vector<AllocatedNic>& nics);
std::vector<AllocatedNic> InterfacesFromStored(std::string_view stored);

}  // namespace escd::model::xml
