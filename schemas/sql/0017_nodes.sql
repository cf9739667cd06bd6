-- The escd processes sharing this database (docs/cluster.md, "What a node is"). A node inserts
-- its row at start, heartbeats it, and marks it stopped at a graceful stop. Liveness is read with
-- the database's now(), so the nodes' clocks do not matter.
CREATE TABLE nodes (
    node_id       uuid PRIMARY KEY,
    name          text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);
