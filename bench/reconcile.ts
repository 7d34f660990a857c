import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { reconcileRun, roomForTempTables } from '../erp/reconciliation/run';
import { startRun, stagePayouts, stageTransactions } from '../erp/reconciliation/staging';
import { fixedWindow } from '../erp/reconciliation/window';
import { startEmbeddedPostgres } from '../stack/postgres';
import { generateMonth, type Month } from './reconciliation-month';

/**
 * Reconciliation at scale: about a million provider balance transactions (a generated month, USD and JPY) against
 * the ERP's payments, refunds and disputes. Times our set-based run, and, on the same staged rows in the same
 * process, the lower bound: one hand-written join of the staged rows to the ERP that materialises a match outcome
 * per row and does nothing else (no rules, no duplicates, no exceptions, no payouts, no writes to the ERP).
 *   npm run bench:reconcile -- [paymentsPerDay=28000] [days=30]
 * Uses DATABASE_URL if set, else an embedded PostgreSQL in a temporary folder.
 */

export const LOWER_BOUND = `
CREATE TEMP TABLE lower_bound AS
SELECT s.txn_id, COALESCE(p.id, r.id, d.id) AS erp_id,
       CASE WHEN COALESCE(p.id, r.id, d.id) IS NULL THEN 'missing'
            WHEN s.kind = 'payment' AND (p.amount_minor <> s.amount_minor OR p.currency::text <> s.currency OR p.fee_minor <> s.fee_minor) THEN 'mismatch'
            WHEN s.kind = 'refund' AND (r.amount_minor <> -s.amount_minor OR r.currency::text <> s.currency) THEN 'mismatch'
            WHEN s.kind = 'dispute' AND d.amount_minor <> abs(s.amount_minor) THEN 'mismatch' END AS outcome
  FROM integration.reconciliation_staged_txn s
  LEFT JOIN erp.payment p ON s.kind = 'payment' AND p.provider_payment_id = s.payment_ref
  LEFT JOIN erp.refund r ON s.kind = 'refund' AND r.provider_refund_id = s.source_id
  LEFT JOIN erp.dispute d ON s.kind = 'dispute' AND d.provider_dispute_id = s.source_id
 WHERE s.run_id = $1 AND s.kind <> 'payout'`;

/**
 * The floor of any run that records what it finds: the lower bound's join, its outcome written into a logged table
 * keyed by the provider row (the least a durable, idempotent record needs: one row per provider row and its key),
 * committed. Nothing else. Measured to tell how much of our ratio is the durable write itself.
 */
export const DURABLE_FLOOR = [
  `CREATE TABLE IF NOT EXISTS integration.bench_durable_floor (txn_id text PRIMARY KEY, erp_id bigint, outcome text)`,
  `TRUNCATE integration.bench_durable_floor`,
  'CHECKPOINT',
];
const DURABLE_FLOOR_INSERT = LOWER_BOUND.replace('CREATE TEMP TABLE lower_bound AS', 'INSERT INTO integration.bench_durable_floor');

async function main(): Promise<void> {
  const perDay = Number(process.argv[2] ?? 28_000);
  const days = Number(process.argv[3] ?? 30);
  let databaseUrl = process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-reconcile-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 5498, database: 'bench_reconcile' });
    databaseUrl = pg.databaseUrl;
    // A month of a million rows takes gigabytes: the folder goes with the server.
    stopPg = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const pool = createPool(databaseUrl, 4);
  try {
    await migrate(pool);
    const timer = stopwatch();
    const month = generateMonth({ seed: 1, start: '2026-10-01T00:00:00.000Z', days, paymentsPerDay: perDay });
    const generateS = timer();
    await bookInBulk(pool, month.erp);
    const bookS = timer();
    const window = fixedWindow(month.window.from, month.window.to);
    const runId = await startRun(pool, 'stripe', window);
    const { transactions, payouts } = month.provider;
    await stagePayouts(pool, runId, payouts);
    await stageTransactions(pool, runId, transactions);
    const stageS = timer();
    await pool.query('VACUUM ANALYZE');
    timer();

    // The lower bound first, on cold temp tables like ours; each in its own transaction.
    const lowerS = (await timed(() => inOneTransaction(pool, (q) => q(LOWER_BOUND, [runId])))).seconds;
    for (const statement of DURABLE_FLOOR) await pool.query(statement);
    const durableS = (await timed(() => inOneTransaction(pool, (q) => q(DURABLE_FLOOR_INSERT, [runId]), 'COMMIT'))).seconds;
    await pool.query('DROP TABLE integration.bench_durable_floor');
    await pool.query('CHECKPOINT');
    const steps: Record<string, number> = {};
    const onStep = (name: string, ms: number) => { steps[name] = ms; };
    const result = await timed(() => reconcileRun(pool, runId, { now: new Date(Date.parse(month.window.to) + 86_400_000), onStep }));
    const providerRows = transactions.filter((t) => t.kind !== 'payout').length;
    console.log(JSON.stringify({
      machine: { cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: (await pool.query('SHOW server_version')).rows[0].server_version },
      data: { providerTransactions: providerRows, payouts: payouts.length, erpPayments: month.erp.payments.length, erpRefunds: month.erp.refunds.length, erpDisputes: month.erp.disputes.length },
      setupSeconds: { generate: round(generateS), bookErp: round(bookS), stage: round(stageS), stagePerSecond: Math.round(transactions.length / stageS) },
      lowerBoundJoinSeconds: round(lowerS),
      reconciliationSeconds: round(result.seconds),
      ratio: round(result.seconds / lowerS),
      durableFloorSeconds: round(durableS),
      durableFloorRatio: round(durableS / lowerS),
      ratioToDurableFloor: round(result.seconds / durableS),
      reconciliationStepsMs: steps,
      result: {
        matchRate: result.value.matchRate, exceptions: result.value.exceptionCount, payouts: result.value.payouts,
        reconciledNow: result.value.reconciledNow, captureToReconciled: result.value.captureToReconciled,
      },
    }, null, 2));
  } finally {
    await pool.end();
    await stopPg?.();
  }
}

/** The ERP side as a nightly import would write it: multi-row inserts from arrays, 20,000 rows a statement. */
export async function bookInBulk(pool: Pool, erp: Month['erp']): Promise<void> {
  const batches = <T>(items: readonly T[], size = 20_000) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  for (const b of batches(erp.payments)) {
    await pool.query(
      `INSERT INTO erp.payment (provider, provider_payment_id, status, currency, amount_minor, fee_minor, net_minor, provider_charge_id,
                                provider_balance_txn_id, provider_captured_at, captured_at)
       SELECT 'stripe', id, 'captured', cur, amount, fee, amount - fee, charge, txn, at, at
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[]) AS u(id, cur, amount, fee, charge, txn, at)`,
      [b.map((p) => p.providerPaymentId), b.map((p) => p.currency), b.map((p) => p.amountMinor), b.map((p) => p.feeMinor),
        b.map((p) => p.chargeId), b.map((p) => p.balanceTransactionId), b.map((p) => p.capturedAt)],
    );
  }
  for (const b of batches(erp.refunds)) {
    await pool.query(
      `INSERT INTO erp.refund (provider, provider_refund_id, payment_id, currency, amount_minor, status, origin, provider_balance_txn_id, refunded_at)
       SELECT 'stripe', u.id, p.id, u.cur, u.amount, 'succeeded', u.origin, u.txn, u.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[]) AS u(id, pi, cur, amount, origin, txn, at)
         JOIN erp.payment p ON p.provider = 'stripe' AND p.provider_payment_id = u.pi`,
      [b.map((r) => r.providerRefundId), b.map((r) => r.providerPaymentId), b.map((r) => r.currency), b.map((r) => r.amountMinor),
        b.map((r) => r.origin), b.map((r) => r.balanceTransactionId ?? null), b.map((r) => r.refundedAt)],
    );
  }
  for (const b of batches(erp.disputes)) {
    await pool.query(
      `INSERT INTO erp.dispute (provider, provider_dispute_id, payment_id, currency, amount_minor, fee_minor, status, opened_at, closed_at)
       SELECT 'stripe', u.id, p.id, u.cur, u.amount, u.fee, u.status, u.opened, u.closed
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::timestamptz[], $8::timestamptz[])
              AS u(id, pi, cur, amount, fee, status, opened, closed)
         JOIN erp.payment p ON p.provider = 'stripe' AND p.provider_payment_id = u.pi`,
      [b.map((d) => d.providerDisputeId), b.map((d) => d.providerPaymentId), b.map((d) => d.currency), b.map((d) => d.amountMinor),
        b.map((d) => d.feeMinor), b.map((d) => d.status), b.map((d) => d.openedAt), b.map((d) => d.closedAt ?? null)],
    );
  }
}

export async function inOneTransaction(
  pool: Pool, work: (query: (text: string, values?: unknown[]) => Promise<unknown>) => Promise<unknown>, end: 'ROLLBACK' | 'COMMIT' = 'ROLLBACK',
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The same session settings as the run's: memory for the join and for temporary tables.
    await client.query(`SET LOCAL work_mem = '256MB'`);
    await roomForTempTables(client);
    await work((text, values) => client.query(text, values));
    await client.query(end);
  } finally {
    client.release();
  }
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

const round = (n: number) => Math.round(n * 100) / 100;

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
