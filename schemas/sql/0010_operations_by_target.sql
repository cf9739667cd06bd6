-- Events that no request caused (monitoring verdicts) go to the URLs of the latest operation on
-- their deployment: found by target.
CREATE INDEX operations_target ON operations (target_id, created_at);
