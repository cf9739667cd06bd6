-- VM snapshots (/v0/snapshots). Rows appear once VM operations can take snapshots (deployments);
-- the listing reads this table from the start.
CREATE TABLE vm_snapshots (
    snapshot_id     text PRIMARY KEY,
    name            text NOT NULL,
    tenant_id       text NOT NULL,
    vm_name         text NOT NULL,
    state           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vm_snapshots_tenant ON vm_snapshots (tenant_id, vm_name);
