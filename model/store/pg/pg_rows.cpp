// PgStore: the row mappers (row -> ResourceRecord, Operation, OutboxRow, VmSnapshot, VmRecord,
// VimConnector, DynamicMapping). Their comments, with the statements whose columns they read,
// are in pg_rows.hpp.

#include "model/store/pg/pg_rows.hpp"

#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/xml/vim_connector_xml.hpp"

namespace escd::model::pg {

void ThrowUnknownStoredValue(std::string_view table, std::string_view row, std::string_view text) {
    throw Error(ErrorCode::kInternal, "unknown value '" + std::string(text) + "' stored in " +
                                          std::string(table) + " row " + std::string(row));
}

ResourceRecord RecordFromRow(const pqxx::row& row) {
    ResourceRecord r;
    r.internal_id = row[1].as<std::string>();
    r.kind = StoredValue(ParseResourceKind, "resources", r.internal_id, row[0].as<std::string>());
    r.tenant_id = row[2].as<std::string>();
    r.name = row[3].as<std::string>();
    r.state = StoredValue(ParseResourceState, "resources", r.internal_id, row[4].as<std::string>());
    r.external_id = row[5].as<std::string>();
    r.spec = row[6].as<std::string>();
    r.parent_id = row[7].as<std::string>();
    return r;
}

Operation OperationFromRow(const pqxx::row& row) {
    Operation op;
    op.transaction_id = row[0].as<std::string>();
    // An unknown kind is kept as its text, not refused: the engine ends that operation with a
    // failure and runs the others (Engine::Abandon).
    auto kind_text = row[1].as<std::string>();
    op.kind = ParseOperationKind(kind_text);
    if (!op.kind) op.unknown_kind = std::move(kind_text);
    op.target_kind =
        StoredValue(ParseTargetKind, "operations", op.transaction_id, row[2].as<std::string>());
    op.target_id = row[3].as<std::string>();
    op.callback_url = row[4].as<std::string>();
    op.events_url = row[5].as<std::string>();
    op.payload = row[6].as<std::string>();
    return op;
}

OutboxRow PendingOutboxRowFrom(const pqxx::row& row) {
    OutboxRow r;
    r.id = row[0].as<std::int64_t>();
    r.transaction_id = row[1].as<std::string>();
    r.message.url = row[2].as<std::string>();
    r.message.event = row[3].as<std::string>();
    r.message.status_code = row[4].as<int>();
    r.message.status_message = row[5].as<std::string>();
    r.message.body = row[6].as<std::string>();
    r.attempts = row[7].as<int>();
    r.created_at = FromMillis(row[8].as<std::int64_t>());
    r.next_attempt_at = FromMillis(row[9].as<std::int64_t>());
    return r;
}

OutboxRow OutboxRowFrom(const pqxx::row& inserted,
                        const std::string& transaction_id,
                        const OutboxMessage& message) {
    OutboxRow out;
    out.id = inserted[0].as<std::int64_t>();
    out.transaction_id = transaction_id;
    out.message = message;
    out.created_at = FromMillis(inserted[1].as<std::int64_t>());
    out.next_attempt_at = out.created_at;
    return out;
}

VmSnapshot SnapshotFromRow(const pqxx::row& row) {
    VmSnapshot snapshot;
    snapshot.snapshot_id = row[0].as<std::string>();
    snapshot.name = row[1].as<std::string>();
    snapshot.tenant_id = row[2].as<std::string>();
    snapshot.vm_name = row[3].as<std::string>();
    snapshot.deployment_id = row[4].as<std::string>();
    snapshot.state = StoredValue(ParseSnapshotState, "vm_snapshots", snapshot.snapshot_id,
                                 row[5].as<std::string>());
    snapshot.created_at = row[6].as<std::string>();
    return snapshot;
}

VmRecord VmFromRow(const pqxx::row& row) {
    VmRecord vm;
    vm.vm_name = row[0].as<std::string>();
    vm.deployment_id = row[1].as<std::string>();
    vm.vm_group = row[2].as<std::string>();
    vm.vm_index = row[3].as<int>();
    vm.uuid = row[4].as<std::string>();
    vm.host = row[5].as<std::string>();
    vm.state = StoredValue(ParseVmState, "vms", vm.vm_name, row[6].as<std::string>());
    vm.interfaces = row[7].as<std::string>();
    vm.monitoring = row[8].as<bool>();
    vm.recovery_attempts = row[9].as<int>();
    vm.image = row[10].as<std::string>();
    return vm;
}

DynamicMapping MappingFromRow(const pqxx::row& row) {
    DynamicMapping mapping;
    mapping.name = row[1].as<std::string>();
    mapping.kind =
        StoredValue(ParseMappingKind, "dynamic_mappings", mapping.name, row[0].as<std::string>());
    mapping.core = row[2].as<bool>();
    mapping.document = row[3].as<std::string>();
    return mapping;
}

VimConnector ConnectorFromRow(const pqxx::row& row) {
    VimConnector c;
    c.id = row[0].as<std::string>();
    c.type = StoredValue(ParseVimType, "vim_connectors", c.id, row[1].as<std::string>());
    c.properties = xml::PropertiesFromStored(row[2].as<std::string>());
    c.is_default = row[3].as<bool>();
    if (!row[4].is_null()) {
        c.status = VimConnectorStatus{row[4].as<bool>(), row[5].as<std::string>(),
                                      FromMillis(row[6].as<std::int64_t>())};
    }
    return c;
}

}  // namespace escd::model::pg
