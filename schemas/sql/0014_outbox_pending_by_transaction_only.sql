-- Pending rows are found through their transaction only (outbox_pending_by_transaction): the
-- partial index on id alone goes. A row leaves a partial index only when VACUUM removes its
-- entry, so between two vacuums that index holds every row inserted, delivered or not, while
-- the statistics of a young table say it is nearly empty. The delivered mark's plan, prepared
-- generic while the table was small, scanned it with `id < $2`: every row since the last
-- vacuum for each mark (tenant creates ran at a sixth of their rate). The start-up read of the
-- pending rows sorts what the per-transaction index holds instead.
DROP INDEX IF EXISTS outbox_pending;
