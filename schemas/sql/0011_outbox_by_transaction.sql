-- A delivered callback marks itself and every earlier pending row of its transaction (the
-- notifier sends the next callback without waiting for the mark): found by transaction.
CREATE INDEX outbox_pending_by_transaction ON outbox (transaction_id, id) WHERE state = 'PENDING';
