#pragma once
/// @file
/// Private to model/store/pg: the row mappers of PgStore, from a row of a prepared statement
/// (pg_statements.cpp) to the model's type. Each expects the columns of the statements it names,
/// in their order.

#include <optional>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "model/stores/stores.hpp"

namespace escd::model::pg {

/// An internal error (500, not retried): `table`'s row `row` holds `text` where a state or a type
/// is stored, and escd does not know it (a row written by hand or by another version). Never
/// defaulted: a made-up state or type would be acted on.
[[noreturn]] void ThrowUnknownStoredValue(std::string_view table,
                                          std::string_view row,
                                          std::string_view text);

/// The enum value `text` means, parsed by `parse` (ParseVmState, ParseVimType, ...); stored in
/// `table`'s row `row`.
template <class Parse>
auto StoredValue(Parse parse,
                 std::string_view table,
                 std::string_view row,
                 const std::string& text) {
    auto state = parse(text);
    if (!state) ThrowUnknownStoredValue(table, row, text);
    return *state;
}

/// The columns of "list_resources", "get_resource" and the other resource reads, in that order.
ResourceRecord RecordFromRow(const pqxx::row& row);

/// The columns of "unfinished_operations" and "latest_operation", in that order. A kind this escd
/// does not know is kept in Operation::unknown_kind; an unknown target kind is an internal error.
Operation OperationFromRow(const pqxx::row& row);

/// A pending outbox row as pending_outbox_of reads it.
OutboxRow PendingOutboxRowFrom(const pqxx::row& row);
/// The outbox row that an insert of `message` answered with (id, created_at in ms).
OutboxRow OutboxRowFrom(const pqxx::row& inserted,
                        const std::string& transaction_id,
                        const OutboxMessage& message);

/// The columns of "list_vm_snapshots" and "find_vm_snapshots", in that order.
VmSnapshot SnapshotFromRow(const pqxx::row& row);

/// The columns of "list_vms", "list_all_vms" and "get_vm", in that order.
VmRecord VmFromRow(const pqxx::row& row);

/// The columns of "list_mappings", in that order; the kind parsed strictly.
DynamicMapping MappingFromRow(const pqxx::row& row);

/// The columns of "list_vim_connectors" and "get_vim_connector", in that order (the first ones of
/// "list_vim_connectors_with_users").
VimConnector ConnectorFromRow(const pqxx::row& row);

}  // namespace escd::model::pg
