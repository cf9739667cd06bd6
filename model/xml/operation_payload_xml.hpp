#pragma once
/// @file
/// The codec of model/operation_payload.hpp: each payload type to the XML stored in
/// operations.payload and back. The element names are the stored format: operations accepted
/// before an upgrade are read by the next version, so a change here adds, never renames.
/// Reading throws Error(kInternal) naming the payload when the stored text is not one.

#include <string>
#include <string_view>

#include "model/operation_payload.hpp"

namespace escd::model::xml {

/// <operation><name/><vm_name/>?<vm_group/>?<trigger/>?<check_first/>?</operation>
std::string ToPayload(const DeploymentAction& action);
DeploymentAction DeploymentActionFromPayload(std::string_view payload);

/// <migration><vm_name/><migration_type/><source_host/><host/><block_migration/></migration>
std::string ToPayload(const MigrationPlan& plan);
MigrationPlan MigrationPlanFromPayload(std::string_view payload);

/// <snapshot_operation><snapshot_id/><name/><vm_name/><volume_id/>?</snapshot_operation>
std::string ToPayload(const SnapshotTask& task);
SnapshotTask SnapshotTaskFromPayload(std::string_view payload);

}  // namespace escd::model::xml
