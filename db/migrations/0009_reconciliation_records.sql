-- Reconciliation records what it found by inserting, never by updating a million ERP rows: a record's
-- reconciliation is one row here (which provider row matched it, in which run, when), and payout lines are written
-- in one statement with their references checked per statement instead of row by row.

-- The first match of each ERP record; a record is reconciled when it has a row here.
CREATE TABLE erp.reconciliation_match (
  kind             text NOT NULL CHECK (kind IN ('payment', 'refund', 'dispute')),
  erp_id           bigint NOT NULL,
  run_id           bigint,          -- NULL (and no provider row) for records reconciled before this table existed
  provider_txn_id  text,
  reconciled_at    timestamptz NOT NULL,
  PRIMARY KEY (erp_id, kind)       -- id first: a million inserts compare bigints, not text
);

INSERT INTO erp.reconciliation_match (kind, erp_id, reconciled_at)
SELECT 'payment', id, reconciled_at FROM erp.payment WHERE reconciled_at IS NOT NULL
UNION ALL SELECT 'refund', id, reconciled_at FROM erp.refund WHERE reconciled_at IS NOT NULL
UNION ALL SELECT 'dispute', id, reconciled_at FROM erp.dispute WHERE reconciled_at IS NOT NULL;

-- The columns go, so that nothing reads a reconciled_at that is no longer written.
DROP VIEW erp.payment_reconciliation_time;
ALTER TABLE erp.payment DROP COLUMN reconciled_at;
ALTER TABLE erp.refund DROP COLUMN reconciled_at;
ALTER TABLE erp.dispute DROP COLUMN reconciled_at;

-- The payment reconciliation time KPI, per payment: from the provider's capture to the ERP's reconciliation.
CREATE VIEW erp.payment_reconciliation_time AS
  SELECT p.id AS payment_id, p.provider, p.provider_payment_id, p.provider_captured_at, m.reconciled_at,
         (extract(epoch FROM m.reconciled_at - p.provider_captured_at) * 1000)::bigint AS capture_to_reconciled_ms
    FROM erp.payment p JOIN erp.reconciliation_match m ON m.kind = 'payment' AND m.erp_id = p.id
   WHERE p.provider_captured_at IS NOT NULL;

-- Payout lines: per-row foreign keys lock every payment a line references, a write to each of a million rows.
-- The same guarantees, per statement: the reconciliation (the only writer of lines) takes every reference from the
-- ERP tables in the same transaction; deleting a referenced (or reconciled) payment, refund or dispute is refused, and deleting a
-- payout deletes its lines, once per statement. An advisory lock, shared by a run and exclusive here, orders a
-- delete against a run writing lines: the delete's check then sees the run's lines, or the run no longer sees the
-- deleted record.
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_payout_id_fkey;
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_payment_id_fkey;
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_refund_id_fkey;
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_dispute_id_fkey;

CREATE FUNCTION erp.payout_line_referenced_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7246009);
  IF TG_TABLE_NAME = 'payout' THEN
    DELETE FROM erp.payout_line l USING gone g WHERE l.payout_id = g.id;
  ELSIF EXISTS (
    SELECT 1 FROM erp.payout_line l JOIN gone g
        ON g.id = CASE TG_TABLE_NAME WHEN 'payment' THEN l.payment_id WHEN 'refund' THEN l.refund_id ELSE l.dispute_id END)
     OR EXISTS (SELECT 1 FROM erp.reconciliation_match m JOIN gone g ON m.erp_id = g.id AND m.kind = TG_TABLE_NAME) THEN
    RAISE EXCEPTION 'erp.% is still referenced by a payout line or a reconciliation', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER payout_lines_on_delete AFTER DELETE ON erp.payout
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION erp.payout_line_referenced_delete();
CREATE TRIGGER payout_lines_on_delete AFTER DELETE ON erp.payment
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION erp.payout_line_referenced_delete();
CREATE TRIGGER payout_lines_on_delete AFTER DELETE ON erp.refund
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION erp.payout_line_referenced_delete();
CREATE TRIGGER payout_lines_on_delete AFTER DELETE ON erp.dispute
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION erp.payout_line_referenced_delete();
