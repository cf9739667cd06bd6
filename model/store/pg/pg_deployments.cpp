// PgStore: deployments: the accept of a deployment and of its update, the service states, the
// VMs and their IP allocations, and the recording of a deployment step (VMs, allocations,
// references, declared resources, snapshot states and events in one transaction).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {
// A network or subnet a deployment declares, CREATING for its workflow to create.
void InsertDeclared(pqxx::work& tx, const ResourceRecord& r) {
    if (tx.exec_prepared("insert_declared", r.internal_id, Stored(r.kind), r.tenant_id, r.parent_id,
                         r.name, r.spec)
            .empty()) {
        throw Error(ErrorCode::kConflict, "internal id " + r.internal_id + " of the " +
                                              Stored(r.kind) +
                                              " the deployment declares is already used");
    }
}
}  // namespace

asio::awaitable<void> PgStore::AcceptDeployment(const ResourceRecord& deployment,
                                                const Operation& op,
                                                const std::vector<ResourceKey>& uses,
                                                const std::vector<ResourceRecord>& declared) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                const auto& tenant = deployment.tenant_id;
                auto holder = tx.exec_prepared("lock_id", deployment.internal_id);
                if (!holder.empty()) {
                    throw Error(ErrorCode::kConflict, "internal id " + deployment.internal_id +
                                                          " is already used by a " +
                                                          holder[0][0].as<std::string>());
                }
                auto parent = tx.exec_prepared("lock_id", tenant);
                if (!parent.empty() &&
                    StoredValue(ParseResourceKind, "resources", tenant,
                                parent[0][0].as<std::string>()) != ResourceKind::kTenant) {
                    throw Error(ErrorCode::kConflict,
                                "tenant " + tenant + " names a " + parent[0][0].as<std::string>());
                }
                if (!parent.empty() &&
                    StoredValue(ParseResourceState, "resources", tenant,
                                parent[0][1].as<std::string>()) == ResourceState::kDeleting)
                    throw Error(ErrorCode::kConflict, "tenant " + tenant + " is being deleted");
                // From here on a refusal must leave nothing: a concurrent request can still
                // take the id between the check above and the insert below.
                Savepoint sub(tx, "accept_deployment");
                if (parent.empty()) {
                    tx.exec_prepared("insert_auto_tenant", tenant,
                                     "<tenant><name>" + tenant + "</name></tenant>");
                }
                if (tx.exec_prepared("insert_deployment", deployment.internal_id, tenant,
                                     deployment.name, deployment.spec)
                        .empty()) {
                    throw Error(ErrorCode::kConflict,
                                "internal id " + deployment.internal_id + " is already used");
                }
                tx.exec_prepared0("set_service", deployment.internal_id,
                                  std::string(ToString(ServiceState::kDeploying)));
                for (const auto& r : declared) InsertDeclared(tx, r);
                for (const auto& [kind, id] : uses)
                    tx.exec_prepared0("insert_ref", deployment.internal_id, Stored(kind), id);
                InsertOperation(tx, op, Node());
                // Its monitoring is the accepting node's until an operation's end moves it:
                // never without a lease, even if that node dies before the deployment ends.
                tx.exec_prepared0("hold_monitor", deployment.internal_id, Node());
                sub.Release();
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptDeploymentUpdate(const Operation& op,
                                                      const std::vector<ResourceKey>& uses,
                                                      const std::vector<ResourceRecord>& declared) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, ResourceKind::kDeployment, op.target_id,
                                            ResourceEvent::kUpdateRequested);
                if (!declared.empty()) {
                    // A refusal must leave nothing: a group-commit job refuses before it writes.
                    Savepoint sub(tx, "accept_update");
                    for (const auto& r : declared) InsertDeclared(tx, r);
                    sub.Release();
                }
                tx.exec_prepared0("set_state", Stored(ResourceKind::kDeployment), op.target_id,
                                  std::string(ToString(next)));
                for (const auto& [kind, id] : uses)
                    tx.exec_prepared0("insert_ref", op.target_id, Stored(kind), id);
                InsertOperation(tx, op, Node());
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptUndeploy(const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                std::string cancelled;  // the running operation this undeploy cancels, if any
                const auto event_in = [&](ResourceState state) {
                    if (state != ResourceState::kUpdating) return ResourceEvent::kDeleteRequested;
                    const auto running =
                        tx.exec_prepared("running_operation", Stored(TargetKind::kDeployment),
                                         op.target_id, op.transaction_id);
                    if (running.empty()) return ResourceEvent::kDeleteRequested;
                    const auto kind = ParseOperationKind(running[0][1].as<std::string>());
                    if (!kind || !UndeployCancels(*kind)) return ResourceEvent::kDeleteRequested;
                    cancelled = running[0][0].as<std::string>();
                    return ResourceEvent::kDeleteCancelling;
                };
                const auto next =
                    CheckTransition(tx, ResourceKind::kDeployment, op.target_id, event_in);
                tx.exec_prepared0("set_state", Stored(ResourceKind::kDeployment), op.target_id,
                                  std::string(ToString(next)));
                if (!cancelled.empty())
                    tx.exec_prepared0("cancel_operation", cancelled, op.transaction_id);
                InsertOperation(tx, op, Node());
            },
            std::move(done));
    });
}

asio::awaitable<std::vector<std::string>> PgStore::AllocatedAddresses(
    const std::string& network_id) {
    return OnPool([&]() -> std::vector<std::string> {
        return AllRows(
            "allocated_addresses", [](const pqxx::row& row) { return row[0].as<std::string>(); },
            network_id);
    });
}

asio::awaitable<std::optional<StoredDeployment>> PgStore::ReadDeployment(
    const std::string& deployment_id) {
    return OnPool([this, &deployment_id]() -> std::optional<StoredDeployment> {
        const auto deployment_kind = Stored(ResourceKind::kDeployment);
        const auto tenant_kind = Stored(ResourceKind::kTenant);
        auto record = FirstRow("get_resource", RecordFromRow, deployment_kind, deployment_id);
        if (!record) return std::nullopt;
        StoredDeployment out;
        out.service = ServiceStateRow(deployment_id);
        out.vms = AllRows("list_vms", VmFromRow, deployment_id);
        if (auto tenant = FirstRow("get_resource", RecordFromRow, tenant_kind, record->tenant_id))
            out.tenant_external_id = tenant->external_id;
        out.record = std::move(*record);
        return out;
    });
}

asio::awaitable<std::vector<StoredDeployment>> PgStore::ReadDeployments() {
    return OnPool([this]() -> std::vector<StoredDeployment> {
        const auto deployment_kind = Stored(ResourceKind::kDeployment);
        const auto tenant_kind = Stored(ResourceKind::kTenant);
        auto services = ServiceStateRows();
        std::map<std::string, std::vector<VmRecord>> vms;
        for (auto& vm : AllRows("list_all_vms", VmFromRow))
            vms[vm.deployment_id].push_back(std::move(vm));
        std::map<std::string, std::string> tenants;
        for (auto& tenant : AllRows("list_resources", RecordFromRow, tenant_kind))
            tenants.emplace(std::move(tenant.internal_id), std::move(tenant.external_id));
        std::vector<StoredDeployment> out;
        for (auto& record : AllRows("list_resources", RecordFromRow, deployment_kind)) {
            StoredDeployment deployment;
            if (auto it = services.find(record.internal_id); it != services.end())
                deployment.service = it->second;
            if (auto it = vms.find(record.internal_id); it != vms.end())
                deployment.vms = std::move(it->second);
            if (auto it = tenants.find(record.tenant_id); it != tenants.end())
                deployment.tenant_external_id = it->second;
            deployment.record = std::move(record);
            out.push_back(std::move(deployment));
        }
        return out;
    });
}

std::optional<ServiceState> PgStore::ServiceStateRow(const std::string& deployment_id) {
    auto state = FirstRow(
        "get_service", [](const pqxx::row& row) { return row[0].as<std::string>(); },
        deployment_id);
    if (!state) return std::nullopt;
    return StoredValue(ParseServiceState, "services", deployment_id, *state);
}

std::map<std::string, ServiceState> PgStore::ServiceStateRows() {
    std::map<std::string, ServiceState> out;
    for (auto& [id, state] : AllRows("list_services", [](const pqxx::row& row) {
             return std::make_pair(row[0].as<std::string>(), row[1].as<std::string>());
         })) {
        auto parsed = StoredValue(ParseServiceState, "services", id, state);
        out.emplace(std::move(id), parsed);
    }
    return out;
}

asio::awaitable<std::vector<VmRecord>> PgStore::ListAllVms() {
    return OnPool([&]() -> std::vector<VmRecord> { return AllRows("list_all_vms", VmFromRow); });
}

asio::awaitable<std::optional<VmRecord>> PgStore::GetVm(const std::string& vm_name) {
    return OnPool(
        [&]() -> std::optional<VmRecord> { return FirstRow("get_vm", VmFromRow, vm_name); });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::RecordDeploymentStep(const DeploymentStep& step) {
    std::vector<OutboxRow> rows;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                if (step.require_idle &&
                    tx.exec_prepared("lock_idle_deployment", step.deployment_id).empty()) {
                    throw Error(ErrorCode::kConflict,
                                "deployment " + step.deployment_id + " is busy or gone");
                }
                // A step of a running operation is fenced on its transaction's lease; a verdict
                // (require_idle) runs under no operation, on the deployment's monitoring lease
                // (docs/cluster.md).
                if (step.require_idle) {
                    HoldLease(tx, LeaseKind::kDeploymentMonitor, step.deployment_id, Node());
                } else {
                    HoldLease(tx, LeaseKind::kTransaction, step.transaction_id, Node());
                }
                // The addresses' rows decide between steps that chose the same address (on
                // several nodes): under a savepoint with the VMs they reference, so that a taken
                // one leaves the job refused having written nothing.
                std::optional<Savepoint> allocating;
                if (!step.allocations.empty()) allocating.emplace(tx, "allocations");
                for (const auto& vm : step.upserts) {
                    tx.exec_prepared0("upsert_vm", vm.vm_name, vm.deployment_id, vm.vm_group,
                                      vm.vm_index, vm.uuid, vm.host,
                                      std::string(ToString(vm.state)), vm.interfaces, vm.monitoring,
                                      vm.recovery_attempts, vm.image);
                }
                for (const auto& a : step.allocations) {
                    if (tx.exec_prepared("insert_allocation", a.network_id, a.address, a.vm_name,
                                         a.nicid)
                            .empty())
                        throw AddressTaken(a.network_id, a.address);
                }
                if (allocating) allocating->Release();
                if (step.service_state) {
                    tx.exec_prepared0("set_service", step.deployment_id,
                                      std::string(ToString(*step.service_state)));
                }
                for (const auto& [vm_name, nicid] : step.released)
                    tx.exec_prepared0("release_allocation", vm_name, nicid);
                for (const auto& name : step.removed) tx.exec_prepared0("delete_vm", name);
                if (step.uses) {
                    tx.exec_prepared0("delete_refs", step.deployment_id);
                    for (const auto& [kind, id] : *step.uses)
                        tx.exec_prepared0("insert_ref", step.deployment_id, Stored(kind), id);
                }
                for (const auto& r : step.resources) {
                    if (r.state == ToString(ResourceState::kRemoved)) {
                        tx.exec_prepared0("delete_resource", Stored(r.kind), r.internal_id);
                    } else {
                        tx.exec_prepared0("update_resource", Stored(r.kind), r.internal_id, r.state,
                                          r.external_id, r.spec, std::string());
                    }
                }
                for (const auto& snapshot : step.snapshots) {
                    if (snapshot.state == SnapshotState::kRemoved) {
                        tx.exec_prepared0("delete_vm_snapshot", snapshot.snapshot_id);
                    } else {
                        tx.exec_prepared0("set_vm_snapshot_state", snapshot.snapshot_id,
                                          std::string(ToString(snapshot.state)));
                    }
                }
                for (const auto& message : step.events)
                    rows.push_back(InsertOutbox(tx, step.transaction_id, message, Node()));
            },
            std::move(done));
    });
    co_return rows;
}

}  // namespace escd::model::pg
