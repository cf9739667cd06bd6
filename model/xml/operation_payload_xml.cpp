#include "model/xml/operation_payload_xml.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
// A stored payload escd wrote itself: what does not read is a fault of escd or its database,
// never of a client.
struct StoredPayload {
    std::unique_ptr<pugi::xml_document> doc;
    pugi::xml_node root;

    StoredPayload(std::string_view text, std::string_view root_name) {
        try {
            doc = ParseBody(text);
        } catch (const Error& e) {
            throw Error(ErrorCode::kInternal,
                        "stored " + std::string(root_name) + " payload is not XML: " + e.what());
        }
        root = doc->document_element();
        if (LocalName(root) != root_name) {
            throw Error(ErrorCode::kInternal, "stored payload is <" + std::string(LocalName(root)) +
                                                  ">, not <" + std::string(root_name) + ">");
        }
    }
    std::string Text(std::string_view name) const { return ChildText(root, name).value_or(""); }
    bool Bool(std::string_view name) const { return ChildBool(root, name).value_or(false); }
};

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
    const StoredPayload stored(payload, "operation");
    return {stored.Text("name"), stored.Text("vm_name"), stored.Text("vm_group"),
            stored.Text("trigger"), stored.Bool("check_first")};
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
    const StoredPayload stored(payload, "migration");
    const auto type_text = stored.Text("migration_type");
    const auto type = ParseMigrationType(type_text);
    if (!type) {
        throw Error(ErrorCode::kInternal,
                    "stored migration payload has migration_type '" + type_text + "'");
    }
    return {stored.Text("vm_name"), *type, stored.Text("source_host"), stored.Text("host"),
            stored.Bool("block_migration")};
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
    const StoredPayload stored(payload, "snapshot_operation");
    return {stored.Text("snapshot_id"), stored.Text("name"), stored.Text("vm_name"),
            stored.Text("volume_id")};
}

}  // namespace escd::model::xml
