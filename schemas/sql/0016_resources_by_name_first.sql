-- The reference lookups' indexes lead with the name and the external id, not with the kind.
-- Led by kind, (kind, name) matched the `kind = $1` of every statement that updates one resource
-- by id (`WHERE kind = $1 AND internal_id = $2`): a generic plan made while the table was small
-- could pick it and filter on the id, so each completion walked every resource of its kind, and
-- the engine-running accept figure fell through a run (bench/README.md, 2026-12-06: 385-2,377
-- rps at 64 connections, p99 up to 800 ms; 2,803 rps, p99 52 ms with these indexes). Led by the
-- name, they serve only what names a name or an external id.
DROP INDEX resources_kind_name;
DROP INDEX resources_kind_external;
CREATE INDEX resources_name_kind ON resources (name, kind);
CREATE INDEX resources_external_kind ON resources (external_id, kind) WHERE external_id IS NOT NULL;
