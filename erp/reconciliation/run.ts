import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../db/transaction';
import { recordPayout } from '../payments/payouts';
import { classifyPayout, countByClass, EXCEPTION_CLASSES, matchRate, type ExceptionClass, type Subject } from './classify';
import * as sql from './statements';

/**
 * One reconciliation run over its staged provider rows, in one transaction: match (provider id first, then
 * amount + currency + time), classify, record every exception with both sides, check each payout against its lines,
 * write one payout line per provider row (which record it settles, its payout, when it reconciled: migration
 * 0020), then the run's counts, match rate, duration and KPI.
 */

/** Shared by runs, exclusive for deleting what payout lines reference (migration 0009). */
const PAYOUT_LINE_LOCK = 7_246_009;

export interface ReconcileOptions {
  /** How far apart the provider's and the ERP's times may be for a rule match. */
  matchWindowMs?: number;
  /** How many exceptions the result carries (all are in integration.reconciliation_exception). */
  exceptionLimit?: number;
  /** The run's clock, for tests; defaults to now. */
  now?: Date;
  /** Told how long each step took (the benchmark prints it). */
  onStep?: (step: string, ms: number) => void;
}

export interface ReconciliationException {
  class: ExceptionClass;
  subject: Subject;
  provider: { txnId: string | null; sourceId: string | null; amountMinor: number | null; feeMinor: number | null; currency: string | null };
  erp: { table: string | null; id: number | null; reference: string | null; amountMinor: number | null; feeMinor: number | null; currency: string | null };
  candidates: number | null;
}

export interface ReconciliationResult {
  runId: number;
  window: { from: string; to: string };
  providerRows: number;
  matchedRows: number;
  matchRate: number;
  counts: Record<ExceptionClass, number>;
  exceptionCount: number;
  exceptions: ReconciliationException[];
  payouts: { checked: number; reconciled: number; failed: number };
  reconciledNow: { payments: number; refunds: number; disputes: number };
  captureToReconciled: { p50Ms: number | null; p95Ms: number | null };
  durationMs: number;
}

const DEFAULT_MATCH_WINDOW_MS = 2 * 3_600_000;

export async function reconcileRun(pool: Pool, runId: number, opts: ReconcileOptions = {}): Promise<ReconciliationResult> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  try {
    return await inTransaction(pool, async (tx) => {
      const run = (await tx.query('SELECT * FROM integration.reconciliation_run WHERE id = $1 FOR UPDATE', [runId])).rows[0];
      if (!run) throw new Error(`reconciliation run ${runId} does not exist`);
      // A retried activity whose first attempt committed gets the same answer, not a second run.
      if (run.status === 'completed') return storedResult(tx, run, opts.exceptionLimit ?? 500);
      if (run.status !== 'staging') throw new Error(`reconciliation run ${runId} is already ${run.status}`);
      const provider = run.provider as string;
      const [from, to] = [run.window_from as Date, run.window_to as Date];
      // The joins and the hashed NOT IN want memory, not temporary files.
      await tx.query(`SET LOCAL work_mem = '256MB'`);
      await roomForTempTables(tx);
      // Before reading any ERP record a line will reference: a delete of one then waits for this run, or is seen by it.
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [PAYOUT_LINE_LOCK]);

      let last = performance.now();
      const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
        const value = await work();
        const at = performance.now();
        opts.onStep?.(name, Math.round(at - last));
        last = at;
        return value;
      };
      const matchWindowMs = opts.matchWindowMs ?? DEFAULT_MATCH_WINDOW_MS;
      const rows = (await step('match by id', () => tx.query(sql.MATCH_BY_ID, [runId, provider]))).rowCount ?? 0;
      // Temporary tables get no statistics of their own; without them the planner would loop over a million rows.
      await step('analyze', () => tx.query('ANALYZE rec_row'));
      const bySettlement = (await step('match by settlement', () => tx.query(sql.MATCH_PAYMENTS_BY_SETTLEMENT, [provider]))).rowCount ?? 0;
      const unclaimed = (await step('erp unclaimed', () => tx.query(sql.ERP_UNCLAIMED, [provider, from, to]))).rowCount ?? 0;
      // Each pass over a month's million rows costs: the rule passes run only when the ERP has unclaimed records.
      const byRule = unclaimed === 0 ? 0 : (await step('match by rule', () => tx.query(sql.MATCH_BY_RULE, [matchWindowMs]))).rowCount ?? 0;
      if (byRule > 0) await step('drop rule matched', () => tx.query(sql.DROP_RULE_MATCHED, [matchWindowMs]));
      if (bySettlement + byRule > 0) await step('claims of late matches', () => tx.query(sql.CLAIMS_OF_LATE_MATCHES));
      await step('rank claims', () => tx.query(sql.RANK_CLAIMS));
      await step('complete settlements', () => tx.query(sql.COMPLETE_SETTLEMENTS));
      const marked = (await step('reconciled now', () => tx.query(sql.RECONCILED_NOW, [now]))).rows[0];
      await step('record exceptions', () => tx.query(sql.RECORD_EXCEPTIONS, [runId]));
      const payouts = await step('payouts', () => recordPayouts(tx, runId, provider));
      await step('record lines', () => tx.query(sql.WRITE_LINES, [runId, provider, now]));
      await step('complete lines', () => tx.query(sql.COMPLETE_LINES, [runId, provider, now]));
      await step('payouts reconciled', () => tx.query(
        'UPDATE erp.payout SET reconciled_at = COALESCE(reconciled_at, $2) WHERE id = ANY($1::bigint[])', [payouts.whole, now]));

      const byClass = (await tx.query(
        'SELECT class, subject, count(*)::int AS n FROM integration.reconciliation_exception WHERE run_id = $1 GROUP BY class, subject', [runId],
      )).rows as Array<{ class: ExceptionClass; subject: Subject; n: number }>;
      const counts = countByClass(byClass);
      const providerExceptions = byClass.filter((r) => r.class !== 'missing_at_provider' && r.subject !== 'payout').reduce((sum, r) => sum + r.n, 0);
      const matched = rows - providerExceptions;
      const exceptionCount = EXCEPTION_CLASSES.reduce((sum, c) => sum + counts[c], 0);
      const result: ReconciliationResult = {
        runId, window: { from: from.toISOString(), to: to.toISOString() }, providerRows: rows, matchedRows: matched, matchRate: matchRate(matched, rows),
        counts, exceptionCount, exceptions: await exceptionsOf(tx, runId, opts.exceptionLimit ?? 500), payouts: payouts.summary,
        reconciledNow: { payments: marked.payments, refunds: marked.refunds, disputes: marked.disputes },
        captureToReconciled: { p50Ms: roundOrNull(marked.lag_ms?.[0]), p95Ms: roundOrNull(marked.lag_ms?.[1]) },
        durationMs: Math.round(performance.now() - started),
      };
      for (const statement of sql.DROP_STAGED) await tx.query(statement, [runId]);
      await tx.query(
        `UPDATE integration.reconciliation_run SET status = 'completed', finished_at = now(), duration_ms = $2, provider_rows = $3, matched_rows = $4,
                exception_count = $5, match_rate = $6, counts = $7, capture_to_reconciled_p50_ms = $8, capture_to_reconciled_p95_ms = $9
          WHERE id = $1`,
        [runId, result.durationMs, rows, matched, exceptionCount, result.matchRate, { ...counts, payouts: result.payouts, reconciledNow: result.reconciledNow },
          result.captureToReconciled.p50Ms, result.captureToReconciled.p95Ms],
      );
      return result;
    });
  } catch (err) {
    await pool.query(`UPDATE integration.reconciliation_run SET status = 'failed', finished_at = now() WHERE id = $1 AND status = 'staging'`, [runId]);
    throw err;
  }
}

/** How much of the session's memory temporary tables may use: rec_row of a month is a few hundred megabytes. */
export const TEMP_BUFFERS = '1GB';

/**
 * rec_row is read by a dozen statements; in the default 8 MB of local buffers each read goes back to the operating
 * system's cache (measured by EXPLAIN ANALYZE at 150,000 payments: the run took 11x the join with 8 MB, 4x with 1 GB).
 * PostgreSQL accepts the setting only before the session's first temporary table, so it is tried in a savepoint: a
 * session that used temporary tables with another size keeps that size, and the run goes on.
 */
export async function roomForTempTables(tx: PoolClient): Promise<void> {
  await tx.query('SAVEPOINT temp_buffers');
  try {
    await tx.query(`SET LOCAL temp_buffers = '${TEMP_BUFFERS}'`);
    await tx.query('RELEASE SAVEPOINT temp_buffers');
  } catch {
    await tx.query('ROLLBACK TO SAVEPOINT temp_buffers');
  }
}

/** A completed run's result as recorded. */
async function storedResult(tx: PoolClient, run: Record<string, unknown>, exceptionLimit: number): Promise<ReconciliationResult> {
  const { payouts, reconciledNow, ...counts } = run.counts as Record<ExceptionClass, number> & Pick<ReconciliationResult, 'payouts' | 'reconciledNow'>;
  const runId = Number(run.id);
  return {
    runId, window: { from: (run.window_from as Date).toISOString(), to: (run.window_to as Date).toISOString() },
    providerRows: Number(run.provider_rows), matchedRows: Number(run.matched_rows), matchRate: Number(run.match_rate), counts: countByClass(
      EXCEPTION_CLASSES.map((c) => ({ class: c, n: counts[c] ?? 0 }))),
    exceptionCount: Number(run.exception_count), exceptions: await exceptionsOf(tx, runId, exceptionLimit), payouts, reconciledNow,
    captureToReconciled: { p50Ms: roundOrNull(run.capture_to_reconciled_p50_ms), p95Ms: roundOrNull(run.capture_to_reconciled_p95_ms) },
    durationMs: Number(run.duration_ms),
  };
}

const roundOrNull = (value: unknown) => (value == null ? null : Math.round(Number(value)));

/**
 * Payouts are few: each is booked and classified by the pure rule; a paid one whose lines add up and all reconcile
 * is whole (marked reconciled once its lines are written).
 */
async function recordPayouts(tx: PoolClient, runId: number, provider: string): Promise<{ summary: ReconciliationResult['payouts']; whole: number[] }> {
  const totals = (await tx.query(sql.PAYOUT_TOTALS, [runId])).rows;
  const whole: number[] = [];
  for (const t of totals) {
    const id = await recordPayout(tx, provider, {
      id: t.payout_id, amountMinor: Number(t.amount_minor), currency: t.currency, status: t.status,
      arrivalAt: (t.arrival_at as Date).toISOString(), createdAt: (t.created_at as Date).toISOString(),
    });
    if (t.status !== 'paid') continue;
    const payoutClass = classifyPayout({ amountMinor: Number(t.amount_minor), linesNetMinor: Number(t.lines_net_minor), currencyEqual: t.currency_equal });
    if (payoutClass) {
      await tx.query(
        `INSERT INTO integration.reconciliation_exception (run_id, class, subject, provider_txn_id, provider_source_id, provider_amount_minor, provider_currency,
                                                           erp_table, erp_id, erp_reference, erp_amount_minor, erp_currency)
         VALUES ($1, $2, 'payout', $3, $3, $4, $5, 'erp.payout_line', $6, $3, $7, $5)`,
        [runId, payoutClass, t.payout_id, Number(t.amount_minor), t.currency, id, Number(t.lines_net_minor)],
      );
    } else if (t.lines > 0 && t.lines_with_exceptions === 0) {
      whole.push(id);
    }
  }
  return { summary: { checked: totals.length, reconciled: whole.length, failed: totals.filter((t) => t.status === 'failed').length }, whole };
}

async function exceptionsOf(tx: PoolClient, runId: number, limit: number): Promise<ReconciliationException[]> {
  const { rows } = await tx.query('SELECT * FROM integration.reconciliation_exception WHERE run_id = $1 ORDER BY id LIMIT $2', [runId, limit]);
  const num = (v: unknown) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    class: r.class, subject: r.subject, candidates: num(r.candidates),
    provider: { txnId: r.provider_txn_id, sourceId: r.provider_source_id, amountMinor: num(r.provider_amount_minor), feeMinor: num(r.provider_fee_minor), currency: r.provider_currency },
    erp: { table: r.erp_table, id: num(r.erp_id), reference: r.erp_reference, amountMinor: num(r.erp_amount_minor), feeMinor: num(r.erp_fee_minor), currency: r.erp_currency },
  }));
}
