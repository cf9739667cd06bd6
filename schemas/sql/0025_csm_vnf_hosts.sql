-- Hosts escd registers for the VMs of the deployments that ask for it (a vm_group's csm_host
-- extension; docs/csm.md, "escd's VNFs as hosts"): the deployment whose VM a host is (NULL: an
-- operator's host), and when it was retired (its VM gone). A retired host is out of the
-- inventory (GET, lists, new jobs, deletes see no such host) but keeps its row, so that its
-- install jobs stay in the history.
ALTER TABLE csm_hosts ADD COLUMN vnf_deployment text;
ALTER TABLE csm_hosts ADD COLUMN retired_at timestamptz;
CREATE INDEX csm_hosts_by_vnf_deployment ON csm_hosts (vnf_deployment)
    WHERE vnf_deployment IS NOT NULL AND retired_at IS NULL;
