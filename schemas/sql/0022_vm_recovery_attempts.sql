-- How many attempts (reboots, redeploys) the VM's running recovery has made
-- (orchestrator/deployment/deployment_recovery.cpp): written with the step that records each
-- attempt, back to 0 when the recovery ends. A recovery cut by a crash, or taken over from a dead
-- node, goes on from the attempt after the last one recorded instead of starting a fresh count, so
-- that max_retries bounds the attempts of the whole recovery.
ALTER TABLE vms ADD COLUMN recovery_attempts integer NOT NULL DEFAULT 0
    CHECK (recovery_attempts >= 0);
