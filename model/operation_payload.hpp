#pragma once
/// @file
/// What an accepted operation carries in operations.payload when it is not a resource's or a
/// deployment's spec: one type per family of operations, written and read only through their
/// codec (model/xml/operation_payload_xml.hpp), so no workflow reads a payload's XML itself.

#include <optional>
#include <string>
#include <string_view>

namespace escd::model {

/// SERVICE_OPERATION, VM_OPERATION, RECOVER_VM, SCALE_OUT, SCALE_IN: what to do to a deployment.
struct DeploymentAction {
    /// stop, start, reboot, enable_monitoring, disable_monitoring (service and VM operations),
    /// recover, scale_out, scale_in.
    std::string operation{};
    std::string vm_name{};   ///< a VM operation's or a recovery's VM; empty for the whole service
    std::string vm_group{};  ///< a scale's group
    /// A recovery's origin: "manual" (POST .../recovery-vm/{vm}) or "auto" (the monitor).
    std::string trigger{};
    bool check_first = false;  ///< a manual recovery leaves a VM it finds alive
};

enum class MigrationType {
    kLive,  ///< the guest keeps running while it moves
    kCold,  ///< the guest is shut down, moved, and started again if it ran
};
/// "live", "cold".
std::string_view ToString(MigrationType type) noexcept;
std::optional<MigrationType> ParseMigrationType(std::string_view text) noexcept;

/// MIGRATE_VM: what a migrate-vm request asks for, as accepted.
struct MigrationPlan {
    std::string vm_name;
    MigrationType type = MigrationType::kLive;
    std::string source_host;  ///< the VM's host when the request was accepted
    std::string target_host;
    bool block_migration = false;
};

/// SNAPSHOT_VM, REVERT_SNAPSHOT, DELETE_SNAPSHOT, SNAPSHOT_VOLUME: the snapshot (its id, name
/// and VM, so that a rerun after the delete of its row still describes it), and the volume
/// made from it.
struct SnapshotTask {
    std::string snapshot_id;
    std::string name;
    std::string vm_name;
    std::string volume_id;  ///< SNAPSHOT_VOLUME only
};

}  // namespace escd::model
