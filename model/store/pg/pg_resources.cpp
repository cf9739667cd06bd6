// PgStore: resources (tenants, images, flavors, networks, subnets, ... and deployments as
// resources): the reads, the accept of a create, update or delete, and the lifecycle check that
// the accepts of other aggregates (snapshots, deployments) share.

#include <algorithm>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

std::string BusyMessage(ResourceKind kind, const std::string& id, ResourceState state) {
    return Stored(kind) + " " + id + " is busy: an operation is in progress (" +
           std::string(ToString(state)) + ")";
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
    std::string out = "{";
    for (const auto& value : values) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char c : value) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + '}';
}

ResourceState CheckTransition(pqxx::work& tx,
                              ResourceKind kind,
                              const std::string& id,
                              const std::function<ResourceEvent(ResourceState)>& event_in) {
    auto rows = tx.exec_prepared("lock_resource", Stored(kind), id);
    if (rows.empty()) throw Error(ErrorCode::kNotFound, Stored(kind) + " " + id + " not found");
    auto current = StoredValue(ParseResourceState, "resources", id, rows[0][0].as<std::string>());
    auto next = NextState(current, event_in(current));
    if (!next) throw Error(ErrorCode::kConflict, BusyMessage(kind, id, current));
    return *next;
}

ResourceState CheckTransition(pqxx::work& tx,
                              ResourceKind kind,
                              const std::string& id,
                              ResourceEvent event) {
    return CheckTransition(tx, kind, id, [event](ResourceState) { return event; });
}

asio::awaitable<std::vector<ResourceRecord>> PgStore::ListResources(
    ResourceKind kind, const std::optional<std::string>& tenant_id) {
    return OnPool([this, kind = Stored(kind), &tenant_id] {
        if (tenant_id) return AllRows("list_resources_of_tenant", RecordFromRow, kind, *tenant_id);
        return AllRows("list_resources", RecordFromRow, kind);
    });
}

asio::awaitable<std::vector<ResourceRecord>> PgStore::ListChildren(ResourceKind kind,
                                                                   const std::string& parent_id) {
    return OnPool([this, kind = Stored(kind), &parent_id] {
        return AllRows("list_children", RecordFromRow, kind, parent_id);
    });
}

asio::awaitable<std::optional<ResourceRecord>> PgStore::GetResource(
    ResourceKind kind, const std::string& internal_id) {
    return OnPool([this, kind = Stored(kind), &internal_id] {
        return FirstRow("get_resource", RecordFromRow, kind, internal_id);
    });
}

asio::awaitable<std::vector<std::optional<ResourceRecord>>> PgStore::GetResources(
    const std::vector<ResourceKey>& keys) {
    if (keys.empty()) co_return std::vector<std::optional<ResourceRecord>>{};
    std::vector<std::string> ids;
    for (const auto& key : keys) ids.push_back(key.second);
    const auto ids_array = TextArray(ids);
    auto found = co_await OnPool(
        [this, &ids_array] { return AllRows("get_resources_by_ids", RecordFromRow, ids_array); });
    // An id held by a resource of another kind is not the key's resource.
    std::vector<std::optional<ResourceRecord>> out;
    for (const auto& [kind, internal_id] : keys) {
        auto match = std::find_if(found.begin(), found.end(), [&](const ResourceRecord& r) {
            return r.kind == kind && r.internal_id == internal_id;
        });
        out.push_back(match == found.end() ? std::nullopt : std::optional(*match));
    }
    co_return out;
}

asio::awaitable<std::vector<ResourceRecord>> PgStore::FindResourcesByKey(ResourceKind kind,
                                                                         const std::string& key) {
    return OnPool([this, kind = Stored(kind), &key] {
        return AllRows("find_resources_by_key", RecordFromRow, kind, key);
    });
}

asio::awaitable<void> PgStore::AcceptCreate(const ResourceRecord& resource, const Operation& op) {
    const bool child = !resource.parent_id.empty();
    const std::string statement = child ? "accept_create_child" : "accept_create_root";
    const auto parent_kind = ParentKindOf(resource.kind);
    const std::string parent_text = parent_kind ? Stored(*parent_kind) : std::string();
    std::vector<std::string> params{
        resource.internal_id, Stored(resource.kind), resource.name,
        resource.spec,        op.transaction_id,     std::string(KindText(op)),
        op.callback_url,      op.events_url,         op.payload};
    if (child) {
        params.push_back(resource.parent_id);
        params.push_back(parent_text);
        params.push_back(resource.tenant_id);
    }
    params.push_back(Node());  // the lease of the transaction
    auto result = co_await Write(statement, params);
    const auto row = result.at(0);
    if (row[0].as<long>() == 1) co_return;
    if (!row[1].is_null()) {
        throw Error(ErrorCode::kConflict, "internal id " + resource.internal_id +
                                              " is already used by a " + row[1].as<std::string>());
    }
    if (!row[2].as<bool>()) {
        std::string where = parent_kind == ResourceKind::kTenant
                                ? std::string()
                                : " in tenant " + resource.tenant_id;
        throw Error(ErrorCode::kNotFound, parent_text + " " + resource.parent_id + " not found" +
                                              where + " (or it is being deleted)");
    }
    // A concurrent create of the same id committed while this one waited for it.
    throw Error(ErrorCode::kConflict, "internal id " + resource.internal_id + " is already used");
}

asio::awaitable<void> PgStore::AcceptUpdate(ResourceKind kind,
                                            const std::string& internal_id,
                                            const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, kind, internal_id, ResourceEvent::kUpdateRequested);
                tx.exec_prepared0("set_state", Stored(kind), internal_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op, Node());
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptDelete(ResourceKind kind,
                                            const std::string& internal_id,
                                            const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, kind, internal_id, ResourceEvent::kDeleteRequested);
                // Integrity: an image, flavor or network a deployment uses stays.
                auto user = tx.exec_prepared("first_user", Stored(kind), internal_id);
                if (!user.empty()) {
                    throw Error(ErrorCode::kConflict, Stored(kind) + " " + internal_id +
                                                          " is used by deployment " +
                                                          user[0][0].as<std::string>());
                }
                // Integrity: a tenant with resources, a network with subnets, stay.
                auto child = tx.exec_prepared("first_child", internal_id);
                if (!child.empty()) {
                    throw Error(ErrorCode::kConflict, Stored(kind) + " " + internal_id +
                                                          " still owns resources (" +
                                                          child[0][0].as<std::string>() + " " +
                                                          child[0][1].as<std::string>() + ", ...)");
                }
                tx.exec_prepared0("set_state", Stored(kind), internal_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op, Node());
            },
            std::move(done));
    });
}

}  // namespace escd::model::pg
