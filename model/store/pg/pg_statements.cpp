// PgStore: the prepared statement table, every statement of every aggregate (resources,
// operations and the outbox, config parameters, VM snapshots, dynamic mappings, hosts, settings,
// deployments and their VMs, VIM connectors and VIM users), grouped by the tables they touch.
// The SQL lives here; the C++ that executes a statement lives in the file of its aggregate.

#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

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
    // The resources of several ids at once (internal ids are unique across kinds); $1 is a
    // text[] literal.
    {"get_resources_by_ids",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE internal_id = ANY($1::text[])"},
    {"find_resources_by_key",
     "SELECT kind, internal_id, COALESCE(tenant_id, ''), name, state, COALESCE(external_id, ''), "
     "spec, COALESCE(parent_id, '') "
     "FROM resources WHERE kind = $1 AND (internal_id = $2 OR external_id = $2 OR name = $2) "
     "ORDER BY internal_id"},
    // A create in one statement: the resource, its operation and the lease of its transaction
    // (to $10, the accepting node), or nothing when the id is taken. Answers (inserted, kind
    // that holds the id, parent present) so that a refusal needs no second query.
    {"accept_create_root",
     "WITH r AS (INSERT INTO resources (internal_id, kind, name, state, spec) "
     "           VALUES ($1, $2, $3, 'CREATING', $4) ON CONFLICT (internal_id) DO NOTHING "
     "           RETURNING internal_id), "
     "o AS (INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload) "
     "      SELECT $5::uuid, $6, $2, r.internal_id, NULLIF($7, ''), NULLIF($8, ''), $9 FROM r "
     "RETURNING 1), "
     "l AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "      SELECT 'transaction', $5::text, NULLIF($10, '')::uuid FROM r) "
     "SELECT (SELECT count(*) FROM o), (SELECT kind FROM resources WHERE internal_id = $1), true"},
    // The same under a parent (the tenant, or a subnet's network), which must exist, belong to
    // the same tenant and not be going away (FOR SHARE holds off a concurrent delete of the parent
    // until this commits; that delete then sees the new child). $11 = parent kind, $12 = tenant,
    // $13 = the accepting node.
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
     "RETURNING 1), "
     "l AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "      SELECT 'transaction', $5::text, NULLIF($13, '')::uuid FROM r) "
     "SELECT (SELECT count(*) FROM o), (SELECT kind FROM resources WHERE internal_id = $1), "
     "       EXISTS (SELECT 1 FROM p)"},
    {"lock_resource",
     "SELECT state FROM resources WHERE kind = $1 AND internal_id = $2 FOR UPDATE"},
    {"first_child",
     "SELECT kind, internal_id FROM resources WHERE parent_id = $1 OR tenant_id = $1 LIMIT 1"},
    {"set_state",
     "UPDATE resources SET state = $3, updated_at = now() WHERE kind = $1 AND internal_id = $2"},
    // An accepted operation and the lease of its transaction, to $8 (the accepting node).
    {"insert_operation",
     "WITH l AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "           VALUES ('transaction', $1::text, NULLIF($8, '')::uuid)) "
     "INSERT INTO operations (transaction_id, kind, target_kind, target_id, callback_url, "
     "events_url, payload) "
     "VALUES ($1::uuid, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7)"},
    {"delete_resource", "DELETE FROM resources WHERE kind = $1 AND internal_id = $2"},
    {"update_resource",
     "UPDATE resources SET state = $3, external_id = COALESCE(NULLIF($4, ''), external_id), "
     "spec = COALESCE(NULLIF($5, ''), spec), name = COALESCE(NULLIF($6, ''), name), updated_at = "
     "now() "
     "WHERE kind = $1 AND internal_id = $2"},
    // No row: the operation had ended already (its end is being retried).
    {"finish_operation",
     "UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $2, status_message = "
     "$3 "
     "WHERE transaction_id = $1::uuid AND finished_at IS NULL RETURNING cancelled_by IS NOT NULL"},
    // $1 = the target kind, $2 = its id, $3 = the operation being accepted: the one running.
    {"running_operation",
     "SELECT transaction_id::text, kind FROM operations WHERE target_kind = $1 AND "
     "target_id = $2 AND finished_at IS NULL AND transaction_id <> $3::uuid ORDER BY created_at "
     "LIMIT 1"},
    {"cancel_operation",
     "UPDATE operations SET cancelled_by = $2::uuid WHERE transaction_id = $1::uuid AND "
     "finished_at IS NULL"},
    {"operation_cancelled_by",
     "SELECT cancelled_by::text FROM operations WHERE transaction_id = $1::uuid AND "
     "cancelled_by IS NOT NULL"},
    {"operation_end",
     "SELECT status_code FROM operations WHERE transaction_id = $1::uuid AND finished_at IS NOT "
     "NULL"},
    {"unfinished_cancelled_by",
     "SELECT transaction_id::text FROM operations WHERE cancelled_by = $1::uuid AND "
     "finished_at IS NULL"},
    // A callback, and the lease of its transaction to $7 (the writing node) unless it has one:
    // the events of a monitor's verdict belong to no operation.
    {"insert_outbox",
     "WITH l AS (INSERT INTO leases (unit_kind, unit_id, owner) "
     "           VALUES ('transaction', $1::text, NULLIF($7, '')::uuid) ON CONFLICT DO NOTHING) "
     "INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "VALUES ($1::uuid, $2, $3, $4, $5, $6) "
     "RETURNING id, (extract(epoch from created_at) * 1000)::bigint"},
    // Fences a write for unit $2 of kind $1 on its lease: true when node $3 holds it; no row when
    // it has none (a monitor's event on a finished transaction: insert_outbox then gives it
    // one). FOR SHARE: a takeover's claim skips the lease until this write commits.
    {"hold_lease",
     "SELECT owner IS NOT DISTINCT FROM NULLIF($3, '')::uuid FROM leases "
     "WHERE unit_kind = $1 AND unit_id = $2 FOR SHARE"},
    {"latest_operation",
     "SELECT transaction_id::text, kind, target_kind, target_id, COALESCE(callback_url, ''), "
     "COALESCE(events_url, ''), payload FROM operations WHERE target_id = $1 ORDER BY "
     "created_at DESC LIMIT 1"},
    {"lock_idle_deployment",
     "SELECT 1 FROM resources WHERE kind = 'deployment' AND internal_id = $1 AND state = 'ACTIVE' "
     "FOR UPDATE"},
    {"outbox_delivered",
     "UPDATE outbox SET state = 'DELIVERED', finished_at = now(), last_error = NULL, "
     "attempts = attempts + 1 WHERE id = $2 AND transaction_id = $1::uuid AND state = 'PENDING'"},
    {"outbox_retry",
     "UPDATE outbox SET attempts = $2, next_attempt_at = to_timestamp($3::double precision / "
     "1000), "
     "last_error = $4 WHERE id = $1"},
    {"outbox_abandoned",
     "UPDATE outbox SET state = $2, attempts = $3, last_error = $4, finished_at = now() WHERE id = "
     "$1"},
    // The usual end of an operation in ONE statement: the resource's new state, the operation's
    // end and its single callback (or none: $10 = ''), fenced on the transaction's lease (held
    // by $13, this node): nothing changes when another node took it over. Idempotent: an end
    // committed already (a retry after a COMMIT whose outcome was lost) changes nothing again.
    // One row always: the callback's id and time (NULL without one), whether the lease was
    // held, and whether this statement ended the operation.
    {"complete_update_one",
     "WITH f AS (SELECT 1 FROM leases WHERE unit_kind = 'transaction' AND unit_id = $7::text "
     "           AND owner IS NOT DISTINCT FROM NULLIF($13, '')::uuid FOR SHARE), "
     "o AS (UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $8, "
     "status_message = $9 "
     "      WHERE transaction_id = $7::uuid AND finished_at IS NULL AND EXISTS (SELECT 1 FROM f) "
     "      RETURNING cancelled_by), "
     // A cancelled operation leaves its target to the undeploy that cancelled it (DELETING).
     "r AS (UPDATE resources SET state = $3, external_id = COALESCE(NULLIF($4, ''), "
     "external_id), "
     "      spec = COALESCE(NULLIF($5, ''), spec), name = COALESCE(NULLIF($6, ''), name), "
     "      updated_at = now() WHERE kind = $1 AND internal_id = $2 "
     "      AND EXISTS (SELECT 1 FROM o WHERE o.cancelled_by IS NULL)), "
     "c AS (INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "      SELECT $7::uuid, $10, $11, $8, $9, $12 WHERE $10 <> '' AND EXISTS (SELECT 1 FROM o) "
     "      RETURNING id, (extract(epoch from created_at) * 1000)::bigint AS ms) "
     "SELECT c.id, c.ms, EXISTS (SELECT 1 FROM f), EXISTS (SELECT 1 FROM o) "
     "FROM (SELECT 1) one LEFT JOIN c ON true"},
    {"complete_remove_one",
     "WITH f AS (SELECT 1 FROM leases WHERE unit_kind = 'transaction' AND unit_id = $3::text "
     "           AND owner IS NOT DISTINCT FROM NULLIF($9, '')::uuid FOR SHARE), "
     "o AS (UPDATE operations SET finished_at = now(), step = 'DONE', status_code = $4, "
     "status_message = $5 "
     "      WHERE transaction_id = $3::uuid AND finished_at IS NULL AND EXISTS (SELECT 1 FROM f) "
     "      RETURNING 1), "
     "r AS (DELETE FROM resources WHERE kind = $1 AND internal_id = $2 "
     "      AND EXISTS (SELECT 1 FROM o)), "
     "c AS (INSERT INTO outbox (transaction_id, url, event, status_code, status_message, body) "
     "      SELECT $3::uuid, $6, $7, $4, $5, $8 WHERE $6 <> '' AND EXISTS (SELECT 1 FROM o) "
     "      RETURNING id, (extract(epoch from created_at) * 1000)::bigint AS ms) "
     "SELECT c.id, c.ms, EXISTS (SELECT 1 FROM f), EXISTS (SELECT 1 FROM o) "
     "FROM (SELECT 1) one LEFT JOIN c ON true"},
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
    {"disabled_hosts", "SELECT name FROM hosts WHERE NOT schedulable"},
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
     "monitoring, recovery_attempts, image FROM vms WHERE deployment_id = $1 ORDER BY vm_group, "
     "vm_index"},
    {"list_all_vms",
     "SELECT vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring, recovery_attempts, image FROM vms ORDER BY deployment_id, vm_group, vm_index"},
    {"list_services", "SELECT deployment_id, state FROM services"},
    {"upsert_vm",
     "INSERT INTO vms (vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring, recovery_attempts, image) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
     "ON CONFLICT (vm_name) DO UPDATE SET uuid = EXCLUDED.uuid, host = EXCLUDED.host, "
     "state = EXCLUDED.state, interfaces = EXCLUDED.interfaces, "
     "monitoring = EXCLUDED.monitoring, recovery_attempts = EXCLUDED.recovery_attempts, "
     "image = EXCLUDED.image, updated_at = now()"},
    {"delete_vm", "DELETE FROM vms WHERE vm_name = $1"},
    {"get_vm",
     "SELECT vm_name, deployment_id, vm_group, vm_index, uuid, host, state, interfaces, "
     "monitoring, recovery_attempts, image FROM vms WHERE vm_name = $1"},
    {"allocated_addresses", "SELECT address FROM ip_allocations WHERE network_id = $1"},
    // No row: the address is another VM's (or this very allocation's, committed by a first run).
    {"insert_allocation",
     "INSERT INTO ip_allocations (network_id, address, vm_name, nicid) VALUES ($1, $2, $3, $4) "
     "ON CONFLICT (network_id, address) DO UPDATE SET nicid = EXCLUDED.nicid "
     "WHERE ip_allocations.vm_name = EXCLUDED.vm_name AND ip_allocations.nicid = EXCLUDED.nicid "
     "RETURNING 1"},
    {"put_setting",
     "INSERT INTO settings (key, value) VALUES ($1, $2) "
     "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"},
    // First writer wins. The conflict's no-op update returns the row another transaction
    // committed meanwhile; a DO NOTHING with a SELECT in the same statement would not see it
    // (the statement's snapshot predates that commit) and return no row.
    {"setting_or_put",
     "INSERT INTO settings (key, value) VALUES ($1, $2) "
     "ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value"},

    // VIM connectors and VIM users.
    {"list_vim_connectors",
     "SELECT c.id, c.type, c.properties, d.vim_id IS NOT NULL, c.status_reachable, "
     "COALESCE(c.status_message, ''), (extract(epoch from c.status_checked_at) * 1000)::bigint "
     "FROM vim_connectors c LEFT JOIN vim_default_connector d ON d.vim_id = c.id ORDER BY c.id"},
    // Every connector with each of its users (user columns NULL for one with none): the columns
    // of list_vim_connectors, then user_id and credentials.
    {"list_vim_connectors_with_users",
     "SELECT c.id, c.type, c.properties, d.vim_id IS NOT NULL, c.status_reachable, "
     "COALESCE(c.status_message, ''), (extract(epoch from c.status_checked_at) * 1000)::bigint, "
     "u.user_id, u.credentials "
     "FROM vim_connectors c LEFT JOIN vim_default_connector d ON d.vim_id = c.id "
     "LEFT JOIN vim_users u ON u.vim_id = c.id ORDER BY c.id, u.user_id"},
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
    // Nodes (docs/cluster.md): liveness on the database's clock; $2 = the lease in milliseconds.
    // A node that starts under the name of one still running succeeds it: the predecessor is
    // marked stopped in the same statement, so its work is claimable at once.
    // A running node of the same name is succeeded; the rows of nodes stopped or silent for a
    // day that no lease names any more are forgotten (an operator reads the recent ones).
    {"register_node",
     "WITH p AS (UPDATE nodes SET stopped_at = now() WHERE name = $2 AND stopped_at IS NULL), "
     "     f AS (DELETE FROM nodes n WHERE COALESCE(n.stopped_at, n.heartbeat_at) < now() - "
     "           interval '1 day' AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.owner = "
     "           n.node_id)) "
     "INSERT INTO nodes (node_id, name) VALUES ($1::uuid, $2)"},
    // Whether the heartbeat was renewed, and whether the row is stopped (by a successor); a row
    // that is gone (forgotten after a day of silence) is a lost node, which joins again.
    {"node_heartbeat",
     "WITH u AS (UPDATE nodes SET heartbeat_at = now() WHERE node_id = $1::uuid "
     "           AND stopped_at IS NULL "
     "           AND heartbeat_at > now() - $2::bigint * interval '1 millisecond' RETURNING 1) "
     "SELECT EXISTS (SELECT 1 FROM u), "
     "       COALESCE((SELECT stopped_at IS NOT NULL FROM nodes WHERE node_id = $1::uuid), false)"},
    {"stop_node", "UPDATE nodes SET stopped_at = now() WHERE node_id = $1::uuid"},
    {"list_nodes",
     "SELECT node_id, name, (extract(epoch from started_at) * 1000)::bigint, "
     "(extract(epoch from heartbeat_at) * 1000)::bigint, "
     "(extract(epoch from stopped_at) * 1000)::bigint, "
     "stopped_at IS NULL AND heartbeat_at > now() - $1::bigint * interval '1 millisecond', "
     "COALESCE(held.leases, 0) "
     "FROM nodes n LEFT JOIN (SELECT owner, count(*) AS leases FROM leases GROUP BY owner) held "
     "ON held.owner = n.node_id ORDER BY started_at, node_id"},
    // Leases (docs/cluster.md): $1 = the unit kind, $2 = the claiming node, $3 = the lease in
    // milliseconds, $4 = how many at most. A lease is an orphan when it is nobody's or its owner
    // is gone, stopped or silent for longer than the lease; SKIP LOCKED lets two claims pass
    // each other without taking the same row (nor waiting on a write that holds one). The owner
    // is judged in a subquery, not a join: a row another claim took since this statement's
    // snapshot is re-checked with its new owner (a joined row would be the old one's).
    {"claim_orphan_leases",
     "WITH c AS (SELECT l.unit_kind, l.unit_id FROM leases l "
     "           WHERE l.unit_kind = $1 AND (l.owner IS NULL OR NOT EXISTS ("
     "             SELECT 1 FROM nodes n WHERE n.node_id = l.owner AND n.stopped_at IS NULL "
     "             AND n.heartbeat_at > now() - $3::bigint * interval '1 millisecond')) "
     "           ORDER BY l.claimed_at LIMIT $4 FOR UPDATE SKIP LOCKED) "
     "UPDATE leases l SET owner = $2::uuid, epoch = l.epoch + 1, claimed_at = now() FROM c "
     "WHERE l.unit_kind = c.unit_kind AND l.unit_id = c.unit_id RETURNING l.unit_id"},
    {"unfinished_operations_of",
     "SELECT transaction_id::text, kind, target_kind, target_id, COALESCE(callback_url, ''), "
     "COALESCE(events_url, ''), payload FROM operations "
     "WHERE transaction_id = ANY($1::uuid[]) AND finished_at IS NULL ORDER BY created_at"},
    {"pending_outbox_of",
     "SELECT id, transaction_id::text, url, event, status_code, status_message, body, attempts, "
     "(extract(epoch from created_at) * 1000)::bigint, (extract(epoch from next_attempt_at) * "
     "1000)::bigint "
     "FROM outbox WHERE transaction_id = ANY($1::uuid[]) AND state = 'PENDING' ORDER BY id"},
    // $1 = the node: its transaction leases with nothing left to do, and its monitoring leases
    // of deployments that are gone.
    {"release_finished_transactions",
     "DELETE FROM leases l WHERE l.owner = $1::uuid AND ("
     " (l.unit_kind = 'transaction' "
     "  AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.transaction_id = l.unit_id::uuid "
     "                  AND o.finished_at IS NULL) "
     "  AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.transaction_id = l.unit_id::uuid "
     "                  AND b.state = 'PENDING')) "
     " OR (l.unit_kind = 'deployment_monitor' "
     "  AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.internal_id = l.unit_id "
     "                  AND r.kind = 'deployment')))"},
    // $1 = the deployment, $2 = the node taking its monitoring from whoever had it.
    {"hold_monitor",
     "INSERT INTO leases (unit_kind, unit_id, owner) "
     "VALUES ('deployment_monitor', $1, NULLIF($2, '')::uuid) "
     "ON CONFLICT (unit_kind, unit_id) DO UPDATE SET owner = EXCLUDED.owner, "
     "epoch = leases.epoch + 1, claimed_at = now() "
     "WHERE leases.owner IS DISTINCT FROM EXCLUDED.owner"},
    // $1 = the node, $2 = the lease in ms: how many more deployments it should watch, its fair
    // share (the deployments watched over the live nodes, rounded up) less what it watches;
    // negative when it watches more than that.
    {"monitor_share",
     "SELECT ceil((SELECT count(*) FROM leases WHERE unit_kind = "
     "'deployment_monitor')::numeric / GREATEST(1, (SELECT count(*) FROM nodes WHERE stopped_at "
     "IS NULL AND heartbeat_at > now() - $2::bigint * interval '1 millisecond')))::bigint "
     "- (SELECT count(*) FROM leases WHERE unit_kind = 'deployment_monitor' AND owner = "
     "$1::uuid), now()::text"},
    // $1 = the node, $2 = how many: the monitoring it watched longest becomes nobody's (claimable
    // at once by a node under its share). SKIP LOCKED: a lease a verdict step holds stays.
    {"release_surplus_monitors",
     "WITH r AS (SELECT unit_kind, unit_id FROM leases WHERE unit_kind = 'deployment_monitor' "
     "           AND owner = $1::uuid ORDER BY claimed_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
     "UPDATE leases l SET owner = NULL, claimed_at = now() FROM r "
     "WHERE l.unit_kind = r.unit_kind AND l.unit_id = r.unit_id RETURNING l.unit_id"},
    // $1 = the node, $2 = since when (a now() of monitor_share): the monitoring leases others
    // took since. With a margin: a claim's time is its transaction's start, which may precede
    // an earlier pass that could not see it yet (listed again meanwhile: dropping is idempotent).
    {"monitors_moved",
     "SELECT unit_id FROM leases WHERE unit_kind = 'deployment_monitor' "
     "AND owner IS DISTINCT FROM $1::uuid "
     "AND claimed_at > $2::timestamptz - interval '10 seconds'"},
};

}  // namespace

std::span<const std::pair<const char*, const char*>> PreparedStatements() {
    return kStatements;
}

}  // namespace escd::model::pg
