import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startHubspotSimulator } from '../connectors/hubspot/simulator/server';
import { DEFAULT_THROTTLE, startShopifySimulator, type ShopifySimulator } from '../connectors/shopify/simulator/server';
import { startStripeSimulator } from '../connectors/stripe/simulator/server';
import { startEmbeddedPostgres } from '../stack/postgres';
import { startDevServer } from '../stack/temporal-server';
import { createWorker, type WorkerConnections } from '../workers/create-worker';
import { listenForStockChanges, startInventorySyncs } from '../workers/inventory-sync';
import { DEFAULT_INVENTORY_POLICY, inventoryProgressQuery, inventoryWorkflowId } from '../workflows/inventory/api';

/**
 * Inventory push at scale, through the real path: `skus` ERP stock levels changed by one SQL statement (trigger ->
 * integration.inventory_outbox -> NOTIFY), the engine's worker and its inventorySync flow on a Temporal dev server,
 * the Shopify connector (inventorySetQuantities, 250 quantities a call, compare-and-set, idempotency key), and the
 * Shopify simulator with its published cost limits (leaky bucket DEFAULT_THROTTLE).
 *   npm run bench -- inventory-push [skus=10000] [bucketAtStart=0]
 *
 * The shop's bucket holds `bucketAtStart` points when the first push reaches it (0: another app, or the last resync,
 * has just spent it), so the push is bound by the restore rate and not by the 1,000-point burst, which alone would
 * hold 83 calls (20,750 quantities). The bound: call k (cost c) cannot be accepted before its cumulative cost k·c has leaked back on top
 * of what the bucket held at the first push (B0), so no client can finish n calls sooner than (n·c − B0) / restoreRate
 * after its first push. Measured: first push reaching the shop -> last SKU set at the shop.
 * Uses DATABASE_URL if set, else an embedded PostgreSQL; TEMPORAL_ADDRESS if set, else a dev server of its own.
 */

const SHOP = 'shopify';
const CONNECTIONS: WorkerConnections = {
  shops: [{ id: SHOP, role: 'shop', vendor: 'shopify' }],
  payments: { id: 'stripe', role: 'payments', vendor: 'stripe' },
  crm: { id: 'hubspot', role: 'crm', vendor: 'hubspot' },
};
const TOKEN = 'shpat_bench';
/** The setup (seeding, the first full resync reading every SKU) is not what is measured: it runs unthrottled. */
const UNTHROTTLED = { maximumAvailable: 1_000_000, restoreRate: 1_000_000, currentlyAvailable: 1_000_000 };

interface Take { at: number; cost: number; availableBefore: number; accepted: boolean }

async function main(): Promise<void> {
  const skus = positiveInt(process.argv[2] ?? '10000', 'skus');
  const bucketAtStart = Number(process.argv[3] ?? 0);
  if (!Number.isFinite(bucketAtStart) || bucketAtStart < 0 || bucketAtStart > DEFAULT_THROTTLE.maximumAvailable) {
    throw new Error(`bucketAtStart must be 0 to ${DEFAULT_THROTTLE.maximumAvailable} points, got "${process.argv[3]}"`);
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const databaseUrl = process.env.DATABASE_URL ?? await embeddedPostgres(cleanup);
    const pool = createPool(databaseUrl, 10);
    cleanup.unshift(() => pool.end());
    await migrate(pool);
    await pool.query('TRUNCATE erp.product, erp.stock_level, integration.inventory_outbox, integration.inventory_shop_level CASCADE');

    const address = process.env.TEMPORAL_ADDRESS ?? await devServer(cleanup);
    const shopify = await startShopifySimulator({ port: 0, host: '127.0.0.1', accessToken: TOKEN, webhookSecret: 'bench', logger: false, throttle: UNTHROTTLED });
    cleanup.unshift(() => shopify.close());
    const stripe = await startStripeSimulator({ port: 0, host: '127.0.0.1', apiKey: 'sk_test_bench', webhookSecret: 'whsec_bench', logger: false });
    cleanup.unshift(() => stripe.close());
    const hubspot = await startHubspotSimulator({ port: 0, host: '127.0.0.1', accessToken: 'bench', clientSecret: 'bench', logger: false });
    cleanup.unshift(() => hubspot.close());

    const seedStarted = performance.now();
    const onHand = (i: number) => 20 + (i % 50);
    await seedErp(pool, skus, onHand);
    for (let i = 0; i < skus; i++) shopify.state.seedVariant({ sku: skuOf(i), title: `Bench product ${i}`, price: '10.00', inventoryQuantity: onHand(i) });
    const seedS = (performance.now() - seedStarted) / 1000;

    const taskQueue = `bench-inventory-${process.pid}`;
    const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
    cleanup.unshift(() => client.connection.close());
    const workerConnection = await NativeConnection.connect({ address });
    const worker = await createWorker({
      connection: workerConnection, namespace: 'default', taskQueue, pool, connections: CONNECTIONS, client,
      vendors: {
        shopify: { baseUrl: shopify.url, accessToken: TOKEN, apiVersion: '2026-10' },
        stripe: { baseUrl: stripe.url, apiKey: 'sk_test_bench' },
        hubspot: { baseUrl: hubspot.url, accessToken: 'bench', erpIdProperty: 'erp_customer_number' },
      },
      defaultPhoneCountry: 'US',
    });
    const running = worker.run();
    cleanup.unshift(async () => {
      worker.shutdown();
      await running;
      await workerConnection.close();
    });

    // The sync starts with a full resync: it reads every SKU (the mapping SKU -> inventory item) and finds nothing to set.
    const resyncStarted = performance.now();
    const handle = client.workflow.getHandle(inventoryWorkflowId(SHOP));
    await startInventorySyncs(client, { taskQueue, shops: [SHOP], policy: DEFAULT_INVENTORY_POLICY });
    cleanup.unshift(() => handle.terminate('benchmark over').catch(() => undefined));
    const stopListening = await listenForStockChanges(pool, client, [SHOP]);
    cleanup.unshift(stopListening);
    await until('the first full resync', 600_000, async () => {
      const p = await handle.query(inventoryProgressQuery).catch(() => undefined);
      return p !== undefined && p.resyncs >= 1 && p.state === 'idle';
    });
    const resyncS = (performance.now() - resyncStarted) / 1000;

    // From here on the shop has its published limits; its bucket holds `bucketAtStart` points when the first push comes.
    shopify.bucket.configure(DEFAULT_THROTTLE);
    const probe = instrument(shopify, bucketAtStart);
    const historyFrom = (await handle.fetchHistory()).events?.length ?? 0;
    const expected = (i: number) => onHand(i) + 1 + (i % 7);
    await pool.query(`UPDATE erp.stock_level s SET on_hand = s.on_hand + 1 + (p.id_in_bench % 7)
                        FROM (SELECT id, (substring(sku FROM 7))::int AS id_in_bench FROM erp.product WHERE sku LIKE 'BENCH-%') p
                       WHERE s.product_id = p.id`);
    const changedAt = performance.now();
    const itemOf = new Map([...shopify.state.inventory.items.values()].map((item) => [item.sku, item.id]));
    const location = shopify.state.inventory.primaryLocation.id;
    const atShop = (i: number) => shopify.state.inventory.quantity(itemOf.get(skuOf(i))!, location, 'available');
    const unreached = () => Array.from({ length: skus }, (_, i) => i).filter((i) => atShop(i) !== expected(i));
    await until(`all ${skus} SKUs at the shop`, 900_000, async () => unreached().length === 0, 20);
    probe.stop();

    const takes = probe.takes;
    const accepted = takes.filter((t) => t.accepted);
    const first = takes[0]!;
    const lastSet = probe.sets[probe.sets.length - 1]!;
    const measuredS = (lastSet - first.at) / 1000;
    const cost = accepted[0]!.cost;
    const { restoreRate, maximumAvailable } = DEFAULT_THROTTLE;
    const boundS = Math.max(0, accepted.reduce((sum, t) => sum + t.cost, 0) - first.availableBefore) / restoreRate;
    const pushes = await flowActivities(handle, historyFrom);
    const issues = await pool.query(`SELECT kind, step, message FROM integration.issue WHERE workflow_id = $1`, [inventoryWorkflowId(SHOP)]);
    const progress = await handle.query(inventoryProgressQuery);
    const throughput = skus / measuredS;
    const boundThroughput = boundS > 0 ? skus / boundS : null;

    console.log(JSON.stringify({
      machine: {
        cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage1m: round(loadavg()[0]!),
        postgres: (await pool.query('SHOW server_version')).rows[0].server_version,
      },
      limits: { maximumAvailable, restoreRate, costPerCall: cost, quantitiesPerCall: 250, bucketAtFirstPush: round(first.availableBefore) },
      setupSeconds: { seed: round(seedS), firstFullResync: round(resyncS), changeToFirstPush: round((first.at - changedAt) / 1000) },
      skus,
      calls: { priced: takes.length, accepted: accepted.length, throttled: takes.length - accepted.length, stockSetsApplied: probe.sets.length },
      boundSeconds: round(boundS),
      measuredSeconds: round(measuredS),
      quantitiesPerSecond: { measured: Math.round(throughput), bound: boundThroughput === null ? null : Math.round(boundThroughput), sustainedBound: round((restoreRate / cost) * 250) },
      ratioOfBound: boundThroughput === null ? null : round(throughput / boundThroughput, 3),
      failures: { skusNotAtShop: unreached().length, pushActivityFailures: pushes.failures, rateLimitedAttempts: pushes.rateLimited, issues: issues.rows },
      // At the shop: a batch's request priced -> applied, and the time between two batches applied (the pace).
      batchLatencyMs: summary(probe.handling),
      batchIntervalMs: summary(probe.sets.slice(1).map((at, i) => at - probe.sets[i]!)),
      activities: pushes.summary,
      flow: { pushed: progress.pushed, batches: progress.batches, drifts: progress.drifts, gaveUp: progress.gaveUp },
    }, null, 2));
  } finally {
    for (const step of cleanup) await step().catch((err: unknown) => console.error('cleanup:', err));
  }
}

const skuOf = (i: number) => `BENCH-${String(i).padStart(6, '0')}`;

/** Products and their stock at MAIN, in one statement each (the outbox collects nothing before a shop is enrolled). */
async function seedErp(pool: Pool, skus: number, onHand: (i: number) => number): Promise<void> {
  const all = Array.from({ length: skus }, (_, i) => i);
  await pool.query(
    `INSERT INTO erp.product (sku, name, unit_price_minor, currency) SELECT sku, 'Bench product ' || sku, 1000, 'USD' FROM unnest($1::text[]) AS u(sku)`,
    [all.map(skuOf)],
  );
  await pool.query(
    `INSERT INTO erp.stock_level (product_id, location_id, on_hand)
     SELECT p.id, l.id, u.on_hand FROM unnest($1::text[], $2::int[]) AS u(sku, on_hand)
       JOIN erp.product p ON p.sku = u.sku JOIN erp.stock_location l ON l.code = 'MAIN'`,
    [all.map(skuOf), all.map(onHand)],
  );
}

/**
 * Watches the simulator from inside (the bench runs it in-process): every request the bucket prices (time, cost,
 * points before, accepted or THROTTLED), and the moment each inventorySetQuantities call has been applied. The
 * first priced request finds the bucket at `bucketAtFirstRequest` points.
 */
function instrument(shopify: ShopifySimulator, bucketAtFirstRequest: number) {
  const bucket = shopify.bucket;
  const inventory = shopify.state.inventory;
  const take = bucket.take.bind(bucket);
  const setQuantities = inventory.setQuantities.bind(inventory);
  const takes: Take[] = [];
  const sets: number[] = [];
  const handling: number[] = [];
  bucket.take = (cost: number) => {
    if (takes.length === 0) bucket.configure({ currentlyAvailable: bucketAtFirstRequest });
    const availableBefore = bucket.available();
    const accepted = take(cost);
    takes.push({ at: performance.now(), cost, availableBefore, accepted });
    return accepted;
  };
  inventory.setQuantities = (input) => {
    const group = setQuantities(input);
    sets.push(performance.now());
    handling.push(sets[sets.length - 1]! - takes[takes.length - 1]!.at);
    return group;
  };
  return {
    takes, sets, handling,
    stop() {
      bucket.take = take;
      inventory.setQuantities = setQuantities;
    },
  };
}

/**
 * The flow's activities after `from` in its history, by type: scheduled -> completed (count, sum, p50), and the
 * failed attempts of the pushes (pushStock, pushStockBatches; rate-limited or not).
 */
async function flowActivities(handle: ReturnType<Client['workflow']['getHandle']>, from: number) {
  const events = ((await handle.fetchHistory()).events ?? []).slice(from);
  const EventType = temporal.api.enums.v1.EventType;
  const scheduled = new Map<string, { at: number; type: string }>();
  const byType: Record<string, number[]> = {};
  let failures = 0;
  let rateLimited = 0;
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      scheduled.set(String(e.eventId), { at, type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?' });
    }
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    const since = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (since === undefined) continue;
    if (e.activityTaskCompletedEventAttributes) (byType[since.type] ??= []).push(at - since.at);
    else if (!since.type.startsWith('pushStock')) continue;
    else if (/rate|throttl/i.test(JSON.stringify(e.activityTaskFailedEventAttributes?.failure ?? {}))) rateLimited++;
    else failures++;
  }
  const summary = Object.fromEntries(Object.entries(byType).map(([type, ms]) => [type, { count: ms.length, totalMs: Math.round(ms.reduce((a, b) => a + b, 0)), p50Ms: percentile(ms, 0.5) }]));
  return { failures, rateLimited, summary };
}

async function embeddedPostgres(cleanup: Array<() => Promise<unknown>>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-inventory-pg-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 5497, database: 'bench_inventory' });
  cleanup.push(async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return pg.databaseUrl;
}

async function devServer(cleanup: Array<() => Promise<unknown>>): Promise<string> {
  const server = await startDevServer({ port: 7277, log: (line) => console.error(line) });
  cleanup.push(() => server.stop());
  return server.address;
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${text}"`);
  return n;
}

function summary(values: number[]) {
  return { count: values.length, p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: values.length > 0 ? Math.round(Math.max(...values)) : null };
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
