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
 * the ERP expects a reinstatement only for a dispute it knows as won. `claimed_by` is the provider row whose line
 * already settles that record (an earlier run's, or this row's own): another row claiming it is a duplicate.
 * `has_line`: an earlier run wrote this row's line (windows overlap; a payout lists rows of earlier days).
 */
export const MATCH_BY_ID = `
CREATE TEMP TABLE rec_row ON COMMIT DROP AS
SELECT s.txn_id, s.kind, s.amount_minor, s.fee_minor, s.net_minor, s.currency, s.source_id, s.payment_ref, s.payout_id, s.created_at,
       COALESCE(p.id, r.id, d.id) AS erp_id,
       CASE WHEN s.kind NOT IN ${BOOKED} OR COALESCE(p.id, r.id, d.id) IS NOT NULL THEN 1 ELSE 0 END AS candidates,
       CASE WHEN COALESCE(xp.provider_balance_txn_id, xr.provider_balance_txn_id, xd.provider_balance_txn_id) <> s.txn_id THEN 2 ELSE 1 END AS claim_rank,
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
       CASE s.kind WHEN 'payment' THEN ${INCOMPLETE_PAYMENT} WHEN 'refund' THEN r.provider_balance_txn_id IS NULL ELSE false END AS erp_incomplete,
       COALESCE(xp.provider_balance_txn_id, xr.provider_balance_txn_id, xd.provider_balance_txn_id) AS claimed_by,
       COALESCE(xp.reconciled_at, xr.reconciled_at, xd.reconciled_at) IS NOT NULL AS claimed_reconciled,
       COALESCE(p.id, r.id, d.id) IS NOT NULL AS claim_checked,
       own.provider_balance_txn_id IS NOT NULL AS has_line
  FROM integration.reconciliation_staged_txn s
  LEFT JOIN erp.payout_line own ON own.provider = $2 AND own.provider_balance_txn_id = s.txn_id
  LEFT JOIN erp.payment p ON s.kind = 'payment' AND p.provider = $2 AND p.provider_payment_id = s.payment_ref
  LEFT JOIN erp.refund r ON s.kind = 'refund' AND r.provider = $2 AND r.provider_refund_id = s.source_id
  LEFT JOIN erp.dispute d ON s.kind = 'dispute' AND d.provider = $2 AND d.provider_dispute_id = s.source_id
  LEFT JOIN erp.payout_line xp ON xp.payment_id = p.id
  LEFT JOIN erp.payout_line xr ON xr.refund_id = r.id
  LEFT JOIN erp.payout_line xd ON xd.dispute_id = d.id AND (xd.gross_minor > 0) = (s.amount_minor > 0)
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
                                           ORDER BY (claimed_by = txn_id) DESC NULLS LAST, (erp_txn_id = txn_id) DESC NULLS LAST, created_at, txn_id) AS rank
          FROM rec_row
         WHERE (kind, erp_id, sign(amount_minor)) IN (
                 SELECT kind, erp_id, sign(amount_minor) FROM rec_row WHERE erp_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1)) ranked
 WHERE m.txn_id = ranked.txn_id AND ranked.rank > 1`;

/** Rows that reconcile, with their ERP record. */
const CLEAN = `(SELECT * FROM ${CLASSIFIED} c WHERE class IS NULL AND erp_id IS NOT NULL AND method IS NOT NULL)`;

/** The payout line column that names an ERP record of each kind. */
const REFERENCE = { payment: 'payment_id', refund: 'refund_id', dispute: 'dispute_id' } as const;

/** An ERP record no reconciled payout line settles is not reconciled yet. */
const unreconciled = (kind: keyof typeof REFERENCE, id: string) =>
  `NOT EXISTS (SELECT 1 FROM erp.payout_line x WHERE x.${REFERENCE[kind]} = ${id} AND x.reconciled_at IS NOT NULL)`;

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
   WHERE c.kind = 'payment' AND c.erp_id = p.id AND ${unreconciled('payment', 'p.id')})
UPDATE erp.refund r SET provider_balance_txn_id = COALESCE(r.provider_balance_txn_id, c.txn_id)
  FROM clean c WHERE c.kind = 'refund' AND c.erp_id = r.id AND ${unreconciled('refund', 'r.id')}`;

/** A row that reconciles for the first time: clean, and its record not yet settled by a reconciled line. */
const FRESH = `(SELECT * FROM ${CLEAN} c WHERE NOT (c.claimed_reconciled AND c.claimed_by = c.txn_id))`;

/**
 * 5. What this run reconciles for the first time, counted (a dispute by its withdrawal), and the payments'
 * reconciliation time, as p50/p95. $1: the run's time.
 */
export const RECONCILED_NOW = `
WITH fresh AS (SELECT kind, amount_minor, COALESCE(erp_captured_at, created_at) AS captured_at FROM ${FRESH} f)
SELECT count(*) FILTER (WHERE kind = 'payment')::int AS payments, count(*) FILTER (WHERE kind = 'refund')::int AS refunds,
       count(*) FILTER (WHERE kind = 'dispute' AND amount_minor <= 0)::int AS disputes,
       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY extract(epoch FROM $1::timestamptz - captured_at) * 1000)
         FILTER (WHERE kind = 'payment') AS lag_ms
  FROM fresh`;

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
 WHERE p.provider = $1 AND p.status IN ('captured', 'refunded') AND p.captured_at >= $2 AND p.captured_at < $3 AND ${unreconciled('payment', 'p.id')}
   AND p.id NOT IN (SELECT erp_id FROM claimed WHERE kind = 'payment')
UNION ALL
SELECT 'refund', r.id, r.provider_refund_id, r.amount_minor, 0, r.currency::text, r.refunded_at, NULL
  FROM erp.refund r
 WHERE r.provider = $1 AND r.status = 'succeeded' AND r.refunded_at >= $2 AND r.refunded_at < $3 AND ${unreconciled('refund', 'r.id')}
   AND r.id NOT IN (SELECT erp_id FROM claimed WHERE kind = 'refund')
UNION ALL
SELECT 'dispute', d.id, d.provider_dispute_id, d.amount_minor, d.fee_minor, d.currency::text, d.opened_at, NULL
  FROM erp.dispute d
 WHERE d.provider = $1 AND d.opened_at >= $2 AND d.opened_at < $3 AND ${unreconciled('dispute', 'd.id')}
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
 * 7b. Rows matched by settlement or by rule were not checked in 1: the provider row whose line already settles
 * their record, if any (another row's makes this one a duplicate).
 */
export const CLAIMS_OF_LATE_MATCHES = `
UPDATE rec_row m SET claimed_by = x.claimed_by, claimed_reconciled = x.claimed_reconciled, claim_checked = true,
       claim_rank = CASE WHEN x.claimed_by <> m.txn_id THEN 2 ELSE m.claim_rank END
  FROM (SELECT u.txn_id, l.provider_balance_txn_id AS claimed_by, l.reconciled_at IS NOT NULL AS claimed_reconciled
          FROM rec_row u JOIN erp.payout_line l ON l.payment_id = u.erp_id WHERE u.kind = 'payment' AND NOT u.claim_checked AND u.erp_id IS NOT NULL
        UNION ALL
        SELECT u.txn_id, l.provider_balance_txn_id, l.reconciled_at IS NOT NULL
          FROM rec_row u JOIN erp.payout_line l ON l.refund_id = u.erp_id WHERE u.kind = 'refund' AND NOT u.claim_checked AND u.erp_id IS NOT NULL) x
 WHERE m.txn_id = x.txn_id`;

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

/** Each row's payout line as this run sees it. $2 provider; $1 run; $3: the run's time. */
const LINE_VALUES = `
SELECT c.txn_id, po.id AS payout_id, CASE WHEN c.kind IN ('payment', 'refund', 'fee', 'dispute') THEN c.kind ELSE 'adjustment' END AS kind,
       CASE WHEN c.kind = 'payment' AND c.settles THEN c.erp_id END AS payment_id,
       CASE WHEN c.kind = 'refund' AND c.settles THEN c.erp_id END AS refund_id,
       CASE WHEN c.kind = 'dispute' AND c.settles THEN c.erp_id END AS dispute_id,
       c.net_minor, c.amount_minor, c.fee_minor,
       CASE WHEN c.reconciles THEN $1::bigint END AS run_id, CASE WHEN c.reconciles THEN $3::timestamptz END AS reconciled_at, c.has_line
  FROM (SELECT *, claim_rank = 1 AND erp_id IS NOT NULL AND method IS NOT NULL AS settles,
               class IS NULL AND erp_id IS NOT NULL AND method IS NOT NULL AS reconciles FROM ${CLASSIFIED} k) c
  LEFT JOIN erp.payout po ON po.provider = $2 AND po.provider_payout_id = c.payout_id AND po.status = 'paid'`;

/**
 * 11. The run's record, one payout line per provider row, in one plain insert (no per-row conflict handling: rows
 * with a line are known from 1): the ERP record it settles (the first claimant only), its paid payout when there is
 * one, and when it reconciled. Every reference comes from the ERP tables in this transaction, the check a per-row
 * foreign key would repeat a million times. $1 run; $2 provider; $3: the run's time.
 */
export const WRITE_LINES = `
INSERT INTO erp.payout_line (provider, provider_balance_txn_id, payout_id, kind, payment_id, refund_id, dispute_id,
                             amount_minor, gross_minor, fee_minor, run_id, reconciled_at)
SELECT $2, v.txn_id, v.payout_id, v.kind, v.payment_id, v.refund_id, v.dispute_id, v.net_minor, v.amount_minor, v.fee_minor, v.run_id, v.reconciled_at
  FROM (${LINE_VALUES}) v
 WHERE NOT v.has_line`;

/** 12. A row an earlier run wrote gets what it lacked: its paid payout, its record, its reconciliation. Parameters as in 11. */
export const COMPLETE_LINES = `
UPDATE erp.payout_line l
   SET payout_id = COALESCE(v.payout_id, l.payout_id),
       payment_id = COALESCE(l.payment_id, v.payment_id), refund_id = COALESCE(l.refund_id, v.refund_id), dispute_id = COALESCE(l.dispute_id, v.dispute_id),
       run_id = COALESCE(l.run_id, v.run_id), reconciled_at = COALESCE(l.reconciled_at, v.reconciled_at)
  FROM (${LINE_VALUES} WHERE c.has_line) v
 WHERE l.provider = $2 AND l.provider_balance_txn_id = v.txn_id
   AND (l.payout_id IS DISTINCT FROM COALESCE(v.payout_id, l.payout_id)
        OR (l.payment_id IS NULL AND l.refund_id IS NULL AND l.dispute_id IS NULL AND COALESCE(v.payment_id, v.refund_id, v.dispute_id) IS NOT NULL)
        OR (l.reconciled_at IS NULL AND v.reconciled_at IS NOT NULL))`;

export const DROP_STAGED = [
  'DELETE FROM integration.reconciliation_staged_txn WHERE run_id = $1',
  'DELETE FROM integration.reconciliation_staged_payout WHERE run_id = $1',
];
