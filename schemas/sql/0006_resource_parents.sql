-- Resources that live inside another resource: a subnet inside its network (later: a VIM user
-- inside its connector is kept apart, see 0007). `parent_id` is the direct parent; `tenant_id`
-- stays the owning tenant, so that tenant listings and the tenant-delete check keep working.
-- A parent that still has children cannot be deleted (409), which the index makes cheap.
ALTER TABLE resources ADD COLUMN parent_id text REFERENCES resources (internal_id);
CREATE INDEX resources_parent ON resources (parent_id) WHERE parent_id IS NOT NULL;
