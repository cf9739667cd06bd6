-- VIM connectors and VIM users (/v0/vims...). Their ids are a namespace of their own, not the
-- shared `resources` id space: a connector may share its id with a tenant.
--
-- `properties` and `credentials` are the canonical XML of the <properties> element as accepted,
-- secrets included (escd needs them to talk to the VIM); the API never returns secrets.
-- The last status check (PUT /v0/vims/{id}/check_status) is kept with the connector and cleared
-- by an update, since it described the old properties.
-- escd's own VIM is inserted at start-up, once per database (it needs the configured vim.uri):
-- see server/handlers/vim_connector_handlers.hpp.
CREATE TABLE vim_connectors (
    id                text PRIMARY KEY,
    type              text NOT NULL CHECK (type IN ('LIBVIRT', 'OPENSTACK')),
    properties        text NOT NULL,
    status_reachable  boolean,
    status_message    text,
    status_checked_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- The default connector: one row at most. A row of its own (not a flag per connector) so that
-- concurrent changes of the default serialise on it instead of failing on a unique index.
CREATE TABLE vim_default_connector (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    vim_id     text NOT NULL REFERENCES vim_connectors (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- No ON DELETE CASCADE: a connector that still has users is refused (409), never emptied.
CREATE TABLE vim_users (
    vim_id      text NOT NULL REFERENCES vim_connectors (id),
    user_id     text NOT NULL,
    credentials text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vim_id, user_id)
);
