#include "model/store/pg/pg_store.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/vim_connector_xml.hpp"

namespace escd::model::pg {
namespace {

using Clock = std::chrono::system_clock;

// Jobs per group commit: large enough that a burst shares one WAL flush, small enough that one
// transaction stays short.
constexpr std::size_t kMaxBatch = 256;

std::int64_t ToMillis(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Clock::time_point FromMillis(std::int64_t ms) {
    return Clock::time_point(std::chrono::milliseconds(ms));
}

// Statements are prepared once per connection (see Connect). The names are the API of this file.
const std::pair<const char*, const char*> kStatements[] = {
    {"list_resources",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 ORDER BY internal_id"},
    {"list_resources_of_tenant",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 AND tenant_id = $2 ORDER BY internal_id"},
    {"list_children",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 AND parent_id = $2 ORDER BY internal_id"},
    {"get_resource",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 AND internal_id = $2"},
    {"find_resources_by_key",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 AND (internal_id = $2 OR external_id = $2 OR name = $2) "
     "ORDER BY internal_id"},
    // A create in one statement: the resource and its operation, or nothing when the id is taken.
    // Answers (inserted, kind that holds the id, parent present) so that a refusal needs no
    // second query.
    {"accept_create_root",
     "WITH r AS (INSERT INTO resources (internal_id, kind, name, state, spec) "
     "           VALUES ($1, $2, $3, 'CREATING', $4) ON CONFLICT (internal_id) DO NOTHING "
     "           RETURNING internal_id), "
     "o AS (INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload) "
     "      SELECT $5::uuid, $6, $2, r.internal_id, NULLIF($7, ''), NULLIF($8, ''), $9 FROM r "
     "RETURNING 1) "
     "SELECT (SELECT count(*) FROM o), (SELECT kind FROM resources WHERE internal_id = $1), true"},
    // The same under a parent (the tenant, or a subnet's network), which must exist, belong to
    // the same tenant and not be going away (FOR SHARE holds off a concurrent delete of the parent
    // until this commits; that delete then sees the new child). $11 = parent kind, $12 = tenant.
    {"accept_create_child",
     "WITH p AS (SELECT internal_id FROM resources WHERE internal_id = $10 AND kind = $11 "
     "           AND state IN ('ACTIVE', 'UPDATING') AND ($11 = 'tenant' OR tenant_id = $12) "
     "           FOR SHARE), "
     "r AS (INSERT INTO resources (internal_id, kind, tenant_id, parent_id, name, state, spec) "
     "      SELECT $1, $2, NULLIF($12, ''), p.internal_id, $3, 'CREATING', $4 FROM p "
     "      ON CONFLICT (internal_id) DO NOTHING RETURNING internal_id), "
     "o AS (INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload) "
     "      SELECT $5::uuid, $6, $2, r.internal_id, NULLIF($7, ''), NULLIF($8, ''), $9 FROM r "
     "RETURNING 1) "
     "SELECT (SELECT count(*) FROM o), (SELECT kind FROM resources WHERE internal_id = $1), "
     "       EXISTS (SELECT 1 FROM p)"},
    {"lock_resource",
     "SELECT state FROM resources WHERE kind = $1 AND internal_id = $2 FOR UPDATE"},
    {"first_child",
     "SELECT kind, internal_id FROM resources WHERE parent_id = $1 OR tenant_id = $1 LIMIT 1"},
    {"set_state",
     "UPDATE resources SET state = $3, updated_at = now() WHERE kind = $1 AND internal_id = $2"},
    {"insert_operation",
     "INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload) "
     "VALUES ($1::uuid, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7)"},
    {"delete_resource", "DELETE FROM resources WHERE kind = $1 AND internal_id = $2"},
    {"update_resource",
     "UPDATE resources SET state = $3, external_id = COALESCE(NULLIF($4, ''), external_id), "
     "spec = COALESCE(NULLIF($5, ''), spec), name = COALESCE(NULLIF($6, ''), name), updated_at = "
     "now() "
     "WHERE kind = $1 AND internal_id = $2"},
    {"finish_operation",
     "UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $2, status_message = "
     "$3 "
     "WHERE transaction_id = $1::uuid"},
    {"insert_outbox",
     "INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "VALUES ($1::uuid, $2, $3, $4, $5, $6) "
     "RETURNING id, (extract(epoch from created_at) * 1000)::bigint"},
    {"unfinished_operations",
     "SELECT transaction_id::text, kind, target_kind, target_id, COALESCE(callback_url, ''), "
     "COALESCE(events_url, ''), payload FROM operations WHERE finished_at IS NULL ORDER BY "
     "created_at"},
    {"latest_operation",
     "SELECT transaction_id::text, kind, target_kind, target_id, COALESCE(callback_url, ''), "
     "COALESCE(events_url, ''), payload FROM operations WHERE target_id = $1 ORDER BY "
     "created_at DESC LIMIT 1"},
    {"lock_idle_deployment",
     "SELECT 1 FROM resources WHERE kind = 'deployment' AND internal_id = $1 AND state = 'ACTIVE' "
     "FOR UPDATE"},
    {"pending_outbox",
     "SELECT id, transaction_id::text, url, event, status_code, status_message, body, attempts, "
     "(extract(epoch from created_at) * 1000)::bigint, (extract(epoch from next_attempt_at) * "
     "1000)::bigint "
     "FROM outbox WHERE state = 'PENDING' ORDER BY id"},
    // SKIP LOCKED: a row another mark holds is being marked delivered by it already. Waiting
    // for it could deadlock: group commit puts marks of several transactions in one database
    // transaction, in whatever order they came.
    {"outbox_delivered",
     "UPDATE outbox SET state = 'DELIVERED', finished_at = now(), last_error = NULL, "
     "attempts = attempts + CASE WHEN id = $2 THEN 1 ELSE 0 END "
     "WHERE id IN (SELECT id FROM outbox WHERE transaction_id = $1::uuid "
     "AND (id = $2 OR (id < $2 AND state = 'PENDING')) FOR UPDATE SKIP LOCKED)"},
    {"outbox_retry",
     "UPDATE outbox SET attempts = $2, next_attempt_at = to_timestamp($3::double precision / "
     "1000), "
     "last_error = $4 WHERE id = $1"},
    {"outbox_abandoned",
     "UPDATE outbox SET state = $2, attempts = $3, last_error = $4, finished_at = now() WHERE id = "
     "$1"},
    // The usual end of an operation in ONE statement: the resource's new state, the operation's
    // end and its single callback (or none: $10 = ''). $13 chooses update or removal.
    {"complete_update_one",
     "WITH r AS (UPDATE resources SET state = $3, external_id = COALESCE(NULLIF($4, ''), "
     "external_id), "
     "           spec = COALESCE(NULLIF($5, ''), spec), name = COALESCE(NULLIF($6, ''), name), "
     "           updated_at = now() WHERE kind = $1 AND internal_id = $2), "
     "o AS (UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $8, "
     "status_message = $9 "
     "      WHERE transaction_id = $7::uuid) "
     "INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "SELECT $7::uuid, $10, $11, $8, $9, $12 WHERE $10 <> '' "
     "RETURNING id, (extract(epoch from created_at) * 1000)::bigint"},
    {"complete_remove_one",
     "WITH r AS (DELETE FROM resources WHERE kind = $1 AND internal_id = $2), "
     "o AS (UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $4, "
     "status_message = $5 "
     "      WHERE transaction_id = $3::uuid) "
     "INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "SELECT $3::uuid, $6, $7, $4, $5, $8 WHERE $6 <> '' "
     "RETURNING id, (extract(epoch from created_at) * 1000)::bigint"},
    {"list_config",
     "SELECT category, key, value, type FROM config_parameters ORDER BY category, key"},
    {"create_config",
     "INSERT INTO config_parameters (category, key, value, type) VALUES ($1, $2, $3, $4) "
     "ON CONFLICT (category, key) DO NOTHING"},
    {"update_config",
     "UPDATE config_parameters SET value = $3, updated_at = now() WHERE category = $1 AND key = "
     "$2"},
    // VM snapshots: every row has its VM (vm_snapshots.vm_name references vms), which names the
    // deployment.
    {"list_vm_snapshots",
     "SELECT s.snapshot_id, s.name, s.tenant_id, s.vm_name, v.deployment_id, s.state, "
     "to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
     "FROM vm_snapshots s JOIN vms v ON v.vm_name = s.vm_name "
     "WHERE ($1 = '' OR s.tenant_id = $1) AND ($2 = '' OR s.vm_name = $2) "
     "ORDER BY s.created_at, s.snapshot_id"},
    {"find_vm_snapshots",
     "SELECT s.snapshot_id, s.name, s.tenant_id, s.vm_name, v.deployment_id, s.state, "
     "to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
     "FROM vm_snapshots s JOIN vms v ON v.vm_name = s.vm_name "
     "WHERE s.snapshot_id = $1 OR s.name = $1 ORDER BY s.created_at, s.snapshot_id"},
    {"vm_of_deployment", "SELECT 1 FROM vms WHERE vm_name = $1 AND deployment_id = $2"},
    {"vm_snapshot_exists", "SELECT 1 FROM vm_snapshots WHERE snapshot_id = $1"},
    {"lock_vm_snapshot",
     "SELECT s.state FROM vm_snapshots s JOIN vms v ON v.vm_name = s.vm_name "
     "WHERE s.snapshot_id = $1 AND v.deployment_id = $2 FOR UPDATE OF s"},
    {"insert_vm_snapshot",
     "INSERT INTO vm_snapshots (snapshot_id, name, tenant_id, vm_name, state) "
     "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (snapshot_id) DO NOTHING RETURNING 1"},
    {"set_vm_snapshot_state",
     "UPDATE vm_snapshots SET state = $2, updated_at = now() WHERE snapshot_id = $1"},
    {"delete_vm_snapshot", "DELETE FROM vm_snapshots WHERE snapshot_id = $1"},
    {"list_mappings",
     "SELECT kind, name, core, document FROM dynamic_mappings WHERE kind = $1 ORDER BY name"},
    {"mapping_exists", "SELECT 1 FROM dynamic_mappings WHERE kind = $1 AND name = $2"},
    {"insert_mapping",
     "INSERT INTO dynamic_mappings (kind, name, core, document) VALUES ($1, $2, false, $3)"},
    {"delete_mapping", "DELETE FROM dynamic_mappings WHERE kind = $1 AND name = $2 AND NOT core"},
    {"delete_noncore_mappings", "DELETE FROM dynamic_mappings WHERE kind = $1 AND NOT core"},
    {"host_schedulable", "SELECT schedulable FROM hosts WHERE name = $1"},
    {"set_host",
     "INSERT INTO hosts (name, schedulable) VALUES ($1, $2) "
     "ON CONFLICT (name) DO UPDATE SET schedulable = EXCLUDED.schedulable, updated_at = now()"},
    {"insert_finished_operation",
     "INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload, "
     "step, finished_at, status_code, status_message) "
     "VALUES ($1::uuid, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, 'DONE', now(), $8, $9)"},
    {"get_setting", "SELECT value FROM settings WHERE key = $1"},
    // Deployments.
    {"lock_id", "SELECT kind, state FROM resources WHERE internal_id = $1 FOR SHARE"},
    {"insert_auto_tenant",
     "INSERT INTO resources (internal_id, kind, name, state, spec) "
     "VALUES ($1, 'tenant', $1, 'CREATING', $2) ON CONFLICT (internal_id) DO NOTHING "
     "RETURNING 1"},
    {"insert_deployment",
     "INSERT INTO resources (internal_id, kind, tenant_id, parent_id, name, state, spec) "
     "VALUES ($1, 'deployment', $2, $2, $3, 'CREATING', $4) ON CONFLICT (internal_id) DO NOTHING "
     "RETURNING 1"},
    {"insert_declared",
     "INSERT INTO resources (internal_id, kind, tenant_id, parent_id, name, state, spec) "
     "VALUES ($1, $2, $3, $4, $5, 'CREATING', $6) ON CONFLICT (internal_id) DO NOTHING "
     "RETURNING 1"},
    {"set_service",
     "INSERT INTO services (deployment_id, state) VALUES ($1, $2) "
     "ON CONFLICT (deployment_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()"},
    {"get_service", "SELECT state FROM services WHERE deployment_id = $1"},
    {"insert_ref",
     "INSERT INTO deployment_refs (deployment_id, kind, ref_id) VALUES ($1, $2, $3) "
     "ON CONFLICT DO NOTHING"},
    {"release_allocation", "DELETE FROM ip_allocations WHERE vm_name = $1 AND nicid = $2"},
    {"delete_refs", "DELETE FROM deployment_refs WHERE deployment_id = $1"},
    {"first_user",
     "SELECT deployment_id FROM deployment_refs WHERE kind = $1 AND ref_id = $2 LIMIT 1"},
    {"list_vms",
     "SELECT vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring FROM vms WHERE deployment_id = $1 ORDER BY vm_group, vm_index"},
    {"list_all_vms",
     "SELECT vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring FROM vms ORDER BY deployment_id, vm_group, vm_index"},
    {"list_services", "SELECT deployment_id, state FROM services"},
    {"upsert_vm",
     "INSERT INTO vms (vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
     "ON CONFLICT (vm_name) DO UPDATE SET uuid = EXCLUDED.uuid, host = EXCLUDED.host, "
     "state = EXCLUDED.state, interfaces = EXCLUDED.interfaces, "
     "monitoring = EXCLUDED.monitoring, updated_at = now()"},
    {"delete_vm", "DELETE FROM vms WHERE vm_name = $1"},
    {"get_vm",
     "SELECT vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring FROM vms WHERE vm_name = $1"},
    {"allocated_addresses", "SELECT address FROM ip_allocations WHERE network_id = $1"},
    {"insert_allocation",
     "INSERT INTO ip_allocations (network_id, address, vm_name, nicid) VALUES ($1, $2, $3, $4)"},
    {"put_setting",
     "INSERT INTO settings (key, value) VALUES ($1, $2) "
     "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"},

    // VIM connectors and VIM users.
    {"list_vim_connectors",
     "SELECT c.id, c.type, c.properties, d.vim_id IS NOT NULL, c.status_reachable, "
     "COALESCE(c.status_message, ''), (extract(epoch from c.status_checked_at) * 1000)::bigint "
     "FROM vim_connectors c LEFT JOIN vim_default_connector d ON d.vim_id = c.id ORDER BY c.id"},
    {"get_vim_connector",
     "SELECT c.id, c.type, c.properties, d.vim_id IS NOT NULL, c.status_reachable, "
     "COALESCE(c.status_message, ''), (extract(epoch from c.status_checked_at) * 1000)::bigint "
     "FROM vim_connectors c LEFT JOIN vim_default_connector d ON d.vim_id = c.id "
     "WHERE c.id = $1"},
    {"lock_vim_connector", "SELECT 1 FROM vim_connectors WHERE id = $1 FOR UPDATE"},
    // FOR SHARE: a user insert or a default switch holds off a concurrent delete of the connector
    // until it commits.
    {"share_vim_connector", "SELECT 1 FROM vim_connectors WHERE id = $1 FOR SHARE"},
    {"vim_connector_exists", "SELECT 1 FROM vim_connectors WHERE id = $1"},
    {"count_vim_connectors", "SELECT count(*) FROM vim_connectors"},
    {"insert_vim_connector",
     "INSERT INTO vim_connectors (id, type, properties) VALUES ($1, $2, $3) "
     "ON CONFLICT (id) DO NOTHING"},
    // The first connector (or the first after the last one was deleted) becomes the default.
    {"default_vim_connector_if_none",
     "INSERT INTO vim_default_connector (vim_id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING"},
    {"update_vim_connector",
     "UPDATE vim_connectors SET type = $2, properties = $3, status_reachable = NULL, "
     "status_message = NULL, status_checked_at = NULL, updated_at = now() WHERE id = $1"},
    {"delete_vim_connector", "DELETE FROM vim_connectors WHERE id = $1"},
    {"get_default_vim_connector", "SELECT vim_id FROM vim_default_connector"},
    {"set_default_vim_connector",
     "INSERT INTO vim_default_connector (vim_id) VALUES ($1) ON CONFLICT (singleton) "
     "DO UPDATE SET vim_id = EXCLUDED.vim_id, updated_at = now()"},
    {"clear_default_vim_connector", "DELETE FROM vim_default_connector WHERE vim_id = $1"},
    {"record_vim_connector_status",
     "UPDATE vim_connectors SET status_reachable = $2, status_message = $3, "
     "status_checked_at = to_timestamp($4::double precision / 1000) WHERE id = $1"},
    {"list_vim_users",
     "SELECT u.user_id, u.credentials FROM vim_connectors c "
     "LEFT JOIN vim_users u ON u.vim_id = c.id WHERE c.id = $1 ORDER BY u.user_id"},
    {"get_vim_user",
     "SELECT u.user_id, u.credentials FROM vim_connectors c "
     "LEFT JOIN vim_users u ON u.vim_id = c.id AND u.user_id = $2 WHERE c.id = $1"},
    {"first_vim_user", "SELECT user_id FROM vim_users WHERE vim_id = $1 ORDER BY user_id LIMIT 1"},
    {"lock_vim_user", "SELECT 1 FROM vim_users WHERE vim_id = $1 AND user_id = $2 FOR UPDATE"},
    {"insert_vim_user", "INSERT INTO vim_users (vim_id, user_id, credentials) VALUES ($1, $2, $3)"},
    {"update_vim_user",
     "UPDATE vim_users SET credentials = $3, updated_at = now() WHERE vim_id = $1 AND user_id = "
     "$2"},
    {"delete_vim_user", "DELETE FROM vim_users WHERE vim_id = $1 AND user_id = $2"},
};

ResourceRecord RecordFromRow(const pqxx::row& row) {
    ResourceRecord r;
    r.kind = row[0].as<std::string>();
    r.internal_id = row[1].as<std::string>();
    r.tenant_id = row[2].as<std::string>();
    r.name = row[3].as<std::string>();
    r.state = ParseResourceState(row[4].as<std::string>()).value_or(ResourceState::kActive);
    r.external_id = row[5].as<std::string>();
    r.spec = row[6].as<std::string>();
    r.parent_id = row[7].as<std::string>();
    return r;
}

std::string BusyMessage(const std::string& kind, const std::string& id, ResourceState state) {
    return kind + " " + id + " is busy: an operation is in progress (" +
           std::string(ToString(state)) + ")";
}

// Locks the resource and finds its next state for a request in the lifecycle table; 404/409 as
// the table says. Writes nothing (group-commit jobs refuse only before their first write).
ResourceState CheckTransition(pqxx::work& tx,
                              const std::string& kind,
                              const std::string& id,
                              ResourceEvent event) {
    auto rows = tx.exec_prepared("lock_resource", kind, id);
    if (rows.empty()) throw Error(ErrorCode::kNotFound, kind + " " + id + " not found");
    auto current =
        ParseResourceState(rows[0][0].as<std::string>()).value_or(ResourceState::kActive);
    auto next = NextState(current, event);
    if (!next) throw Error(ErrorCode::kConflict, BusyMessage(kind, id, current));
    return *next;
}

void InsertOperation(pqxx::work& tx, const Operation& op) {
    tx.exec_prepared0("insert_operation", op.transaction_id, op.kind, op.target_kind, op.target_id,
                      op.callback_url, op.events_url, op.payload);
}

// The outbox row that an insert of `message` answered with (id, created_at in ms).
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

OutboxRow InsertOutbox(pqxx::work& tx,
                       const std::string& transaction_id,
                       const OutboxMessage& message) {
    return OutboxRowFrom(
        tx.exec_prepared1("insert_outbox", transaction_id, message.url, message.event,
                          message.status_code, message.status_message, message.body),
        transaction_id, message);
}

// Awaits a group-commit submission. The writer thread completes it by posting to the awaiting
// coroutine's executor (tracked as outstanding work until then).
template <class Submit>
asio::awaitable<pqxx::result> AwaitCommit(Submit submit) {
    return asio::async_initiate<const asio::use_awaitable_t<>&,
                                void(std::exception_ptr, pqxx::result)>(
        [submit = std::move(submit)](auto handler) mutable {
            using Handler = decltype(handler);
            auto owned = std::make_shared<Handler>(std::move(handler));
            auto executor = asio::prefer(asio::get_associated_executor(*owned),
                                         asio::execution::outstanding_work.tracked);
            submit([owned, executor](std::exception_ptr error, pqxx::result result) {
                asio::post(executor, [owned, error, result = std::move(result)]() mutable {
                    std::move (*owned)(error, std::move(result));
                });
            });
        },
        asio::use_awaitable);
}

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

class PgStore::Checkout {
  public:
    explicit Checkout(PgStore& store) : store_(store) {
        std::unique_lock lock(store_.mutex_);
        store_.available_.wait(lock,
                               [&] { return !store_.idle_.empty() || store_.free_slots_ > 0; });
        if (!store_.idle_.empty()) {
            connection_ = std::move(store_.idle_.back());
            store_.idle_.pop_back();
        } else {
            --store_.free_slots_;
        }
    }
    ~Checkout() {
        std::lock_guard lock(store_.mutex_);
        // A connection that failed is dropped; its slot reconnects on the next use.
        if (connection_ && connection_->is_open()) {
            store_.idle_.push_back(std::move(connection_));
        } else {
            ++store_.free_slots_;
        }
        store_.available_.notify_one();
    }
    pqxx::connection& Get() {
        if (!connection_) connection_ = store_.Connect();
        return *connection_;
    }
    void Drop() { connection_.reset(); }

  private:
    PgStore& store_;
    std::unique_ptr<pqxx::connection> connection_;
};

PgStore::PgStore(std::string dsn, int connections, int writers)
    : dsn_(std::move(dsn)),
      free_slots_(std::max(1, connections)),
      writes_([this] { return Connect(); }, writers, kMaxBatch) {}

PgStore::~PgStore() = default;

std::unique_ptr<pqxx::connection> PgStore::Connect() {
    try {
        auto connection = std::make_unique<pqxx::connection>(dsn_);
        // prepare_now: libpqxx 6 prepares lazily, but group commit runs them as EXECUTE text.
        for (const auto& [name, sql] : kStatements) {
            connection->prepare(name, sql);
            connection->prepare_now(name);
        }
        return connection;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseError(std::string("database unavailable: ") + e.what());
    }
}

template <class Fn>
auto PgStore::With(Fn&& fn) {
    Checkout checkout(*this);
    try {
        return fn(checkout.Get());
    } catch (const pqxx::broken_connection& e) {
        checkout.Drop();
        throw DatabaseError(std::string("database connection lost: ") + e.what());
    }
}

int PgStore::ApplyMigrations(const std::string& dsn, const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::pair<int, fs::path>> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (entry.path().extension() != ".sql" || name.size() < 6 ||
            !std::isdigit(static_cast<unsigned char>(name[0]))) {
            continue;
        }
        files.emplace_back(std::stoi(name.substr(0, name.find('_'))), entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::runtime_error("no migrations found in " + dir);

    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    // Serialises concurrent start-ups of several escd on one database.
    tx.exec("SELECT pg_advisory_xact_lock(74657363)");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT "
        "NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (const auto& [version, path] : files) {
        if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", version).empty())
            continue;
        tx.exec(ReadFile(path));
        tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version,
                       path.filename().string());
        ESCD_INFO("store") << "applied migration " << path.filename().string();
        ++applied;
    }
    tx.commit();
    return applied;
}

template <class FromRow, class... Args>
auto PgStore::AllRows(const char* statement, FromRow from_row, const Args&... args) {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared(statement, args...);
        std::vector<std::invoke_result_t<FromRow&, const pqxx::row&>> out;
        out.reserve(rows.size());
        for (const auto& row : rows) out.push_back(from_row(row));
        return out;
    });
}

template <class FromRow, class... Args>
auto PgStore::FirstRow(const char* statement, FromRow from_row, const Args&... args) {
    using T = std::invoke_result_t<FromRow&, const pqxx::row&>;
    return With([&](pqxx::connection& c) -> std::optional<T> {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared(statement, args...);
        if (rows.empty()) return std::nullopt;
        return from_row(rows[0]);
    });
}

std::vector<ResourceRecord> PgStore::ListResources(const std::string& kind,
                                                   const std::optional<std::string>& tenant_id) {
    if (tenant_id) return AllRows("list_resources_of_tenant", RecordFromRow, kind, *tenant_id);
    return AllRows("list_resources", RecordFromRow, kind);
}

std::vector<ResourceRecord> PgStore::ListChildren(const std::string& kind,
                                                  const std::string& parent_id) {
    return AllRows("list_children", RecordFromRow, kind, parent_id);
}

std::optional<ResourceRecord> PgStore::GetResource(const std::string& kind,
                                                   const std::string& internal_id) {
    return FirstRow("get_resource", RecordFromRow, kind, internal_id);
}

std::vector<ResourceRecord> PgStore::FindResourcesByKey(const std::string& kind,
                                                        const std::string& key) {
    return AllRows("find_resources_by_key", RecordFromRow, kind, key);
}

asio::awaitable<pqxx::result> PgStore::Write(const std::string& statement,
                                             std::vector<std::string>& params) {
    co_return co_await AwaitCommit([this, &statement, &params](GroupCommit::Completion done) {
        writes_.ExecuteAsync(statement, std::move(params), std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptCreate(const ResourceRecord& resource, const Operation& op) {
    const bool child = !resource.parent_id.empty();
    const std::string statement = child ? "accept_create_child" : "accept_create_root";
    const std::string parent_kind(ParentKindOf(resource.kind));
    std::vector<std::string> params{resource.internal_id, resource.kind,     resource.name,
                                    resource.spec,        op.transaction_id, op.kind,
                                    op.callback_url,      op.events_url,     op.payload};
    if (child) {
        params.push_back(resource.parent_id);
        params.push_back(parent_kind);
        params.push_back(resource.tenant_id);
    }
    auto result = co_await Write(statement, params);
    const auto row = result.at(0);
    if (row[0].as<long>() == 1) co_return;
    if (!row[1].is_null()) {
        throw Error(ErrorCode::kConflict, "internal id " + resource.internal_id +
                                              " is already used by a " + row[1].as<std::string>());
    }
    if (!row[2].as<bool>()) {
        std::string where =
            parent_kind == kind::kTenant ? std::string() : " in tenant " + resource.tenant_id;
        throw Error(ErrorCode::kNotFound, parent_kind + " " + resource.parent_id + " not found" +
                                              where + " (or it is being deleted)");
    }
    // A concurrent create of the same id committed while this one waited for it.
    throw Error(ErrorCode::kConflict, "internal id " + resource.internal_id + " is already used");
}

asio::awaitable<void> PgStore::AcceptUpdate(const std::string& kind,
                                            const std::string& internal_id,
                                            const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, kind, internal_id, ResourceEvent::kUpdateRequested);
                tx.exec_prepared0("set_state", kind, internal_id, std::string(ToString(next)));
                InsertOperation(tx, op);
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptDelete(const std::string& kind,
                                            const std::string& internal_id,
                                            const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, kind, internal_id, ResourceEvent::kDeleteRequested);
                // Integrity: an image, flavor or network a deployment uses stays.
                auto user = tx.exec_prepared("first_user", kind, internal_id);
                if (!user.empty()) {
                    throw Error(ErrorCode::kConflict, kind + " " + internal_id +
                                                          " is used by deployment " +
                                                          user[0][0].as<std::string>());
                }
                // Integrity: a tenant with resources, a network with subnets, stay.
                auto child = tx.exec_prepared("first_child", internal_id);
                if (!child.empty()) {
                    throw Error(ErrorCode::kConflict, kind + " " + internal_id +
                                                          " still owns resources (" +
                                                          child[0][0].as<std::string>() + " " +
                                                          child[0][1].as<std::string>() + ", ...)");
                }
                tx.exec_prepared0("set_state", kind, internal_id, std::string(ToString(next)));
                InsertOperation(tx, op);
            },
            std::move(done));
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CompleteOperation(
    const Operation& op,
    const ResourceOutcome& outcome,
    int status_code,
    const std::string& status_message,
    const std::vector<OutboxMessage>& callbacks) {
    const bool removed = outcome.state == ResourceState::kRemoved;
    std::vector<OutboxRow> rows;
    if (callbacks.size() <= 1) {
        // The usual case, one pipelined statement.
        const OutboxMessage none;
        const auto& message = callbacks.empty() ? none : callbacks.front();
        const auto status = std::to_string(status_code);
        const std::string statement = removed ? "complete_remove_one" : "complete_update_one";
        std::vector<std::string> params =
            removed ? std::vector<std::string>{op.target_kind, op.target_id,   op.transaction_id,
                                               status,         status_message, message.url,
                                               message.event,  message.body}
                    : std::vector<std::string>{op.target_kind,
                                               op.target_id,
                                               std::string(ToString(outcome.state)),
                                               outcome.external_id.value_or(""),
                                               outcome.spec.value_or(""),
                                               outcome.name.value_or(""),
                                               op.transaction_id,
                                               status,
                                               status_message,
                                               message.url,
                                               message.event,
                                               message.body};
        auto result = co_await Write(statement, params);
        for (const auto& row : result)
            rows.push_back(OutboxRowFrom(row, op.transaction_id, message));
        co_return rows;
    }
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                if (removed) {
                    tx.exec_prepared0("delete_resource", op.target_kind, op.target_id);
                } else {
                    tx.exec_prepared0("update_resource", op.target_kind, op.target_id,
                                      std::string(ToString(outcome.state)),
                                      outcome.external_id.value_or(""), outcome.spec.value_or(""),
                                      outcome.name.value_or(""));
                }
                tx.exec_prepared0("finish_operation", op.transaction_id, status_code,
                                  status_message);
                for (const auto& message : callbacks)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, message));
            },
            std::move(done));
    });
    co_return rows;
}

namespace {
// The columns of "unfinished_operations" and "latest_operation", in that order.
Operation OperationFromRow(const pqxx::row& row) {
    Operation op;
    op.transaction_id = row[0].as<std::string>();
    op.kind = row[1].as<std::string>();
    op.target_kind = row[2].as<std::string>();
    op.target_id = row[3].as<std::string>();
    op.callback_url = row[4].as<std::string>();
    op.events_url = row[5].as<std::string>();
    op.payload = row[6].as<std::string>();
    return op;
}
}  // namespace

std::vector<Operation> PgStore::UnfinishedOperations() {
    return AllRows("unfinished_operations", OperationFromRow);
}

std::vector<OutboxRow> PgStore::PendingOutbox() {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);  // one statement: no BEGIN/COMMIT round trips
        std::vector<OutboxRow> out;
        for (const auto& row : tx.exec_prepared("pending_outbox")) {
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
            out.push_back(std::move(r));
        }
        return out;
    });
}

asio::awaitable<void> PgStore::MarkOutboxDelivered(const std::string& transaction_id,
                                                   std::int64_t id) {
    static const std::string kStatement = "outbox_delivered";
    std::vector<std::string> params{transaction_id, std::to_string(id)};
    co_await Write(kStatement, params);
}

asio::awaitable<void> PgStore::MarkOutboxRetry(std::int64_t id,
                                               int attempts,
                                               Clock::time_point next_attempt_at,
                                               const std::string& error) {
    static const std::string kStatement = "outbox_retry";
    std::vector<std::string> params{std::to_string(id), std::to_string(attempts),
                                    std::to_string(ToMillis(next_attempt_at)), error};
    co_await Write(kStatement, params);
}

asio::awaitable<void> PgStore::MarkOutboxAbandoned(std::int64_t id,
                                                   const std::string& state,
                                                   int attempts,
                                                   const std::string& reason) {
    static const std::string kStatement = "outbox_abandoned";
    std::vector<std::string> params{std::to_string(id), state, std::to_string(attempts), reason};
    co_await Write(kStatement, params);
}

std::vector<ConfigParameter> PgStore::ListConfigParameters() {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        std::vector<ConfigParameter> out;
        for (const auto& row : tx.exec_prepared("list_config")) {
            out.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                           row[2].as<std::string>(), row[3].as<std::string>()});
        }
        return out;
    });
}

bool PgStore::CreateConfigParameter(const ConfigParameter& parameter) {
    return writes_
               .Execute("create_config",
                        {parameter.category, parameter.key, parameter.value, parameter.type})
               .affected_rows() == 1;
}

bool PgStore::UpdateConfigParameter(const std::string& category,
                                    const std::string& key,
                                    const std::string& value) {
    return writes_.Execute("update_config", {category, key, value}).affected_rows() == 1;
}

std::vector<DynamicMapping> PgStore::ListDynamicMappings(const std::string& kind) {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        std::vector<DynamicMapping> out;
        for (const auto& row : tx.exec_prepared("list_mappings", kind)) {
            out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(),
                           row[3].as<std::string>()});
        }
        return out;
    });
}

void PgStore::CreateDynamicMappings(const std::vector<DynamicMapping>& entries) {
    writes_.Run([&](pqxx::work& tx) {
        // All checks before the first write (group-commit contract).
        for (const auto& entry : entries) {
            if (!tx.exec_prepared("mapping_exists", entry.kind, entry.name).empty()) {
                std::string kind = entry.kind;
                kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
                throw Error(ErrorCode::kConflict, kind + " " + entry.name + " already exists.");
            }
        }
        for (const auto& entry : entries)
            tx.exec_prepared0("insert_mapping", entry.kind, entry.name, entry.document);
    });
}

bool PgStore::DeleteDynamicMapping(const std::string& kind, const std::string& name) {
    return writes_.Execute("delete_mapping", {kind, name}).affected_rows() == 1;
}

int PgStore::DeleteNonCoreDynamicMappings(const std::string& kind) {
    return static_cast<int>(writes_.Execute("delete_noncore_mappings", {kind}).affected_rows());
}

bool PgStore::HostSchedulable(const std::string& host) {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared("host_schedulable", host);
        return rows.empty() || rows[0][0].as<bool>();
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::SetHostSchedulable(
    const std::string& host,
    bool schedulable,
    const Operation& op,
    const std::vector<OutboxMessage>& events) {
    std::vector<OutboxRow> rows;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                tx.exec_prepared0("set_host", host, schedulable);
                tx.exec_prepared0("insert_finished_operation", op.transaction_id, op.kind,
                                  op.target_kind, op.target_id, op.callback_url, op.events_url,
                                  op.payload, 200,
                                  std::string(schedulable ? "Host enabled" : "Host disabled"));
                for (const auto& message : events)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, message));
            },
            std::move(done));
    });
    co_return rows;
}

namespace {
// The columns of "list_vm_snapshots" and "find_vm_snapshots", in that order.
VmSnapshot SnapshotFromRow(const pqxx::row& row) {
    VmSnapshot snapshot;
    snapshot.snapshot_id = row[0].as<std::string>();
    snapshot.name = row[1].as<std::string>();
    snapshot.tenant_id = row[2].as<std::string>();
    snapshot.vm_name = row[3].as<std::string>();
    snapshot.deployment_id = row[4].as<std::string>();
    snapshot.state = ParseSnapshotState(row[5].as<std::string>()).value_or(SnapshotState::kError);
    snapshot.created_at = row[6].as<std::string>();
    return snapshot;
}
}  // namespace

std::vector<VmSnapshot> PgStore::ListVmSnapshots(const std::string& tenant_id,
                                                 const std::string& vm_name) {
    return AllRows("list_vm_snapshots", SnapshotFromRow, tenant_id, vm_name);
}

std::vector<VmSnapshot> PgStore::FindVmSnapshots(const std::string& id_or_name) {
    return AllRows("find_vm_snapshots", SnapshotFromRow, id_or_name);
}

asio::awaitable<void> PgStore::AcceptVmSnapshot(const VmSnapshot& snapshot, const Operation& op) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                // Every check before the first write (group-commit contract).
                auto next = CheckTransition(tx, kind::kDeployment, op.target_id,
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
                pqxx::subtransaction sub(tx, "accept_vm_snapshot");
                if (tx.exec_prepared("insert_vm_snapshot", snapshot.snapshot_id, snapshot.name,
                                     snapshot.tenant_id, snapshot.vm_name,
                                     std::string(ToString(SnapshotState::kCreating)))
                        .empty()) {
                    throw Error(ErrorCode::kConflict,
                                "snapshot id " + snapshot.snapshot_id + " is already used");
                }
                tx.exec_prepared0("set_state", kind::kDeployment, op.target_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op);
                sub.commit();
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
                auto next = CheckTransition(tx, kind::kDeployment, op.target_id,
                                            ResourceEvent::kUpdateRequested);
                auto rows = tx.exec_prepared("lock_vm_snapshot", snapshot_id, op.target_id);
                if (rows.empty())
                    throw Error(ErrorCode::kNotFound, "snapshot " + snapshot_id + " not found");
                const auto current = ParseSnapshotState(rows[0][0].as<std::string>())
                                         .value_or(SnapshotState::kError);
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
                pqxx::subtransaction sub(tx, "accept_vm_snapshot_request");
                if (volume && tx.exec_prepared("insert_declared", volume->internal_id, volume->kind,
                                               volume->tenant_id, volume->parent_id, volume->name,
                                               volume->spec)
                                  .empty()) {
                    throw Error(ErrorCode::kConflict,
                                "internal id " + volume->internal_id + " is already used");
                }
                tx.exec_prepared0("set_vm_snapshot_state", snapshot_id,
                                  std::string(ToString(*moved)));
                tx.exec_prepared0("set_state", kind::kDeployment, op.target_id,
                                  std::string(ToString(next)));
                InsertOperation(tx, op);
                sub.commit();
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptDeployment(
    const ResourceRecord& deployment,
    const Operation& op,
    const std::vector<std::pair<std::string, std::string>>& uses,
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
                if (!parent.empty() && parent[0][0].as<std::string>() != kind::kTenant) {
                    throw Error(ErrorCode::kConflict,
                                "tenant " + tenant + " names a " + parent[0][0].as<std::string>());
                }
                if (!parent.empty() && parent[0][1].as<std::string>() == "DELETING")
                    throw Error(ErrorCode::kConflict, "tenant " + tenant + " is being deleted");
                // From here on a refusal must leave nothing: a concurrent request can still
                // take the id between the check above and the insert below.
                pqxx::subtransaction sub(tx, "accept_deployment");
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
                for (const auto& r : declared) {
                    if (tx.exec_prepared("insert_declared", r.internal_id, r.kind, r.tenant_id,
                                         r.parent_id, r.name, r.spec)
                            .empty()) {
                        throw Error(ErrorCode::kConflict, "internal id " + r.internal_id +
                                                              " of the " + r.kind +
                                                              " the deployment declares is "
                                                              "already used");
                    }
                }
                for (const auto& [kind, id] : uses)
                    tx.exec_prepared0("insert_ref", deployment.internal_id, kind, id);
                InsertOperation(tx, op);
                sub.commit();
            },
            std::move(done));
    });
}

asio::awaitable<void> PgStore::AcceptDeploymentUpdate(
    const Operation& op, const std::vector<std::pair<std::string, std::string>>& uses) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                auto next = CheckTransition(tx, kind::kDeployment, op.target_id,
                                            ResourceEvent::kUpdateRequested);
                tx.exec_prepared0("set_state", kind::kDeployment, op.target_id,
                                  std::string(ToString(next)));
                for (const auto& [kind, id] : uses)
                    tx.exec_prepared0("insert_ref", op.target_id, kind, id);
                InsertOperation(tx, op);
            },
            std::move(done));
    });
}

std::vector<std::string> PgStore::AllocatedAddresses(const std::string& network_id) {
    return AllRows(
        "allocated_addresses", [](const pqxx::row& row) { return row[0].as<std::string>(); },
        network_id);
}

std::optional<Operation> PgStore::LatestOperation(const std::string& target_id) {
    return FirstRow("latest_operation", OperationFromRow, target_id);
}

std::optional<ServiceState> PgStore::GetServiceState(const std::string& deployment_id) {
    auto state = FirstRow(
        "get_service", [](const pqxx::row& row) { return row[0].as<std::string>(); },
        deployment_id);
    if (!state) return std::nullopt;
    return ParseServiceState(*state);
}

namespace {
VmRecord VmFromRow(const pqxx::row& row) {
    VmRecord vm;
    vm.vm_name = row[0].as<std::string>();
    vm.deployment_id = row[1].as<std::string>();
    vm.vm_group = row[2].as<std::string>();
    vm.vm_index = row[3].as<int>();
    vm.uuid = row[4].as<std::string>();
    vm.host = row[5].as<std::string>();
    vm.state = ParseVmState(row[6].as<std::string>()).value_or(VmState::kError);
    vm.interfaces = row[7].as<std::string>();
    vm.monitoring = row[8].as<bool>();
    return vm;
}
}  // namespace

std::vector<VmRecord> PgStore::ListVms(const std::string& deployment_id) {
    return AllRows("list_vms", VmFromRow, deployment_id);
}

std::vector<VmRecord> PgStore::ListAllVms() {
    return AllRows("list_all_vms", VmFromRow);
}

std::map<std::string, ServiceState> PgStore::ListServiceStates() {
    std::map<std::string, ServiceState> out;
    for (auto& [id, state] : AllRows("list_services", [](const pqxx::row& row) {
             return std::make_pair(row[0].as<std::string>(), row[1].as<std::string>());
         })) {
        out.emplace(std::move(id), ParseServiceState(state).value_or(ServiceState::kError));
    }
    return out;
}

std::optional<VmRecord> PgStore::GetVm(const std::string& vm_name) {
    return FirstRow("get_vm", VmFromRow, vm_name);
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
                if (step.service_state) {
                    tx.exec_prepared0("set_service", step.deployment_id,
                                      std::string(ToString(*step.service_state)));
                }
                for (const auto& vm : step.upserts) {
                    tx.exec_prepared0("upsert_vm", vm.vm_name, vm.deployment_id, vm.vm_group,
                                      vm.vm_index, vm.uuid, vm.host,
                                      std::string(ToString(vm.state)), vm.interfaces,
                                      vm.monitoring);
                }
                for (const auto& a : step.allocations) {
                    tx.exec_prepared0("insert_allocation", a.network_id, a.address, a.vm_name,
                                      a.nicid);
                }
                for (const auto& [vm_name, nicid] : step.released)
                    tx.exec_prepared0("release_allocation", vm_name, nicid);
                for (const auto& name : step.removed) tx.exec_prepared0("delete_vm", name);
                if (step.uses) {
                    tx.exec_prepared0("delete_refs", step.deployment_id);
                    for (const auto& [kind, id] : *step.uses)
                        tx.exec_prepared0("insert_ref", step.deployment_id, kind, id);
                }
                for (const auto& r : step.resources) {
                    if (r.state == ToString(ResourceState::kRemoved)) {
                        tx.exec_prepared0("delete_resource", r.kind, r.internal_id);
                    } else {
                        tx.exec_prepared0("update_resource", r.kind, r.internal_id, r.state,
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
                    rows.push_back(InsertOutbox(tx, step.transaction_id, message));
            },
            std::move(done));
    });
    co_return rows;
}

std::optional<std::string> PgStore::GetSetting(const std::string& key) {
    return With([&](pqxx::connection& c) -> std::optional<std::string> {
        pqxx::nontransaction tx(c);  // one statement: no BEGIN/COMMIT round trips
        auto rows = tx.exec_prepared("get_setting", key);
        if (rows.empty()) return std::nullopt;
        return rows[0][0].as<std::string>();
    });
}

void PgStore::PutSetting(const std::string& key, const std::string& value) {
    With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        tx.exec_prepared0("put_setting", key, value);
    });
}

// VIM connectors and VIM users.

namespace {
// Marks, in `settings`, that escd's own VIM was preloaded once on this database.
constexpr const char* kVimPreloadedSetting = "vim_connectors.preloaded";

VimConnector ConnectorFromRow(const pqxx::row& row) {
    VimConnector c;
    c.id = row[0].as<std::string>();
    c.type = ParseVimType(row[1].as<std::string>()).value_or(VimType::kOpenstack);
    c.properties = xml::PropertiesFromStored(row[2].as<std::string>());
    c.is_default = row[3].as<bool>();
    if (!row[4].is_null()) {
        c.status = VimConnectorStatus{row[4].as<bool>(), row[5].as<std::string>(),
                                      FromMillis(row[6].as<std::int64_t>())};
    }
    return c;
}

std::string ConnectorNotFound(const std::string& id) {
    return "VIM connector " + id + " not found";
}

std::string UserNotFound(const std::string& vim_id, const std::string& user_id) {
    return "VIM user " + user_id + " not found on VIM connector " + vim_id;
}

// The connector must exist; locks it against a concurrent delete (FOR SHARE) or change.
void RequireConnector(pqxx::work& tx, const std::string& id, const char* statement) {
    if (tx.exec_prepared(statement, id).empty())
        throw Error(ErrorCode::kNotFound, ConnectorNotFound(id));
}

void RequireUser(pqxx::work& tx, const std::string& vim_id, const std::string& user_id) {
    RequireConnector(tx, vim_id, "share_vim_connector");
    if (tx.exec_prepared("lock_vim_user", vim_id, user_id).empty())
        throw Error(ErrorCode::kNotFound, UserNotFound(vim_id, user_id));
}

using Change = std::function<void(pqxx::work&)>;

// `change` (its checks, then its writes: the group-commit contract), a finished `op` and its
// callbacks, in one transaction. A retried batch runs the job again, hence rows.clear().
asio::awaitable<std::vector<OutboxRow>> CommitFinished(
    GroupCommit& writes,
    const Change& change,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    std::vector<OutboxRow> rows;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                change(tx);
                tx.exec_prepared0("insert_finished_operation", op.transaction_id, op.kind,
                                  op.target_kind, op.target_id, op.callback_url, op.events_url,
                                  op.payload, 200, message);
                for (const auto& callback : callbacks)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, callback));
            },
            std::move(done));
    });
    co_return rows;
}
}  // namespace

std::vector<VimConnector> PgStore::ListVimConnectors() {
    return AllRows("list_vim_connectors", ConnectorFromRow);
}

std::optional<VimConnector> PgStore::GetVimConnector(const std::string& id) {
    return FirstRow("get_vim_connector", ConnectorFromRow, id);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CreateVimConnector(
    const VimConnector& connector,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto properties = xml::StoredProperties(connector.properties);
    const Change change = [&](pqxx::work& tx) {
        if (!tx.exec_prepared("vim_connector_exists", connector.id).empty()) {
            throw Error(ErrorCode::kConflict, "VIM connector " + connector.id + " already exists");
        }
        // A concurrent create of the same id makes this insert wait, then insert nothing; the
        // refusal then leaves nothing behind.
        auto inserted = tx.exec_prepared0("insert_vim_connector", connector.id,
                                          std::string(ToString(connector.type)), properties);
        if (inserted.affected_rows() == 0)
            throw Error(ErrorCode::kConflict, "VIM connector " + connector.id + " already exists");
        tx.exec_prepared0("default_vim_connector_if_none", connector.id);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::UpdateVimConnector(
    const VimConnector& connector,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto properties = xml::StoredProperties(connector.properties);
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, connector.id, "lock_vim_connector");
        tx.exec_prepared0("update_vim_connector", connector.id,
                          std::string(ToString(connector.type)), properties);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::DeleteVimConnector(
    const std::string& id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "lock_vim_connector");
        auto user = tx.exec_prepared("first_vim_user", id);
        if (!user.empty()) {
            throw Error(ErrorCode::kConflict, "VIM connector " + id + " still has VIM users (" +
                                                  user[0][0].as<std::string>() +
                                                  ", ...); delete them first");
        }
        // A default switch to this connector holds it FOR SHARE, so the row read here is not
        // about to name it.
        auto current = tx.exec_prepared("get_default_vim_connector");
        const bool is_default = !current.empty() && current[0][0].as<std::string>() == id;
        if (is_default && tx.exec_prepared1("count_vim_connectors")[0].as<long>() > 1) {
            throw Error(ErrorCode::kConflict,
                        "VIM connector " + id +
                            " is the default VIM connector; make another one the default first");
        }
        tx.exec_prepared0("clear_default_vim_connector", id);
        tx.exec_prepared0("delete_vim_connector", id);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::SetDefaultVimConnector(
    const std::string& id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "share_vim_connector");
        tx.exec_prepared0("set_default_vim_connector", id);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::RecordVimConnectorStatus(
    const std::string& id,
    const VimConnectorStatus& status,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto checked_at = std::to_string(ToMillis(status.checked_at));
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "lock_vim_connector");
        tx.exec_prepared0("record_vim_connector_status", id, status.reachable, status.message,
                          checked_at);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

bool PgStore::PreloadVimConnector(const VimConnector& connector) {
    bool inserted = false;
    writes_.Run([&](pqxx::work& tx) {
        inserted = false;
        if (!tx.exec_prepared("get_setting", std::string(kVimPreloadedSetting)).empty()) return;
        inserted = tx.exec_prepared0("insert_vim_connector", connector.id,
                                     std::string(ToString(connector.type)),
                                     xml::StoredProperties(connector.properties))
                       .affected_rows() == 1;
        if (inserted) tx.exec_prepared0("default_vim_connector_if_none", connector.id);
        tx.exec_prepared0("put_setting", std::string(kVimPreloadedSetting), std::string("true"));
    });
    return inserted;
}

std::vector<VimUser> PgStore::ListVimUsers(const std::string& vim_id) {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared("list_vim_users", vim_id);
        if (rows.empty()) throw Error(ErrorCode::kNotFound, ConnectorNotFound(vim_id));
        std::vector<VimUser> out;
        for (const auto& row : rows) {
            if (row[0].is_null()) continue;  // the connector has no users
            out.push_back({vim_id, row[0].as<std::string>(),
                           xml::PropertiesFromStored(row[1].as<std::string>())});
        }
        return out;
    });
}

VimUser PgStore::GetVimUser(const std::string& vim_id, const std::string& user_id) {
    return With([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared("get_vim_user", vim_id, user_id);
        if (rows.empty()) throw Error(ErrorCode::kNotFound, ConnectorNotFound(vim_id));
        if (rows[0][0].is_null()) throw Error(ErrorCode::kNotFound, UserNotFound(vim_id, user_id));
        return VimUser{vim_id, user_id, xml::PropertiesFromStored(rows[0][1].as<std::string>())};
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CreateVimUser(
    const VimUser& user,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto credentials = xml::StoredProperties(user.credentials);
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, user.vim_id, "share_vim_connector");
        if (!tx.exec_prepared("lock_vim_user", user.vim_id, user.id).empty()) {
            throw Error(ErrorCode::kConflict,
                        "VIM user " + user.id + " already exists on VIM connector " + user.vim_id);
        }
        tx.exec_prepared0("insert_vim_user", user.vim_id, user.id, credentials);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::UpdateVimUser(
    const VimUser& user,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto credentials = xml::StoredProperties(user.credentials);
    const Change change = [&](pqxx::work& tx) {
        RequireUser(tx, user.vim_id, user.id);
        tx.exec_prepared0("update_vim_user", user.vim_id, user.id, credentials);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::DeleteVimUser(
    const std::string& vim_id,
    const std::string& user_id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireUser(tx, vim_id, user_id);
        tx.exec_prepared0("delete_vim_user", vim_id, user_id);
    };
    co_return co_await CommitFinished(writes_, change, op, message, callbacks);
}

}  // namespace escd::model::pg
