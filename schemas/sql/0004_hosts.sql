-- Hosts as the VIM reports them, with escd's own scheduling switch (/v0/hosts/{host}/disable|
-- enable). A host without a row is schedulable. Placement reads this (deployments).
CREATE TABLE hosts (
    name        text PRIMARY KEY,
    schedulable boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
