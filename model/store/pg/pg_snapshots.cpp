// PgStore: VM snapshots: their reads and the accept of a snapshot request (create, restore,
// delete), each together with its deployment's lifecycle step.

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

asio::awaitable<std::vector<VmSnapshot>> PgStore::ListVmSnapshots(const std::string& tenant_id,
                                                                  const std::string& vm_name) {
    return OnPool([&]() -> std::vector<VmSnapshot> {
        return AllRows("list_vm_snapshots", SnapshotFromRow, tenant_id, vm_name);
    });
}

asio::awaitable<std::vector<VmSnapshot>> PgStore::FindVmSnapshots(const std::string& id_or_name) {
    return OnPool([&]() -> std::vector<VmSnapshot> {
        return AllRows("find_vm_snapshots", SnapshotFromRow, id_or_name);
    });
}

asio::awaitable<void> PgStore::AcceptVmSnapshot(const VmSnapshot& snapshot, const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                // Every check before the first write (group-commit contract).
                auto next = CheckTransition(tx, ResourceKind::kDeployment, op.target_id,
                                            ResourceEvent::kUpdateRequested);
                if (tx.exec_prepared("vm_of_deployment", snapshot.vm_name, op.target_id).empty()) {
                    throw Error(
                        ErrorCode::kNotFound,
                        "VM " + snapshot.vm_name + " not found in deployment " + op.target_id);
                }
                if (!tx.exec_prepared("vm_snapshot_exists", snapshot.snapshot_id).empty()) {
                    throw Error(ErrorCode::kConflict,
                                "snapshot id " + snapshot.snapshot_id + " is already used");
                }
                // A concurrent request may still take the id: refuse it leaving nothing.
                Savepoint sub(tx, "accept_vm_snapshot");
                if (tx.exec_prepared("insert_vm_snapshot", snapshot.snapshot_id, snapshot.name,
                                     snapshot.tenant_id, snapshot.vm_name,
                                     std::string(ToString(SnapshotState::kCreating)))
                        .empty()) {
                    throw Error(ErrorCode::kConflict,
                                "snapshot id " + snapshot.snapshot_id + " is already used");
                }
                tx.exec_prepared0("set_state", Stored(ResourceKind::kDeployment), op.target_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op, Node());
                sub.Release();
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptVmSnapshotRequest(const std::string& snapshot_id,
                                                       SnapshotEvent event,
                                                       const std::optional<ResourceRecord>& volume,
                                                       const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, ResourceKind::kDeployment, op.target_id,
                                            ResourceEvent::kUpdateRequested);
                auto rows = tx.exec_prepared("lock_vm_snapshot", snapshot_id, op.target_id);
                if (rows.empty())
                    throw Error(ErrorCode::kNotFound, "snapshot " + snapshot_id + " not found");
                const auto current = StoredValue(ParseSnapshotState, "vm_snapshots", snapshot_id,
                                                 rows[0][0].as<std::string>());
                const auto moved = NextState(current, event);
                if (!moved) {
                    throw Error(ErrorCode::kConflict, "snapshot " + snapshot_id + " is " +
                                                          std::string(ToString(current)) +
                                                          "; the request does not apply now");
                }
                if (volume) {
                    auto holder = tx.exec_prepared("lock_id", volume->internal_id);
                    if (!holder.empty()) {
                        throw Error(ErrorCode::kConflict, "internal id " + volume->internal_id +
                                                              " is already used by a " +
                                                              holder[0][0].as<std::string>());
                    }
                }
                Savepoint sub(tx, "accept_vm_snapshot_request");
                if (volume && tx.exec_prepared("insert_declared", volume->internal_id,
                                               Stored(volume->kind), volume->tenant_id,
                                               volume->parent_id, volume->name, volume->spec)
                                  .empty()) {
                    throw Error(ErrorCode::kConflict,
                                "internal id " + volume->internal_id + " is already used");
                }
                tx.exec_prepared0("set_vm_snapshot_state", snapshot_id,
                                  std::string(ToString(*moved)));
                tx.exec_prepared0("set_state", Stored(ResourceKind::kDeployment), op.target_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op, Node());
                sub.Release();
            },
            std::move(done));
    });
}

}  // namespace escd::model::pg
