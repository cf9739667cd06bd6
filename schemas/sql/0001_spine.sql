-- escd spine: the shared id space, tenants, operations (accepted work) and the callback outbox.

-- Every resource that is not a deployment: tenants now; networks, subnets, images, flavors,
-- volumes and routers later. Internal ids are unique across all kinds (ESC reference, "Internal
-- IDs"), which the primary key enforces. `spec` is the canonical XML of what the client asked for;
-- `state` follows model/resource_lifecycle.hpp (one transition table); `tenant_id` is the owning
-- tenant, so that a tenant delete is refused while it still owns resources.
CREATE TABLE resources (
    internal_id  text PRIMARY KEY,
    kind         text NOT NULL,
    tenant_id    text REFERENCES resources (internal_id),
    name         text NOT NULL,
    state        text NOT NULL,
    external_id  text,
    spec         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resources_kind ON resources (kind, internal_id);
CREATE INDEX resources_tenant ON resources (tenant_id) WHERE tenant_id IS NOT NULL;

-- One row per accepted POST/PUT/DELETE. Written in the same transaction as the intent, before
-- the 200 goes out; finished_at is set in the transaction that completes it. Unfinished rows
-- are resumed at start-up.
CREATE TABLE operations (
    transaction_id  uuid PRIMARY KEY,
    kind            text NOT NULL,
    target_kind     text NOT NULL,
    target_id       text NOT NULL,
    callback_url    text,
    events_url      text,
    payload         text NOT NULL DEFAULT '',
    step            text NOT NULL DEFAULT 'ACCEPTED',
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    status_code     integer,
    status_message  text
);
CREATE INDEX operations_unfinished ON operations (created_at) WHERE finished_at IS NULL;

-- Callbacks waiting for delivery. Rows of one transaction are delivered in id order.
-- state: PENDING -> DELIVERED | REFUSED (target not in the allow-list) | EXPIRED (gave up).
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    transaction_id  uuid NOT NULL,
    url             text NOT NULL,
    event           text NOT NULL,
    status_code     integer NOT NULL,
    status_message  text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL DEFAULT 'PENDING',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'PENDING';  -- start-up: pending rows in id order

-- Process-wide settings: the admin password hash, the operation mode, ...
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
