#pragma once
/// @file
/// Private to model/store/pg: the row mappers of PgStore, from a row of a prepared statement
/// (pg_statements.cpp) to the model's type. Each expects the columns of the statements it names,
/// in their order.

#include <string>

#include <pqxx/pqxx>

#include "model/stores/stores.hpp"

namespace escd::model::pg {

/// The columns of "list_resources", "get_resource" and the other resource reads, in that order.
ResourceRecord RecordFromRow(const pqxx::row& row);

/// The columns of "unfinished_operations" and "latest_operation", in that order.
Operation OperationFromRow(const pqxx::row& row);

/// The outbox row that an insert of `message` answered with (id, created_at in ms).
OutboxRow OutboxRowFrom(const pqxx::row& inserted,
                        const std::string& transaction_id,
                        const OutboxMessage& message);

/// The columns of "list_vm_snapshots" and "find_vm_snapshots", in that order.
VmSnapshot SnapshotFromRow(const pqxx::row& row);

/// The columns of "list_vms", "list_all_vms" and "get_vm", in that order.
VmRecord VmFromRow(const pqxx::row& row);

/// The columns of "list_vim_connectors" and "get_vim_connector", in that order.
VimConnector ConnectorFromRow(const pqxx::row& row);

}  // namespace escd::model::pg
