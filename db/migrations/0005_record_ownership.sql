-- Ownership of undo by run, not by workflow id: a lead flow runs again under the same workflow id (the contact
-- qualifies again, the relay starts a new run, a run continues as new), and only the run that created a customer
-- or a binding may remove it when it is compensated. created_by keeps the workflow id, for people searching.
-- Rows written before this migration have no run: no compensation removes them (we cannot tell which run made them).
ALTER TABLE erp.customer ADD COLUMN created_by_run text;
ALTER TABLE erp.external_ref ADD COLUMN created_by_run text;
CREATE INDEX customer_created_by_run_idx ON erp.customer (created_by_run) WHERE created_by_run IS NOT NULL;
