import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../config/logger';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { signHubspotV3 } from '../connectors/hubspot/signature';
import { startRelay } from '../relay/relay';
import { startEmbeddedPostgres } from '../stack/postgres';

/**
 * Webhook intake throughput and latency: signed HubSpot deliveries POSTed to the relay over loopback while
 * Temporal is unreachable (the worst case: every event must still be stored and answered at once).
 *   npm run bench:relay -- [requests=5000] [concurrency=32]
 * Uses DATABASE_URL if set, else an embedded PostgreSQL in a temporary folder.
 */
async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 32);
  let databaseUrl = process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 5499, database: 'bench' });
    databaseUrl = pg.databaseUrl;
    stopPg = pg.stop;
  }
  const pool = createPool(databaseUrl, 20);
  await migrate(pool);
  await pool.query('TRUNCATE integration.webhook_inbox');
  const secret = 'bench-secret';
  // Nothing listens on port 9: the dispatcher keeps every row pending, as during a Temporal outage.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9', connectTimeout: '1s' }) });
  const relay = await startRelay({
    pool, client, logger: createLogger('bench', 'silent'), host: '127.0.0.1', port: 0, bodyLimitBytes: 1_048_576,
    connections: [{ id: 'hubspot', role: 'crm', vendor: 'hubspot' }],
    secrets: { hubspot: secret },
    routes: { taskQueue: 'bench', leadPolicy: { qualifyingStage: 'lead', defaultPhoneCountry: 'US' }, orderPolicy: { shortfall: 'cancel', paymentWaitSeconds: 60, cancelShopOrderOnFailure: true } },
    pollMs: 60_000,
  });
  const url = `${relay.url}/webhooks/hubspot`;
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const body = JSON.stringify([{ eventId: 1_000_000 + i, subscriptionType: 'contact.creation', objectId: 10_000 + i, portalId: 1, occurredAt: Date.now() }]);
      const timestamp = Date.now();
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': String(timestamp), 'x-hubspot-signature-v3': signHubspotV3(secret, 'POST', url, body, timestamp) },
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) failures++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const stored = (await pool.query('SELECT count(*)::int AS n FROM integration.webhook_inbox')).rows[0].n as number;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(JSON.stringify({
    requests: total, concurrency, failures, stored, seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(total / seconds), p50ms: pct(50), p95ms: pct(95), p99ms: pct(99),
    rssMiB: Math.round(process.memoryUsage().rss / 1048576), rssGrowthMiB: Math.round((process.memoryUsage().rss - rssBefore) / 1048576),
  }, null, 2));
  await relay.close();
  await client.connection.close();
  await pool.end();
  await stopPg?.();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
