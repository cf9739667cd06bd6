// PgStore: the prepared statements of the software catalogue (schemas/sql/0019_catalogue.sql).
// The C++ that executes them is pg_catalogue.cpp.

#include "model/store/pg/pg_statements.hpp"

namespace escd::model::pg {
namespace {

// An image with its release, product, software type and file: the columns of
// catalogue::ImageRow, in the order pg_catalogue.cpp reads them.
#define ESCD_IMAGE_ROWS                                                                      \
    "SELECT p.pid, p.mdf_id, p.mdf_concept_name, t.software_type_id, t.name, r.release_id, " \
    "r.operating_platform, r.version, r.lifecycle, r.fcs_date, r.suggested, r.message, "     \
    "r.catalog_message, r.field_notice_url, r.security_advisory_url, r.documents::text, "    \
    "i.guid, i.name, i.description, i.feature_set, i.min_dram, i.min_flash, i.k9, i.eula, "  \
    "i.related, i.software_advisory_url, i.deferral_notice_url, i.deleted_date, "            \
    "i.documents::text, f.sha512, f.md5, f.size "                                            \
    "FROM catalogue_images i JOIN catalogue_releases r ON r.release_id = i.release_id "      \
    "JOIN catalogue_products p ON p.pid = r.pid "                                            \
    "JOIN catalogue_software_types t ON t.software_type_id = r.software_type_id "            \
    "LEFT JOIN catalogue_files f ON f.sha512 = i.sha512 "

const std::pair<const char*, const char*> kStatements[] = {
    {"catalogue_put_product",
     "INSERT INTO catalogue_products (pid, mdf_id, mdf_concept_name) VALUES ($1, $2, $3) "
     "ON CONFLICT (pid) DO UPDATE SET mdf_id = EXCLUDED.mdf_id, "
     "mdf_concept_name = EXCLUDED.mdf_concept_name"},
    {"catalogue_list_products",
     "SELECT pid, mdf_id, mdf_concept_name FROM catalogue_products ORDER BY pid"},
    {"catalogue_product_exists", "SELECT 1 FROM catalogue_products WHERE pid = $1"},
    {"catalogue_put_software_type",
     "INSERT INTO catalogue_software_types (software_type_id, name) VALUES ($1, $2) "
     "ON CONFLICT (software_type_id) DO UPDATE SET name = EXCLUDED.name"},
    // No row when the product or the software type is missing.
    {"catalogue_put_release",
     "INSERT INTO catalogue_releases (pid, software_type_id, operating_platform, version, "
     "lifecycle, fcs_date, suggested, message, catalog_message, field_notice_url, "
     "security_advisory_url, documents) "
     "SELECT $1, $2, $3, $4, $5, $6, $7::boolean, $8, $9, $10, $11, $12::jsonb "
     "WHERE EXISTS (SELECT 1 FROM catalogue_products WHERE pid = $1) "
     "AND EXISTS (SELECT 1 FROM catalogue_software_types WHERE software_type_id = $2) "
     "ON CONFLICT (pid, software_type_id, operating_platform, version) DO UPDATE SET "
     "lifecycle = EXCLUDED.lifecycle, fcs_date = EXCLUDED.fcs_date, "
     "suggested = EXCLUDED.suggested, message = EXCLUDED.message, "
     "catalog_message = EXCLUDED.catalog_message, field_notice_url = EXCLUDED.field_notice_url, "
     "security_advisory_url = EXCLUDED.security_advisory_url, documents = EXCLUDED.documents "
     "RETURNING release_id"},
    // No row when the release is missing; an image of that name keeps its GUID, its content and
    // its withdrawal (publishing again does not bring a withdrawn image back).
    {"catalogue_put_image",
     "WITH up AS (INSERT INTO catalogue_images (guid, release_id, name, description, "
     "feature_set, min_dram, min_flash, k9, eula, related, software_advisory_url, "
     "deferral_notice_url, deleted_date, documents) "
     "SELECT $1, $2::bigint, $3, $4, $5, $6, $7, $8::boolean, $9::boolean, $10::boolean, $11, "
     "$12, NULLIF($13, ''), $14::jsonb "
     "WHERE EXISTS (SELECT 1 FROM catalogue_releases WHERE release_id = $2::bigint) "
     "ON CONFLICT (release_id, name) DO UPDATE SET description = EXCLUDED.description, "
     "feature_set = EXCLUDED.feature_set, min_dram = EXCLUDED.min_dram, "
     "min_flash = EXCLUDED.min_flash, k9 = EXCLUDED.k9, eula = EXCLUDED.eula, "
     "related = EXCLUDED.related, software_advisory_url = EXCLUDED.software_advisory_url, "
     "deferral_notice_url = EXCLUDED.deferral_notice_url, documents = EXCLUDED.documents "
     "RETURNING guid, sha512) "
     "SELECT up.guid, f.sha512, f.md5, f.size FROM up "
     "LEFT JOIN catalogue_files f ON f.sha512 = up.sha512"},
    {"catalogue_record_file",
     "INSERT INTO catalogue_files (sha512, md5, size) VALUES ($1, $2, $3::bigint) "
     "ON CONFLICT (sha512) DO NOTHING"},
    {"catalogue_set_image_content",
     "UPDATE catalogue_images SET sha512 = $2 WHERE guid = $1 RETURNING guid"},
    {"catalogue_withdraw_image",
     "UPDATE catalogue_images SET deleted_date = $2 WHERE guid = $1 RETURNING guid"},
    {"catalogue_image_by_guid", ESCD_IMAGE_ROWS "WHERE i.guid = $1"},
    // Newest first is decided in C++ (CompareVersions); this order only makes it stable.
    {"catalogue_images_of_product",
     ESCD_IMAGE_ROWS "WHERE r.pid = $1 ORDER BY r.release_id, i.name"},
    {"catalogue_images_named",
     ESCD_IMAGE_ROWS "WHERE i.name = ANY($1::text[]) ORDER BY i.name, r.release_id"},
    {"catalogue_get_file", "SELECT sha512, md5, size FROM catalogue_files WHERE sha512 = $1"},
    {"catalogue_create_client",
     "INSERT INTO catalogue_clients (client_id, name, secret_hash) VALUES ($1, $2, $3)"},
    {"catalogue_list_clients",
     "SELECT client_id, name, secret_hash, revoked_at IS NOT NULL FROM catalogue_clients "
     "ORDER BY created_at, client_id"},
    {"catalogue_get_client",
     "SELECT client_id, name, secret_hash, revoked_at IS NOT NULL FROM catalogue_clients "
     "WHERE client_id = $1"},
    {"catalogue_revoke_client",
     "UPDATE catalogue_clients SET revoked_at = COALESCE(revoked_at, now()) "
     "WHERE client_id = $1 RETURNING client_id"},
    // The first node to start with the catalogue stores its key; every later one reads it.
    // First writer wins (pg_statements.cpp, "setting_or_put").
    {"catalogue_signing_key",
     "INSERT INTO settings (key, value) VALUES ('catalogue.signing_key', $1) "
     "ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value"},
    // $3: a text[] of file names ('' : every file).
    {"catalogue_record_agreement",
     "INSERT INTO catalogue_agreements (client_id, form, file_name, accepted, details) "
     "SELECT $1, $2, f, $4::boolean, $5::jsonb FROM unnest($3::text[]) AS f "
     "WHERE EXISTS (SELECT 1 FROM catalogue_clients WHERE client_id = $1) "
     "ON CONFLICT (client_id, form, file_name) DO UPDATE SET accepted = EXCLUDED.accepted, "
     "details = EXCLUDED.details, answered_at = now()"},
    {"catalogue_agreements_of",
     "SELECT form, file_name, accepted FROM catalogue_agreements WHERE client_id = $1 "
     "ORDER BY form, file_name"},
    {"catalogue_delete_smu_catalog",
     "DELETE FROM catalogue_smu_catalogs WHERE platform = $1 AND release = $2"},
    {"catalogue_insert_smu_catalog",
     "INSERT INTO catalogue_smu_catalogs (platform, release, creation_date, smu_suffix, mdf_id, "
     "pid) VALUES ($1, $2, $3, $4, $5, $6)"},
    // $3: a JSON array of the items in file order.
    {"catalogue_insert_smu_items",
     "INSERT INTO catalogue_smu_items (platform, release, ord, id, name, item) "
     "SELECT $1, $2, (e.ord - 1)::int, e.item->>'id', e.item->>'name', e.item "
     "FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(item, ord)"},
    {"catalogue_list_smu_catalogs",
     "SELECT platform, release, creation_date, smu_suffix, mdf_id, pid "
     "FROM catalogue_smu_catalogs ORDER BY platform, release"},
    {"catalogue_get_smu_catalog",
     "SELECT platform, release, creation_date, smu_suffix, mdf_id, pid "
     "FROM catalogue_smu_catalogs WHERE platform = $1 AND release = $2"},
    {"catalogue_smu_items",
     "SELECT item::text FROM catalogue_smu_items WHERE platform = $1 AND release = $2 "
     "ORDER BY ord"},
};

#undef ESCD_IMAGE_ROWS

}  // namespace

std::span<const std::pair<const char*, const char*>> CatalogueStatements() {
    return kStatements;
}

}  // namespace escd::model::pg
