-- Work owned by a node (docs/cluster.md, "Leases"). A lease names its unit (a kind and an id)
-- and the node that holds it; it is valid while that node's heartbeat is fresh, so a node renews
-- all its leases with its one heartbeat. `owner` NULL: nobody's (claimable at once). `epoch`
-- counts the claims: 1 for the node that accepted the work, one more at each takeover.
CREATE TABLE leases (
    unit_kind   text NOT NULL,
    unit_id     text NOT NULL,
    owner       uuid,
    epoch       bigint NOT NULL DEFAULT 1,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_kind, unit_id)
);
-- No other index: a lease row is written by every accept and deleted soon after, so each index
-- is paid per request, while the table holds only the work in flight and the monitored
-- deployments, which the once-a-second passes (claims, releases) scan.

-- The work of the single process before this migration is nobody's: the first node claims it.
INSERT INTO leases (unit_kind, unit_id, owner)
SELECT 'transaction', transaction_id::text, NULL::uuid FROM operations WHERE finished_at IS NULL
UNION
SELECT 'transaction', transaction_id::text, NULL::uuid FROM outbox WHERE state = 'PENDING';

-- The monitoring of the deployments that exist: nobody's, shared out by the first takeovers.
INSERT INTO leases (unit_kind, unit_id, owner)
SELECT 'deployment_monitor', internal_id, NULL::uuid FROM resources WHERE kind = 'deployment';

-- A node that starts under the name of one still running succeeds it (docs/cluster.md).
CREATE INDEX nodes_running_by_name ON nodes (name) WHERE stopped_at IS NULL;
