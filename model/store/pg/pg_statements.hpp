#pragma once
/// @file
/// Private to model/store/pg: the table of PgStore's prepared statements (name, SQL). Every
/// connection prepares all of them once (PgStore::Connect); the names are what the aggregate
/// files of PgStore execute.

#include <span>
#include <utility>

namespace escd::model::pg {

/// Every prepared statement of PgStore as (name, SQL), with static storage.
std::span<const std::pair<const char*, const char*>> PreparedStatements();
/// The catalogue's (pg_catalogue_statements.cpp), prepared beside them.
std::span<const std::pair<const char*, const char*>> CatalogueStatements();
/// The CSM face's inventory's (pg_csm_statements.cpp), prepared beside them.
std::span<const std::pair<const char*, const char*>> CsmStatements();
/// The CSM face's install jobs' (pg_csm_jobs_statements.cpp), prepared beside them.
std::span<const std::pair<const char*, const char*>> CsmJobStatements();

}  // namespace escd::model::pg
