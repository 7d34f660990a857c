import { classificationSql } from './classify';

/**
 * The set-based reconciliation, as SQL over one run's staged provider rows. Each statement names its parameters;
 * each works on whole sets; the temporary tables live until the commit.
 */

/** Provider kinds the ERP books a record for; fees and other adjustments are the provider's own and are taken as they are. */
const BOOKED = `('payment', 'refund', 'dispute')`;

/** An ERP payment the provider's settlement completes on its first reconciliation (fee, net, ids, capture time). */
const INCOMPLETE_PAYMENT = `(p.provider_captured_at IS NULL OR p.provider_charge_id IS NULL OR p.provider_balance_txn_id IS NULL OR p.net_minor IS NULL)`;

/** The facts classify.ts decides on beside rec_row's own candidates and claim_rank. */
const FACTS = `(erp_id IS NULL OR erp_currency = currency) AS currency_equal,
  (erp_id IS NULL OR erp_amount = amount_minor) AS amount_equal,
  (erp_fee IS NULL OR erp_fee = fee_minor) AS fee_equal`;

/** rec_row with each row's exception class (NULL: it reconciles). */
export const CLASSIFIED = `(SELECT r.*, ${classificationSql()} AS class FROM (SELECT *, ${FACTS} FROM rec_row) r)`;

/**
 * 1. ($1 run, $2 provider) Every staged row beside the ERP record it names by provider id: a payment by its payment id, a refund or a
 * dispute by its own. What the ERP expects the provider row to show is computed here, signs included: a refund
 * leaves the balance; a dispute's withdrawal takes the amount and the fee, its reinstatement gives both back, and
 * the ERP expects a reinstatement only for a dispute it knows as won.
 */
export const MATCH_BY_ID = `
CREATE TEMP TABLE rec_row ON COMMIT DROP AS
SELECT s.txn_id, s.kind, s.amount_minor, s.fee_minor, s.net_minor, s.currency, s.source_id, s.payment_ref, s.payout_id, s.created_at,
       COALESCE(p.id, r.id, d.id) AS erp_id,
       CASE WHEN s.kind NOT IN ${BOOKED} OR COALESCE(p.id, r.id, d.id) IS NOT NULL THEN 1 ELSE 0 END AS candidates,
       1 AS claim_rank,
       COALESCE(p.currency, r.currency, d.currency)::text AS erp_currency,
       CASE s.kind WHEN 'payment' THEN p.amount_minor WHEN 'refund' THEN -r.amount_minor
                   WHEN 'dispute' THEN CASE WHEN s.amount_minor > 0 AND d.status <> 'won' THEN 0 ELSE sign(s.amount_minor)::bigint * d.amount_minor END
       END AS erp_amount,
       CASE s.kind WHEN 'payment' THEN CASE WHEN p.net_minor IS NOT NULL OR p.fee_minor <> 0 THEN p.fee_minor END
                   WHEN 'dispute' THEN CASE WHEN s.amount_minor > 0 AND d.status <> 'won' THEN 0 ELSE -sign(s.amount_minor)::bigint * d.fee_minor END
       END AS erp_fee,
       COALESCE(p.provider_balance_txn_id, r.provider_balance_txn_id) AS erp_txn_id,
       CASE WHEN COALESCE(p.id, r.id, d.id) IS NOT NULL THEN 'id' END AS method,
       p.provider_captured_at AS erp_captured_at,
       CASE s.kind WHEN 'payment' THEN ${INCOMPLETE_PAYMENT} WHEN 'refund' THEN r.provider_balance_txn_id IS NULL ELSE false END AS erp_incomplete
  FROM integration.reconciliation_staged_txn s
  LEFT JOIN erp.payment p ON s.kind = 'payment' AND p.provider = $2 AND p.provider_payment_id = s.payment_ref
  LEFT JOIN erp.refund r ON s.kind = 'refund' AND r.provider = $2 AND r.provider_refund_id = s.source_id
  LEFT JOIN erp.dispute d ON s.kind = 'dispute' AND d.provider = $2 AND d.provider_dispute_id = s.source_id
 WHERE s.run_id = $1 AND s.kind <> 'payout'`;

/** 2. Payments the provider did not name by payment id: the ERP may know their charge or balance transaction. $1 provider. */
export const MATCH_PAYMENTS_BY_SETTLEMENT = `
UPDATE rec_row m SET erp_id = p.id, candidates = 1, erp_currency = p.currency::text, erp_amount = p.amount_minor,
       erp_fee = CASE WHEN p.net_minor IS NOT NULL OR p.fee_minor <> 0 THEN p.fee_minor END, erp_txn_id = p.provider_balance_txn_id, method = 'id',
       erp_captured_at = p.provider_captured_at, erp_incomplete = ${INCOMPLETE_PAYMENT}
  FROM erp.payment p
 WHERE m.kind = 'payment' AND m.erp_id IS NULL AND p.provider = $1 AND (p.provider_charge_id = m.source_id OR p.provider_balance_txn_id = m.txn_id)`;

/**
 * 3. Several provider rows claiming one ERP record in one role (a dispute withdraws once and reinstates once):
 * the row the ERP booked by its balance transaction, else the earliest, keeps it; the others are duplicates.
 */
export const RANK_CLAIMS = `
UPDATE rec_row m SET claim_rank = ranked.rank
  FROM (SELECT txn_id, row_number() OVER (PARTITION BY kind, erp_id, sign(amount_minor)
                                           ORDER BY (erp_txn_id = txn_id) DESC NULLS LAST, created_at, txn_id) AS rank
          FROM rec_row
         WHERE (kind, erp_id, sign(amount_minor)) IN (
                 SELECT kind, erp_id, sign(amount_minor) FROM rec_row WHERE erp_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1)) ranked
 WHERE m.txn_id = ranked.txn_id AND ranked.rank > 1`;

/** Rows that reconcile, with their ERP record. */
const CLEAN = `(SELECT * FROM ${CLASSIFIED} c WHERE class IS NULL AND erp_id IS NOT NULL AND method IS NOT NULL)`;

/** An ERP record with no erp.reconciliation_match row is not reconciled yet. */
const unreconciled = (kind: string, id: string) =>
  `NOT EXISTS (SELECT 1 FROM erp.reconciliation_match x WHERE x.erp_id = ${id} AND x.kind = ${kind})`;

/**
 * 4. On its first reconciliation, an ERP payment that lacks the provider's settlement (fee, net, charge, balance
 * transaction, capture time) gets it, and a refund its balance transaction. Only rows flagged incomplete are
 * touched: the other million ERP rows are not rewritten.
 */
export const COMPLETE_SETTLEMENTS = `
WITH clean AS (SELECT * FROM ${CLEAN} c WHERE erp_incomplete),
payments AS (
  UPDATE erp.payment p SET provider_captured_at = COALESCE(p.provider_captured_at, c.created_at),
         provider_charge_id = COALESCE(p.provider_charge_id, c.source_id),
         provider_balance_txn_id = COALESCE(p.provider_balance_txn_id, c.txn_id),
         fee_minor = CASE WHEN p.net_minor IS NULL AND p.fee_minor = 0 THEN c.fee_minor ELSE p.fee_minor END,
         net_minor = COALESCE(p.net_minor, p.amount_minor - CASE WHEN p.fee_minor = 0 THEN c.fee_minor ELSE p.fee_minor END)
    FROM clean c
   WHERE c.kind = 'payment' AND c.erp_id = p.id AND ${unreconciled(`'payment'`, 'p.id')})
UPDATE erp.refund r SET provider_balance_txn_id = COALESCE(r.provider_balance_txn_id, c.txn_id)
  FROM clean c WHERE c.kind = 'refund' AND c.erp_id = r.id AND ${unreconciled(`'refund'`, 'r.id')}`;

/**
 * 5. Records each ERP record's first reconciliation, insert-only: which provider row matched it, in which run, when
 * (a dispute's withdrawal before its reinstatement). Returns how many of each kind, and the reconciliation time of
 * the payments, as p50/p95. $1 run; $2: the run's time.
 */
export const RECORD_MATCHES = `
WITH fresh AS MATERIALIZED (
  SELECT kind, erp_id, txn_id, COALESCE(erp_captured_at, created_at) AS captured_at
    FROM (SELECT * FROM ${CLEAN} c WHERE kind <> 'dispute'
          UNION ALL (SELECT DISTINCT ON (erp_id) * FROM ${CLEAN} c WHERE kind = 'dispute' ORDER BY erp_id, amount_minor)) c
   WHERE ${unreconciled('c.kind', 'c.erp_id')}),
recorded AS (
  INSERT INTO erp.reconciliation_match (kind, erp_id, run_id, provider_txn_id, reconciled_at) SELECT kind, erp_id, $1, txn_id, $2 FROM fresh),
lags AS (SELECT extract(epoch FROM $2::timestamptz - captured_at) * 1000 AS lag_ms FROM fresh WHERE kind = 'payment')
SELECT (SELECT count(*) FROM fresh WHERE kind = 'payment')::int AS payments, (SELECT count(*) FROM fresh WHERE kind = 'refund')::int AS refunds,
       (SELECT count(*) FROM fresh WHERE kind = 'dispute')::int AS disputes,
       (SELECT percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY lag_ms) FROM lags) AS lag_ms`;

/**
 * 6. ERP records of the window that no provider row has claimed (by id in this run, or in an earlier run).
 * $1 provider; $2, $3: the window [from, to).
 */
export const ERP_UNCLAIMED = `
CREATE TEMP TABLE rec_erp_open ON COMMIT DROP AS
WITH claimed AS (SELECT kind, erp_id FROM rec_row WHERE erp_id IS NOT NULL AND method IS NOT NULL)
SELECT 'payment'::text AS kind, p.id, p.provider_payment_id AS reference, p.amount_minor, p.fee_minor, p.currency::text AS currency, p.captured_at AS at,
       p.provider_captured_at
  FROM erp.payment p
 WHERE p.provider = $1 AND p.status IN ('captured', 'refunded') AND p.captured_at >= $2 AND p.captured_at < $3 AND ${unreconciled(`'payment'`, 'p.id')}
   AND p.id NOT IN (SELECT erp_id FROM claimed WHERE kind = 'payment')
UNION ALL
SELECT 'refund', r.id, r.provider_refund_id, r.amount_minor, 0, r.currency::text, r.refunded_at, NULL
  FROM erp.refund r
 WHERE r.provider = $1 AND r.status = 'succeeded' AND r.refunded_at >= $2 AND r.refunded_at < $3 AND ${unreconciled(`'refund'`, 'r.id')}
   AND r.id NOT IN (SELECT erp_id FROM claimed WHERE kind = 'refund')
UNION ALL
SELECT 'dispute', d.id, d.provider_dispute_id, d.amount_minor, d.fee_minor, d.currency::text, d.opened_at, NULL
  FROM erp.dispute d
 WHERE d.provider = $1 AND d.opened_at >= $2 AND d.opened_at < $3 AND ${unreconciled(`'dispute'`, 'd.id')}
   AND d.id NOT IN (SELECT erp_id FROM claimed WHERE kind = 'dispute')`;

/**
 * 7. Rows still unmatched, by rule: an unclaimed ERP payment or refund of the same currency and amount, booked
 * within $1 milliseconds of the provider's time. One candidate matches; several are ambiguous.
 */
export const MATCH_BY_RULE = `
WITH candidates AS (
  SELECT m.txn_id, count(*)::int AS n, min(o.id) AS erp_id
    FROM rec_row m
    JOIN rec_erp_open o ON o.kind = m.kind AND o.currency = m.currency
                       AND o.amount_minor = CASE m.kind WHEN 'refund' THEN -m.amount_minor ELSE m.amount_minor END
                       AND o.at BETWEEN m.created_at - $1::bigint * interval '1 millisecond' AND m.created_at + $1::bigint * interval '1 millisecond'
   WHERE m.erp_id IS NULL AND m.kind IN ('payment', 'refund')
   GROUP BY m.txn_id)
UPDATE rec_row m SET candidates = c.n, erp_id = CASE WHEN c.n = 1 THEN c.erp_id END, method = CASE WHEN c.n = 1 THEN 'rule' END,
       erp_currency = m.currency, erp_amount = m.amount_minor,
       erp_fee = CASE WHEN c.n = 1 AND m.kind = 'payment' THEN NULLIF((SELECT fee_minor FROM rec_erp_open o WHERE o.kind = 'payment' AND o.id = c.erp_id), 0) END,
       erp_captured_at = CASE WHEN c.n = 1 THEN (SELECT provider_captured_at FROM rec_erp_open o WHERE o.kind = m.kind AND o.id = c.erp_id) END,
       erp_incomplete = true
  FROM candidates c WHERE m.txn_id = c.txn_id`;

/**
 * 8. What a rule matched is no longer unclaimed, nor is what an ambiguous row might be: that is one exception (the
 * ambiguity), not also a "missing at provider". $1: the rule's window in milliseconds, as in 7.
 */
export const DROP_RULE_MATCHED = `
DELETE FROM rec_erp_open o USING rec_row m
 WHERE (m.method = 'rule' AND m.kind = o.kind AND m.erp_id = o.id)
    OR (m.candidates > 1 AND m.kind = o.kind AND o.currency = m.currency
        AND o.amount_minor = CASE m.kind WHEN 'refund' THEN -m.amount_minor ELSE m.amount_minor END
        AND o.at BETWEEN m.created_at - $1::bigint * interval '1 millisecond' AND m.created_at + $1::bigint * interval '1 millisecond')`;

/**
 * 9. Every exception, with both sides: provider rows that did not reconcile, and ERP records no provider row claims
 * (a data-modifying WITH runs whether or not it is read).
 */
export const RECORD_EXCEPTIONS = `
WITH provider_side AS (
  INSERT INTO integration.reconciliation_exception
    (run_id, class, subject, provider_txn_id, provider_source_id, provider_amount_minor, provider_fee_minor, provider_currency,
     erp_table, erp_id, erp_reference, erp_amount_minor, erp_fee_minor, erp_currency, candidates)
  SELECT $1, c.class, c.kind, c.txn_id, c.source_id, c.amount_minor, c.fee_minor, c.currency,
         CASE WHEN c.erp_id IS NOT NULL THEN 'erp.' || c.kind END, c.erp_id,
         CASE c.kind WHEN 'payment' THEN p.provider_payment_id WHEN 'refund' THEN r.provider_refund_id WHEN 'dispute' THEN d.provider_dispute_id END,
         c.erp_amount, c.erp_fee, c.erp_currency, c.candidates
    FROM ${CLASSIFIED} c
    LEFT JOIN erp.payment p ON c.kind = 'payment' AND p.id = c.erp_id
    LEFT JOIN erp.refund r ON c.kind = 'refund' AND r.id = c.erp_id
    LEFT JOIN erp.dispute d ON c.kind = 'dispute' AND d.id = c.erp_id
   WHERE c.class IS NOT NULL
  RETURNING 1)
INSERT INTO integration.reconciliation_exception
  (run_id, class, subject, erp_table, erp_id, erp_reference, erp_amount_minor, erp_fee_minor, erp_currency)
SELECT $1, 'missing_at_provider', o.kind, 'erp.' || o.kind, o.id, o.reference, o.amount_minor, o.fee_minor, o.currency
  FROM rec_erp_open o`;

/** 10. Per staged payout: the net of its lines as staged, and whether they are all in its currency. */
export const PAYOUT_TOTALS = `
SELECT sp.payout_id, sp.amount_minor::bigint AS amount_minor, sp.currency, sp.status, sp.arrival_at, sp.created_at,
       COALESCE(sum(m.net_minor), 0)::bigint AS lines_net_minor, COALESCE(bool_and(m.currency = sp.currency), true) AS currency_equal,
       count(m.txn_id)::int AS lines, count(*) FILTER (WHERE m.txn_id IS NOT NULL AND NOT (${classificationSql()} IS NULL))::int AS lines_with_exceptions
  FROM integration.reconciliation_staged_payout sp
  LEFT JOIN (SELECT *, ${FACTS} FROM rec_row) m ON m.payout_id = sp.payout_id
 WHERE sp.run_id = $1
 GROUP BY sp.payout_id, sp.amount_minor, sp.currency, sp.status, sp.arrival_at, sp.created_at`;

/**
 * 11. A paid payout's lines it does not have yet, in one insert: every reference comes from the ERP tables in this
 * transaction (the payout just recorded, rec_row's record by id), which is the check a per-row foreign key would
 * repeat a million times. $1 provider; $2: the ERP payout ids to write lines for; $3: those of them that have lines
 * already (only their lines are looked up).
 */
export const WRITE_PAYOUT_LINES = `
INSERT INTO erp.payout_line (payout_id, kind, payment_id, refund_id, dispute_id, provider_balance_txn_id, amount_minor, gross_minor, fee_minor)
SELECT po.id, CASE WHEN m.kind IN ('payment', 'refund', 'fee', 'dispute') THEN m.kind ELSE 'adjustment' END,
       CASE WHEN m.kind = 'payment' AND m.claim_rank = 1 THEN m.erp_id END,
       CASE WHEN m.kind = 'refund' AND m.claim_rank = 1 THEN m.erp_id END,
       CASE WHEN m.kind = 'dispute' AND m.claim_rank = 1 THEN m.erp_id END,
       m.txn_id, m.net_minor, m.amount_minor, m.fee_minor
  FROM rec_row m JOIN erp.payout po ON po.provider = $1 AND po.provider_payout_id = m.payout_id
 WHERE po.id = ANY($2::bigint[])
   AND (po.id <> ALL($3::bigint[]) OR NOT EXISTS (SELECT 1 FROM erp.payout_line l WHERE l.payout_id = po.id AND l.provider_balance_txn_id = m.txn_id))`;

/** 12. A line written before its ERP record was known is linked to it now. $1 provider; $2: the payouts of 11 that have lines. */
export const LINK_PAYOUT_LINES = `
UPDATE erp.payout_line l SET payment_id = CASE WHEN m.kind = 'payment' THEN m.erp_id ELSE l.payment_id END,
       refund_id = CASE WHEN m.kind = 'refund' THEN m.erp_id ELSE l.refund_id END,
       dispute_id = CASE WHEN m.kind = 'dispute' THEN m.erp_id ELSE l.dispute_id END
  FROM rec_row m JOIN erp.payout po ON po.provider = $1 AND po.provider_payout_id = m.payout_id
 WHERE po.id = ANY($2::bigint[]) AND l.payout_id = po.id AND l.provider_balance_txn_id = m.txn_id
   AND m.claim_rank = 1 AND m.erp_id IS NOT NULL AND m.kind IN ('payment', 'refund', 'dispute')
   AND l.payment_id IS NULL AND l.refund_id IS NULL AND l.dispute_id IS NULL`;

export const DROP_STAGED = [
  'DELETE FROM integration.reconciliation_staged_txn WHERE run_id = $1',
  'DELETE FROM integration.reconciliation_staged_payout WHERE run_id = $1',
];
