-- VM snapshots are taken by deployments (POST /v0/{tenant}/deployments/snapshot-vm/{vm}): each
-- belongs to a VM and goes with it, so an undeploy (or any step that removes the VM) removes
-- its snapshots' rows in the same transaction. States follow model/snapshot_lifecycle.hpp.
-- Rows written before snapshots existed name no VM escd has: they cannot stay.
DELETE FROM vm_snapshots WHERE vm_name NOT IN (SELECT vm_name FROM vms);
ALTER TABLE vm_snapshots
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT vm_snapshots_vm FOREIGN KEY (vm_name) REFERENCES vms (vm_name) ON DELETE CASCADE;
-- Revert and delete address a snapshot by id or by name.
CREATE INDEX vm_snapshots_name ON vm_snapshots (name);
CREATE INDEX vm_snapshots_vm_name ON vm_snapshots (vm_name);
