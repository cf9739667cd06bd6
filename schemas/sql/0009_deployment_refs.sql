-- What each deployment uses (its images, flavors and networks), so that deleting one of them
-- while a deployment needs it is a 409 that names the deployment. Rows go with the deployment.
CREATE TABLE deployment_refs (
    deployment_id text NOT NULL REFERENCES resources (internal_id) ON DELETE CASCADE,
    kind          text NOT NULL,
    ref_id        text NOT NULL,
    PRIMARY KEY (deployment_id, kind, ref_id)
);
CREATE INDEX deployment_refs_target ON deployment_refs (kind, ref_id);
