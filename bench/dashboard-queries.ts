import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { inboxPanel, issuesPanel, kpis, vendorsPanel, waitingPanel } from '../dashboard/queries';
import { exactWindow, timeWindow } from '../dashboard/series';
import { startEmbeddedPostgres } from '../stack/postgres';

/**
 * `npm run bench -- dashboard-queries [orders] [payments] [issues]`: how long each dashboard panel's queries take
 * (what one refresh of the page, or `npm run ops -- kpis`, costs the database) over 90 days of history: by default
 * 1,000,000 order processing times, 300,000 captured payments (95 % reconciled a day later) and 20,000 open issues.
 * Medians of 7 runs after the data is analysed. Uses an embedded PostgreSQL in a temporary folder.
 */

async function main(): Promise<void> {
  const [orders, payments, issues] = [Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 300_000), Number(process.argv[4] ?? 20_000)];
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-pg-'));
  chmodSync(dir, 0o755); // the embedded server runs as its own user when we are root
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 5497, database: 'bench_dashboard' });
  const pool = createPool(pg.databaseUrl, 4);
  try {
    await migrate(pool);
    const seeded = Date.now();
    const minutes = 90 * 24 * 60;
    await pool.query(
      `INSERT INTO integration.flow_metric (flow, business_key, metric, value_ms, recorded_at)
       SELECT 'order', 'shopify:order:' || g, 'order_processing_ms', 500 + (g::bigint * 7919) % 20000, now() - (g % $2) * interval '1 minute'
         FROM generate_series(1, $1::int) g`, [orders, minutes]);
    await pool.query(
      `INSERT INTO erp.payment (provider, provider_payment_id, status, currency, amount_minor, fee_minor, net_minor, provider_captured_at, captured_at)
       SELECT 'stripe', 'pi_' || g, 'captured', 'USD', 1000 + g % 9000, 59, 941 + g % 9000, t, t
         FROM generate_series(1, $1::int) g, LATERAL (SELECT now() - (g % $2) * interval '1 minute' - interval '2 hours' AS t) c`, [payments, minutes]);
    await pool.query(
      `INSERT INTO erp.payout_line (provider, provider_balance_txn_id, kind, payment_id, amount_minor, gross_minor, fee_minor, reconciled_at)
       SELECT 'stripe', 'txn_' || id, 'payment', id, net_minor, amount_minor, fee_minor, provider_captured_at + interval '26 hours'
         FROM erp.payment WHERE id % 20 <> 0 AND provider_captured_at < now() - interval '26 hours'`);
    await pool.query(
      `INSERT INTO integration.issue (workflow_id, run_id, flow, step, business_key, kind, message, allowed_decisions, opened_at)
       SELECT 'order-shopify-' || g, 'run', CASE WHEN g % 3 = 0 THEN 'payment' ELSE 'order' END, 'reserve-stock', 'key-' || g, 'step-failed', 'bench',
              ARRAY['retry', 'skip'], now() - g * interval '1 minute'
         FROM generate_series(1, $1::int) g`, [issues]);
    await pool.query('ANALYZE');
    process.stdout.write(`seeded ${orders} order processing times, ${payments} payments, ${issues} open issues in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);

    const time = async (name: string, work: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        await work();
        runs.push(performance.now() - started);
      }
      runs.sort((a, b) => a - b);
      process.stdout.write(`${name.padEnd(26)} median ${runs[3]!.toFixed(1).padStart(8)} ms   max ${runs[6]!.toFixed(1).padStart(8)} ms\n`);
    };
    const now = new Date();
    for (const hours of [24, 168, 720, 2160]) await time(`/api/kpis hours=${hours}`, () => kpis(pool, timeWindow(now, hours)));
    await time('/api/issues (100 oldest)', () => issuesPanel(pool, { status: 'open', limit: 100 }));
    await time('/api/waiting (100)', () => waitingPanel(pool, 100));
    await time('/api/inbox hours=24', () => inboxPanel(pool, exactWindow(now, 24)));
    await time('/api/vendors hours=24', () => vendorsPanel(pool, exactWindow(now, 24)));
  } finally {
    await pool.end();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
