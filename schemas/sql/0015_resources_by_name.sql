-- A deployment names its images, flavors and networks by internal id, VIM UUID or name
-- (docs/references.md): the lookups by external id and by name are indexed like the one by id.
CREATE INDEX resources_kind_name ON resources (kind, name);
CREATE INDEX resources_kind_external ON resources (kind, external_id) WHERE external_id IS NOT NULL;
