-- An undeploy accepted while a recovery or a scale ran on the deployment cancels that operation
-- (docs/behaviour.md, "Undeploy"): the running operation's row names the undeploy's transaction.
-- Written in the undeploy's accepting transaction, so whichever node runs (or later resumes) the
-- cancelled operation reads it; the cancelled operation's end then leaves the deployment
-- DELETING, and the undeploy runs once it has ended.
ALTER TABLE operations ADD COLUMN cancelled_by uuid;
CREATE INDEX operations_cancelled_by ON operations (cancelled_by) WHERE cancelled_by IS NOT NULL;
