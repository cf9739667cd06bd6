-- The image a VM was created from (internal id; '' for VMs created before this column, which run
-- their group's image as the stored datamodel names it). A rolling image upgrade
-- (orchestrator/deployment/deployment_rolling.cpp) redeploys the VMs of a group one by one on the
-- new image: this column says which ones it has done, so that a run cut by a crash goes on
-- where it was, and a rollback knows which ones to take back.
ALTER TABLE vms ADD COLUMN image text NOT NULL DEFAULT '';
