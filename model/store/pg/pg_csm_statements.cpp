// PgStore: the prepared statements of the CSM face's inventory
// (schemas/sql/0020_csm_inventory.sql). The C++ that executes them is pg_csm.cpp.

#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

// The columns of csm::User, in the order pg_csm.cpp reads them.
#define ESCD_CSM_USERS \
    "SELECT id, username, password_hash, role, active, fullname, email FROM csm_users "

// A host with the names of its region and jump host: the columns of csm::Host, in the order
// pg_csm.cpp reads them (every column named, so that a query over them can order by hostname).
#define ESCD_CSM_HOSTS                                                                          \
    "SELECT h.hostname, g.name AS region, h.location, h.roles, h.software_profile, "            \
    "h.connection_type, h.ts_or_ip, h.port_number, h.username, h.password, h.enable_password, " \
    "COALESCE(j.hostname, '') AS jump_host, h.family, h.chassis, h.software_platform, "         \
    "h.software_version, h.os_type, h.created_by, "                                             \
    "(extract(epoch FROM h.created_time) * 1000)::bigint AS created_ms, "                       \
    "COALESCE(h.vnf_deployment, '') AS vnf_deployment "                                         \
    "FROM csm_hosts h JOIN csm_regions g ON g.id = h.region_id "                                \
    "LEFT JOIN csm_jump_hosts j ON j.id = h.jump_host_id "

// The deletes of an object others refer to are a lock of its row ($1: its name), then, in a
// statement of its own, the delete unless referred to ($1: the id the lock answered); see
// DeleteUnused in pg_csm.cpp. A list's $1 is the name of the one object to list, or NULL for all.
const std::pair<const char*, const char*> kCsmStatements[] = {
    {"csm_list_users", ESCD_CSM_USERS "ORDER BY username"},
    {"csm_get_user", ESCD_CSM_USERS "WHERE username = $1"},
    {"csm_get_user_by_id", ESCD_CSM_USERS "WHERE id = $1"},
    {"csm_put_user",
     "INSERT INTO csm_users (username, password_hash, role, active, fullname, email) "
     "VALUES ($1, $2, $3, $4::boolean, $5, $6) "
     "ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, "
     "role = EXCLUDED.role, active = EXCLUDED.active, fullname = EXCLUDED.fullname, "
     "email = EXCLUDED.email RETURNING id"},
    {"csm_delete_user", "DELETE FROM csm_users WHERE username = $1 RETURNING id"},

    {"csm_list_server_repositories",
     "SELECT hostname, type, address, directory, vrf, username, password, destination_on_host, "
     "created_by FROM csm_server_repositories WHERE $1::text IS NULL OR hostname = $1 "
     "ORDER BY hostname"},
    {"csm_put_server_repository",
     "INSERT INTO csm_server_repositories (hostname, type, address, directory, vrf, username, "
     "password, destination_on_host, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
     "ON CONFLICT (hostname) DO UPDATE SET type = EXCLUDED.type, address = EXCLUDED.address, "
     "directory = EXCLUDED.directory, vrf = EXCLUDED.vrf, username = EXCLUDED.username, "
     "password = EXCLUDED.password, destination_on_host = EXCLUDED.destination_on_host, "
     "created_by = EXCLUDED.created_by"},
    {"csm_lock_server_repository",
     "SELECT id FROM csm_server_repositories WHERE hostname = $1 FOR UPDATE"},
    {"csm_delete_unused_server_repository",
     "DELETE FROM csm_server_repositories s WHERE s.id = $1 AND NOT EXISTS "
     "(SELECT 1 FROM csm_region_repositories l WHERE l.repository_id = s.id) AND NOT EXISTS "
     "(SELECT 1 FROM csm_install_jobs j WHERE j.repository_id = s.id "
     "AND j.status IN ('scheduled', 'in-progress')) RETURNING s.id"},

    {"csm_list_regions",
     "SELECT g.name, ARRAY(SELECT r.hostname FROM csm_region_repositories l "
     "JOIN csm_server_repositories r ON r.id = l.repository_id WHERE l.region_id = g.id "
     "ORDER BY l.position), g.created_by FROM csm_regions g WHERE $1::text IS NULL OR g.name = $1 "
     "ORDER BY g.name"},
    // $2: the region's repositories (a text[]). Answers the first of them not stored, in their
    // order (then nothing is written), or the region's id. The repositories found are locked
    // (KEY SHARE) until the commit, so that a concurrent delete either is seen here or sees the
    // region's list.
    {"csm_put_region",
     "WITH wanted AS (SELECT w.name, w.ord FROM unnest($2::text[]) WITH ORDINALITY AS w(name, "
     "ord)), "
     "found AS (SELECT w.ord FROM wanted w JOIN csm_server_repositories r ON r.hostname = w.name "
     "          FOR KEY SHARE OF r), "
     "missing AS (SELECT name FROM wanted WHERE ord NOT IN (SELECT ord FROM found) "
     "            ORDER BY ord LIMIT 1), "
     "region AS (INSERT INTO csm_regions (name, created_by) SELECT $1, $3 "
     "           WHERE NOT EXISTS (SELECT 1 FROM missing) "
     "           ON CONFLICT (name) DO UPDATE SET created_by = EXCLUDED.created_by RETURNING id) "
     "SELECT (SELECT name FROM missing), (SELECT id FROM region)"},
    {"csm_clear_region_repositories", "DELETE FROM csm_region_repositories WHERE region_id = $1"},
    // $2: the names csm_put_region found, in order.
    {"csm_add_region_repositories",
     "INSERT INTO csm_region_repositories (region_id, position, repository_id) "
     "SELECT $1, w.ord, r.id FROM unnest($2::text[]) WITH ORDINALITY AS w(name, ord) "
     "JOIN csm_server_repositories r ON r.hostname = w.name"},
    {"csm_lock_region", "SELECT id FROM csm_regions WHERE name = $1 FOR UPDATE"},
    {"csm_delete_unused_region",
     "DELETE FROM csm_regions g WHERE g.id = $1 AND NOT EXISTS "
     "(SELECT 1 FROM csm_hosts h WHERE h.region_id = g.id) RETURNING g.id"},

    {"csm_list_jump_hosts",
     "SELECT hostname, connection_type, host_or_ip, port_number, username, password, created_by "
     "FROM csm_jump_hosts WHERE $1::text IS NULL OR hostname = $1 ORDER BY hostname"},
    {"csm_put_jump_host",
     "INSERT INTO csm_jump_hosts (hostname, connection_type, host_or_ip, port_number, username, "
     "password, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) "
     "ON CONFLICT (hostname) DO UPDATE SET connection_type = EXCLUDED.connection_type, "
     "host_or_ip = EXCLUDED.host_or_ip, port_number = EXCLUDED.port_number, "
     "username = EXCLUDED.username, password = EXCLUDED.password, "
     "created_by = EXCLUDED.created_by"},
    {"csm_lock_jump_host", "SELECT id FROM csm_jump_hosts WHERE hostname = $1 FOR UPDATE"},
    {"csm_delete_unused_jump_host",
     "DELETE FROM csm_jump_hosts j WHERE j.id = $1 AND NOT EXISTS "
     "(SELECT 1 FROM csm_hosts h WHERE h.jump_host_id = j.id) RETURNING j.id"},

    {"csm_list_command_profiles",
     "SELECT name, commands, created_by FROM csm_command_profiles "
     "WHERE $1::text IS NULL OR name = $1 ORDER BY name"},
    {"csm_put_command_profile",
     "INSERT INTO csm_command_profiles (name, commands, created_by) VALUES ($1, $2::text[], $3) "
     "ON CONFLICT (name) DO UPDATE SET commands = EXCLUDED.commands, "
     "created_by = EXCLUDED.created_by"},
    {"csm_lock_command_profile", "SELECT id FROM csm_command_profiles WHERE name = $1 FOR UPDATE"},
    // Install jobs name their profiles (csm_create_job locks them, KEY SHARE, as a put locks what
    // it names); a finished job's names are history only.
    {"csm_delete_unused_command_profile",
     "DELETE FROM csm_command_profiles c WHERE c.id = $1 AND NOT EXISTS "
     "(SELECT 1 FROM csm_install_jobs j WHERE j.status IN ('scheduled', 'in-progress') "
     "AND c.name = ANY(j.command_profiles)) RETURNING c.id"},

    // A retired host (its VM gone: 0025_csm_vnf_hosts.sql) is in no answer but the history's.
    {"csm_get_host", ESCD_CSM_HOSTS "WHERE h.hostname = $1 AND h.retired_at IS NULL"},
    // $1, $2: the region and the family to match (NULL: any); $3, $4: offset and limit. Every
    // row ends with how many match; a page past the end is one row of NULL host columns, so that
    // the count is still answered.
    {"csm_list_hosts",
     "WITH matching AS (" ESCD_CSM_HOSTS
     "WHERE ($1::text IS NULL OR g.name = $1) AND ($2::text IS NULL OR h.family = $2) "
     "AND h.retired_at IS NULL) "
     "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM matching) c "
     "LEFT JOIN LATERAL (SELECT * FROM matching ORDER BY hostname OFFSET $3 LIMIT $4) p ON true "
     "ORDER BY p.hostname"},
    // $2: the region's name, $12: the jump host's ('' : none). Answers whether each was found;
    // the host is written only when both were. They are locked (KEY SHARE) until the commit, so
    // that a concurrent delete either is seen here or sees the host. A replace keeps created_by
    // and created_time.
    {"csm_put_host",
     "WITH r AS (SELECT id FROM csm_regions WHERE name = $2 FOR KEY SHARE), "
     "j AS (SELECT id FROM csm_jump_hosts WHERE hostname = $12 FOR KEY SHARE), "
     "up AS (INSERT INTO csm_hosts (hostname, region_id, location, roles, software_profile, "
     "connection_type, ts_or_ip, port_number, username, password, enable_password, jump_host_id, "
     "family, chassis, software_platform, software_version, os_type, created_by, "
     "vnf_deployment) "
     "SELECT $1, r.id, $3, $4::text[], $5, $6, $7::text[], $8::text[], $9, $10, $11, "
     "(SELECT id FROM j), $13, $14, $15, $16, $17, $18, NULLIF($19, '') FROM r "
     "WHERE $12 = '' OR EXISTS (SELECT 1 FROM j) "
     "ON CONFLICT (hostname) DO UPDATE SET region_id = EXCLUDED.region_id, "
     "location = EXCLUDED.location, roles = EXCLUDED.roles, "
     "software_profile = EXCLUDED.software_profile, connection_type = EXCLUDED.connection_type, "
     "ts_or_ip = EXCLUDED.ts_or_ip, port_number = EXCLUDED.port_number, "
     "username = EXCLUDED.username, password = EXCLUDED.password, "
     "enable_password = EXCLUDED.enable_password, jump_host_id = EXCLUDED.jump_host_id, "
     "family = EXCLUDED.family, chassis = EXCLUDED.chassis, "
     "software_platform = EXCLUDED.software_platform, "
     "software_version = EXCLUDED.software_version, os_type = EXCLUDED.os_type, "
     "vnf_deployment = EXCLUDED.vnf_deployment, retired_at = NULL) "
     "SELECT EXISTS (SELECT 1 FROM r), $12 = '' OR EXISTS (SELECT 1 FROM j)"},
    {"csm_set_host_facts",
     "UPDATE csm_hosts SET family = $2, chassis = $3, software_platform = $4, "
     "software_version = $5, os_type = $6 WHERE hostname = $1 RETURNING id"},
    {"csm_lock_host",
     "SELECT id FROM csm_hosts WHERE hostname = $1 AND retired_at IS NULL FOR UPDATE"},
    {"csm_vnf_hostnames",
     "SELECT hostname FROM csm_hosts WHERE vnf_deployment = $1 AND retired_at IS NULL "
     "ORDER BY hostname"},
    // A host whose VM is gone: retired, and its scheduled jobs failed saying why ($2); the
    // history stays. Answers the host's id (none: no such host in the inventory).
    {"csm_retire_host",
     "WITH h AS (UPDATE csm_hosts SET retired_at = now() WHERE hostname = $1 "
     "           AND retired_at IS NULL RETURNING id), "
     "failed AS (UPDATE csm_install_jobs SET status = 'failed', status_message = $2, "
     "           status_time = now() WHERE host_id IN (SELECT id FROM h) "
     "           AND status = 'scheduled') "
     "SELECT id FROM h"},
    // The same for every host of a deployment that has no row any more. Answers how many.
    {"csm_retire_hosts_of_gone_deployments",
     "WITH h AS (UPDATE csm_hosts c SET retired_at = now() WHERE c.vnf_deployment IS NOT NULL "
     "           AND c.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM resources r "
     "           WHERE r.internal_id = c.vnf_deployment) RETURNING id), "
     "failed AS (UPDATE csm_install_jobs SET status = 'failed', status_message = $1, "
     "           status_time = now() WHERE host_id IN (SELECT id FROM h) "
     "           AND status = 'scheduled') "
     "SELECT count(*) FROM h"},
    // Unless a job of the host is in progress: its jobs, its device lease and the host. A device
    // lease exists only while a job runs, so there is none to delete; were one left, it would
    // keep a host re-created under the name from ever running a job (ClaimDueJobs takes no
    // device whose lease row exists).
    {"csm_delete_idle_host",
     "WITH busy AS (SELECT 1 FROM csm_install_jobs WHERE host_id = $1 "
     "              AND status = 'in-progress' LIMIT 1), "
     "jobs AS (DELETE FROM csm_install_jobs WHERE host_id = $1 "
     "         AND NOT EXISTS (SELECT 1 FROM busy)), "
     "device AS (DELETE FROM leases WHERE unit_kind = 'csm_device' "
     "           AND unit_id = (SELECT hostname FROM csm_hosts WHERE id = $1) "
     "           AND NOT EXISTS (SELECT 1 FROM busy)) "
     "DELETE FROM csm_hosts WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM busy) RETURNING id"},

    // The first node to start with the CSM face stores its key; every later one reads it.
    // First writer wins (pg_statements.cpp, "setting_or_put").
    {"csm_token_key",
     "INSERT INTO settings (key, value) VALUES ('csm.token_key', $1) "
     "ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value"},
};

#undef ESCD_CSM_HOSTS
#undef ESCD_CSM_USERS

}  // namespace

std::span<const std::pair<const char*, const char*>> CsmStatements() {
    return kCsmStatements;
}

}  // namespace escd::model::pg
