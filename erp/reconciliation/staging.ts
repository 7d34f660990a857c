import type { Queryable } from '../../db/transaction';
import type { BalanceTransaction, Payout } from '../../ports/payments';
import type { ReconciliationWindow } from './window';

/**
 * A run's provider rows, staged as the payments port returned them: batches of thousands of rows per statement
 * (arrays unnested server-side), never one round trip per row. Staging is idempotent: a retried activity that
 * stages the same page again changes nothing, and a transaction first seen by time and then in its payout's list
 * keeps the payout.
 */

const BATCH = 5_000;

/** Runs left in staging this long are abandoned (their worker died): marked failed, their staged rows dropped. */
const ABANDONED_AFTER = '6 hours';

export async function startRun(db: Queryable, provider: string, window: ReconciliationWindow): Promise<number> {
  await db.query(
    `WITH abandoned AS (
       UPDATE integration.reconciliation_run SET status = 'failed', finished_at = now()
        WHERE provider = $1 AND status = 'staging' AND started_at < now() - $2::interval RETURNING id),
     failed AS (SELECT id FROM abandoned UNION SELECT id FROM integration.reconciliation_run WHERE provider = $1 AND status = 'failed'),
     txns AS (DELETE FROM integration.reconciliation_staged_txn WHERE run_id IN (SELECT id FROM failed))
     DELETE FROM integration.reconciliation_staged_payout WHERE run_id IN (SELECT id FROM failed)`,
    [provider, ABANDONED_AFTER],
  );
  const { rows } = await db.query(
    'INSERT INTO integration.reconciliation_run (provider, window_from, window_to) VALUES ($1, $2, $3) RETURNING id',
    [provider, window.from, window.to],
  );
  return Number(rows[0].id);
}

/** Where the next run starts: the end of the last completed run's window, or null before the first. */
export async function lastReconciledUpTo(db: Queryable, provider: string): Promise<string | null> {
  const { rows } = await db.query(
    `SELECT window_to FROM integration.reconciliation_run WHERE provider = $1 AND status = 'completed' ORDER BY window_to DESC LIMIT 1`,
    [provider],
  );
  return rows[0] ? (rows[0].window_to as Date).toISOString() : null;
}

/** A transaction as listed, with the payout that settled it when the listing said so. */
export type StagedTransaction = BalanceTransaction & { payoutId?: string | null };

/** Stages balance transactions; `payoutId` when they were listed as that payout's (else each row's own). */
export async function stageTransactions(db: Queryable, runId: number, txns: readonly StagedTransaction[], payoutId?: string): Promise<void> {
  for (let start = 0; start < txns.length; start += BATCH) {
    const batch = txns.slice(start, start + BATCH);
    await db.query(
      `INSERT INTO integration.reconciliation_staged_txn
         (run_id, txn_id, kind, amount_minor, fee_minor, net_minor, currency, source_id, payment_ref, payout_id, created_at)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
       ON CONFLICT (run_id, txn_id) DO UPDATE SET payout_id = COALESCE(EXCLUDED.payout_id, reconciliation_staged_txn.payout_id)`,
      [
        runId, batch.map((t) => t.id), batch.map((t) => t.kind), batch.map((t) => t.amountMinor), batch.map((t) => t.feeMinor),
        batch.map((t) => t.netMinor), batch.map((t) => t.currency.toUpperCase()), batch.map((t) => t.sourceId), batch.map((t) => t.paymentId ?? null),
        batch.map((t) => payoutId ?? t.payoutId ?? null), batch.map((t) => t.createdAt),
      ],
    );
  }
}

export async function stagePayouts(db: Queryable, runId: number, payouts: readonly Payout[]): Promise<void> {
  for (let start = 0; start < payouts.length; start += BATCH) {
    const batch = payouts.slice(start, start + BATCH);
    await db.query(
      `INSERT INTO integration.reconciliation_staged_payout (run_id, payout_id, amount_minor, currency, status, arrival_at, created_at)
       SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
       ON CONFLICT (run_id, payout_id) DO UPDATE SET status = EXCLUDED.status, amount_minor = EXCLUDED.amount_minor`,
      [runId, batch.map((p) => p.id), batch.map((p) => p.amountMinor), batch.map((p) => p.currency.toUpperCase()), batch.map((p) => p.status),
        batch.map((p) => p.arrivalAt), batch.map((p) => p.createdAt)],
    );
  }
}

/**
 * The payouts of the run's provider that the ERP records as not yet reconciled (neither failed nor cancelled),
 * created before the window's end, and not staged by this run yet: a payout still in transit when the window it
 * was created in was reconciled is otherwise never looked at again.
 */
export async function unreconciledPayoutsOutside(db: Queryable, runId: number, window: ReconciliationWindow): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT po.provider_payout_id FROM erp.payout po JOIN integration.reconciliation_run r ON r.id = $1 AND r.provider = po.provider
      WHERE po.reconciled_at IS NULL AND po.status NOT IN ('failed', 'cancelled')
        AND (po.provider_created_at IS NULL OR po.provider_created_at < $2::timestamptz)
        AND NOT EXISTS (SELECT 1 FROM integration.reconciliation_staged_payout s WHERE s.run_id = $1 AND s.payout_id = po.provider_payout_id)
      ORDER BY po.id`,
    [runId, window.to],
  );
  return rows.map((r) => String(r.provider_payout_id));
}
