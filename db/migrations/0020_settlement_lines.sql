-- One ERP row per provider balance transaction: the payout line is also the reconciliation record.
-- Before, a reconciled transaction cost two logged, indexed rows (erp.reconciliation_match for the ERP record,
-- erp.payout_line for its payout); a month of a million transactions spent most of its run writing them. Now a
-- line exists for every transaction a run has seen, with or without its payout yet (payout_id is filled in when
-- the payout is paid), and says which ERP record it settles and when it was reconciled.
-- erp.reconciliation_match stays as a view with the same columns, so readers keep their questions.

ALTER TABLE erp.payout_line ADD COLUMN provider text;
UPDATE erp.payout_line l SET provider = po.provider FROM erp.payout po WHERE po.id = l.payout_id;
ALTER TABLE erp.payout_line ALTER COLUMN provider SET NOT NULL;
ALTER TABLE erp.payout_line ALTER COLUMN payout_id DROP NOT NULL;
ALTER TABLE erp.payout_line ADD COLUMN run_id bigint;           -- the run that reconciled the line
ALTER TABLE erp.payout_line ADD COLUMN reconciled_at timestamptz;

-- A transaction is one line, whatever payouts listed it (the latest one wins).
DELETE FROM erp.payout_line a USING erp.payout_line b
 WHERE a.provider = b.provider AND a.provider_balance_txn_id = b.provider_balance_txn_id AND a.id < b.id;

-- Each first match moves onto the line of its transaction, or becomes a line of its own (no payout yet).
WITH matches AS (
  SELECT m.*, COALESCE(p.provider, r.provider, d.provider) AS provider,
         COALESCE(m.provider_txn_id, 'legacy:' || m.kind || ':' || m.erp_id) AS txn_id
    FROM erp.reconciliation_match m
    LEFT JOIN erp.payment p ON m.kind = 'payment' AND p.id = m.erp_id
    LEFT JOIN erp.refund r ON m.kind = 'refund' AND r.id = m.erp_id
    LEFT JOIN erp.dispute d ON m.kind = 'dispute' AND d.id = m.erp_id),
onto_lines AS (
  UPDATE erp.payout_line l SET reconciled_at = m.reconciled_at, run_id = m.run_id
    FROM matches m WHERE l.provider = m.provider AND l.provider_balance_txn_id = m.txn_id
  RETURNING l.provider, l.provider_balance_txn_id)
INSERT INTO erp.payout_line (provider, provider_balance_txn_id, kind, payment_id, refund_id, dispute_id, amount_minor, gross_minor, fee_minor, run_id, reconciled_at)
SELECT m.provider, m.txn_id, m.kind,
       CASE WHEN m.kind = 'payment' THEN m.erp_id END, CASE WHEN m.kind = 'refund' THEN m.erp_id END, CASE WHEN m.kind = 'dispute' THEN m.erp_id END,
       CASE m.kind WHEN 'payment' THEN p.amount_minor - p.fee_minor WHEN 'refund' THEN -r.amount_minor ELSE -(d.amount_minor + d.fee_minor) END,
       CASE m.kind WHEN 'payment' THEN p.amount_minor WHEN 'refund' THEN -r.amount_minor ELSE -d.amount_minor END,
       CASE m.kind WHEN 'payment' THEN p.fee_minor WHEN 'refund' THEN 0 ELSE d.fee_minor END,
       m.run_id, m.reconciled_at
  FROM matches m
  LEFT JOIN erp.payment p ON m.kind = 'payment' AND p.id = m.erp_id
  LEFT JOIN erp.refund r ON m.kind = 'refund' AND r.id = m.erp_id
  LEFT JOIN erp.dispute d ON m.kind = 'dispute' AND d.id = m.erp_id
 WHERE m.provider IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM erp.payout_line l WHERE l.provider = m.provider AND l.provider_balance_txn_id = m.txn_id);

-- An ERP record is settled by one line (a dispute by one withdrawal and one reinstatement): a reconciled line keeps
-- its reference, else the first.
WITH ranked AS (
  SELECT id, row_number() OVER (PARTITION BY payment_id ORDER BY reconciled_at IS NULL, id) AS payment_rank,
             row_number() OVER (PARTITION BY refund_id ORDER BY reconciled_at IS NULL, id) AS refund_rank,
             row_number() OVER (PARTITION BY dispute_id, gross_minor > 0 ORDER BY reconciled_at IS NULL, id) AS dispute_rank
    FROM erp.payout_line)
UPDATE erp.payout_line l SET payment_id = CASE WHEN k.payment_rank = 1 THEN l.payment_id END,
                             refund_id = CASE WHEN k.refund_rank = 1 THEN l.refund_id END,
                             dispute_id = CASE WHEN k.dispute_rank = 1 THEN l.dispute_id END
  FROM ranked k WHERE k.id = l.id AND (k.payment_rank > 1 OR k.refund_rank > 1 OR k.dispute_rank > 1);

-- Keys: the provider's transaction; the record a line settles, once. Payouts are looked up by a BRIN range index
-- (lines arrive in time order, payouts are numbered in time order), which costs next to nothing per line.
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_payout_id_provider_balance_txn_id_key;
ALTER TABLE erp.payout_line DROP COLUMN id;
ALTER TABLE erp.payout_line ADD PRIMARY KEY (provider, provider_balance_txn_id);
CREATE UNIQUE INDEX payout_line_payment ON erp.payout_line (payment_id) WHERE payment_id IS NOT NULL;
CREATE UNIQUE INDEX payout_line_refund ON erp.payout_line (refund_id) WHERE refund_id IS NOT NULL;
CREATE UNIQUE INDEX payout_line_dispute ON erp.payout_line (dispute_id, (gross_minor > 0)) WHERE dispute_id IS NOT NULL;
CREATE INDEX payout_line_payout ON erp.payout_line USING brin (payout_id);

DROP VIEW erp.payment_reconciliation_time;
DROP TABLE erp.reconciliation_match;

-- A record is reconciled when its line is (a dispute when its withdrawal is). Each branch filters on its own
-- reference column, so `kind = 'payment' AND erp_id = $1` reaches the payment index.
CREATE VIEW erp.reconciliation_match AS
  SELECT 'payment'::text AS kind, payment_id AS erp_id, run_id, provider_balance_txn_id AS provider_txn_id, reconciled_at
    FROM erp.payout_line WHERE payment_id IS NOT NULL AND reconciled_at IS NOT NULL
  UNION ALL
  SELECT 'refund', refund_id, run_id, provider_balance_txn_id, reconciled_at
    FROM erp.payout_line WHERE refund_id IS NOT NULL AND reconciled_at IS NOT NULL
  UNION ALL
  SELECT 'dispute', dispute_id, run_id, provider_balance_txn_id, reconciled_at
    FROM erp.payout_line WHERE dispute_id IS NOT NULL AND gross_minor <= 0 AND reconciled_at IS NOT NULL;

CREATE VIEW erp.payment_reconciliation_time AS
  SELECT p.id AS payment_id, p.provider, p.provider_payment_id, p.provider_captured_at, l.reconciled_at,
         (extract(epoch FROM l.reconciled_at - p.provider_captured_at) * 1000)::bigint AS capture_to_reconciled_ms
    FROM erp.payment p JOIN erp.payout_line l ON l.payment_id = p.id
   WHERE p.provider_captured_at IS NOT NULL AND l.reconciled_at IS NOT NULL;

-- Deleting a payout unlinks its lines (the transactions stay); a record a line settles cannot be deleted.
CREATE OR REPLACE FUNCTION erp.payout_line_referenced_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7246009);
  IF TG_TABLE_NAME = 'payout' THEN
    UPDATE erp.payout_line l SET payout_id = NULL FROM gone g WHERE l.payout_id = g.id;
  ELSIF (TG_TABLE_NAME = 'payment' AND EXISTS (SELECT 1 FROM erp.payout_line l JOIN gone g ON l.payment_id = g.id))
     OR (TG_TABLE_NAME = 'refund' AND EXISTS (SELECT 1 FROM erp.payout_line l JOIN gone g ON l.refund_id = g.id))
     OR (TG_TABLE_NAME = 'dispute' AND EXISTS (SELECT 1 FROM erp.payout_line l JOIN gone g ON l.dispute_id = g.id)) THEN
    RAISE EXCEPTION 'erp.% is still referenced by a payout line or a reconciliation', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
