-- Deployments. The deployment itself is a row of `resources` (kind 'deployment', parent its
-- tenant): the shared id space, the stored esc_datamodel (spec), the lifecycle state and
-- external_deployment_id come with it. What is particular to deployments lives here: the
-- service state machine and one row per VM, each moved by the engine one transition at a time,
-- in the transaction that also writes the events of that transition
-- (docs/decisions.md#steps-commit-with-their-events).
CREATE TABLE services (
    deployment_id text PRIMARY KEY REFERENCES resources (internal_id) ON DELETE CASCADE,
    state         text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vms (
    vm_name       text PRIMARY KEY,  -- <deployment>_<group>_<index>_<uuid>: also the VIM's name
    deployment_id text NOT NULL REFERENCES resources (internal_id) ON DELETE CASCADE,
    vm_group      text NOT NULL,
    vm_index      integer NOT NULL,
    uuid          text NOT NULL DEFAULT '',  -- the VIM's id once it made the VM
    host          text NOT NULL DEFAULT '',
    state         text NOT NULL,             -- VM_*_STATE
    interfaces    text NOT NULL DEFAULT '',  -- allocated nics, <interfaces> XML
    monitoring    boolean NOT NULL DEFAULT true,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vms_deployment ON vms (deployment_id, vm_group, vm_index);

-- Addresses handed to VM interfaces, one row each: the primary key makes a double allocation
-- impossible even when two deployments on one network allocate at the same time.
CREATE TABLE ip_allocations (
    network_id text NOT NULL,
    address    text NOT NULL,
    vm_name    text NOT NULL REFERENCES vms (vm_name) ON DELETE CASCADE,
    nicid      integer NOT NULL,
    PRIMARY KEY (network_id, address)
);
CREATE INDEX ip_allocations_vm ON ip_allocations (vm_name);
