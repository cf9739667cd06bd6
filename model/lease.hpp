#pragma once
/// @file
/// model::LeaseKind — the units of work a node owns through a lease (docs/cluster.md, "Leases").

#include <string_view>

namespace escd::model {

/// What a lease is on. Stored as its text in `leases.unit_kind`.
enum class LeaseKind {
    /// A transaction: its operation while it runs, then the delivery of its callbacks, in order,
    /// until the last one is delivered or abandoned. Events no request caused (a monitor's
    /// VM_DOWN) are transactions without an operation.
    kTransaction,
    /// The monitoring of a deployment's VMs between its operations. The node that runs an
    /// operation on a deployment takes it at the operation's end, so that the watches follow
    /// what the operation changed; a dead node's are shared out by the takeovers.
    kDeploymentMonitor,
    /// A CSM install job while it runs (model/stores/csm_job_store.hpp): the node that claimed
    /// it when it was due, or took it over from a dead one.
    kInstallJob,
    /// A device a CSM install job runs on: at most one job per device at a time, cluster-wide.
    kCsmDevice,
};

constexpr std::string_view ToString(LeaseKind kind) {
    switch (kind) {
        case LeaseKind::kTransaction:
            return "transaction";
        case LeaseKind::kDeploymentMonitor:
            return "deployment_monitor";
        case LeaseKind::kInstallJob:
            return "install_job";
        case LeaseKind::kCsmDevice:
            return "csm_device";
    }
    return "?";
}

}  // namespace escd::model
