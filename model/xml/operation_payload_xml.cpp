#include "model/xml/operation_payload_xml.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/stored_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
void AppendIfSet(pugi::xml_node root, const char* name, const std::string& text) {
    if (!text.empty()) AppendText(root, name, text);
}
}  // namespace

std::string ToPayload(const DeploymentAction& action) {
    pugi::xml_document doc;
    auto root = doc.append_child("operation");
    AppendText(root, "name", action.operation);
    AppendIfSet(root, "vm_name", action.vm_name);
    AppendIfSet(root, "vm_group", action.vm_group);
    AppendIfSet(root, "trigger", action.trigger);
    if (action.check_first) AppendBool(root, "check_first", true);
    return Compact(doc);
}

DeploymentAction DeploymentActionFromPayload(std::string_view payload) {
    const StoredXml stored(payload, "operation payload", "operation");
    return {stored.Text("name"), stored.Text("vm_name"), stored.Text("vm_group"),
            stored.Text("trigger"), stored.Bool("check_first", false)};
}

std::string ToPayload(const MigrationPlan& plan) {
    pugi::xml_document doc;
    auto root = doc.append_child("migration");
    AppendText(root, "vm_name", plan.vm_name);
    AppendText(root, "migration_type", ToString(plan.type));
    AppendText(root, "source_host", plan.source_host);
    AppendText(root, "host", plan.target_host);
    AppendBool(root, "block_migration", plan.block_migration);
    return Compact(doc);
}

MigrationPlan MigrationPlanFromPayload(std::string_view payload) {
    const StoredXml stored(payload, "migration payload", "migration");
    const auto type_text = stored.Text("migration_type");
    const auto type = ParseMigrationType(type_text);
    if (!type) {
        throw Error(ErrorCode::kInternal,
                    "stored migration payload has migration_type '" + type_text + "'");
    }
    return {stored.Text("vm_name"), *type, stored.Text("source_host"), stored.Text("host"),
            stored.Bool("block_migration", false)};
}

std::string ToPayload(const SnapshotTask& task) {
    pugi::xml_document doc;
    auto root = doc.append_child("snapshot_operation");
    AppendText(root, "snapshot_id", task.snapshot_id);
    AppendText(root, "name", task.name);
    AppendText(root, "vm_name", task.vm_name);
    AppendIfSet(root, "volume_id", task.volume_id);
    return Compact(doc);
}

SnapshotTask SnapshotTaskFromPayload(std::string_view payload) {
    const StoredXml stored(payload, "snapshot payload", "snapshot_operation");
    return {stored.Text("snapshot_id"), stored.Text("name"), stored.Text("vm_name"),
            stored.Text("volume_id")};
}

}  // namespace escd::model::xml
