import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleEngineWorkflows } from '../observability/workflow-bundle';
import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { startEmbeddedPostgres, type PostgresHandle } from '../stack/postgres';
import { startDevServer, type DevServerHandle } from '../stack/temporal-server';
import { waitForHttp } from '../stack/processes';
import { freePort } from '../stack/free-port';
import { startHubspotSimulator, type HubspotSimulator } from '../connectors/hubspot/simulator/server';
import { startShopifySimulator, type ShopifySimulator } from '../connectors/shopify/simulator/server';
import { startStripeSimulator, type StripeSimulator } from '../connectors/stripe/simulator/server';
import { startWoocommerceSimulator, type WoocommerceSimulator } from '../connectors/woocommerce/simulator/server';

/**
 * The engine as separate OS processes, so that faults can hit them for real: embedded PostgreSQL (stopped and
 * started on the same data folder), a Temporal dev server on a SQLite file (history survives a restart), and the
 * compiled relay and worker (`dist/relay/main.js`, `dist/workers/main.js`, or the .ts sources under jest) as child
 * processes that can be SIGKILLed. The vendor simulators run in this process, pointed at the relay's fixed port.
 * Vendors retry webhooks for long (real ones for days): the simulators' senders keep trying for about two minutes.
 */

export interface StackLog { (line: string): void }

export interface ReliabilityStack {
  pool: Pool;
  databaseUrl: string;
  temporalAddress: string;
  client: Client;
  taskQueue: string;
  /** The workflow bundle the worker runs (each restart loads it). */
  workflowBundlePath: string;
  relayUrl: string;
  hubspot: HubspotSimulator;
  shopify: ShopifySimulator;
  woocommerce: WoocommerceSimulator;
  stripe: StripeSimulator;
  credentials: Credentials;
  /** The relay and the worker, by name. */
  processes: Record<'relay' | 'worker', EngineProcess>;
  restartPostgres(downMs?: number): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineProcess {
  readonly name: string;
  readonly running: boolean;
  /** Starts it and waits until it is ready (the relay answers its health check; the worker polls its task queue). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs, in-flight activities die with it. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Times it exited without being asked to (a crash). */
  readonly crashes: number;
}

export interface Credentials {
  hubspotToken: string; hubspotSecret: string; shopifyToken: string; shopifySecret: string;
  wooKey: string; wooSecret: string; wooWebhookSecret: string; stripeKey: string; stripeSecret: string;
}

export interface StackOptions {
  /** A fresh scratch folder for PostgreSQL's data and Temporal's SQLite file. */
  dir: string;
  log: StackLog;
  /** Printed lines of the relay and worker (default: only their errors). */
  verbose?: boolean;
  /** Extra settings for the relay and worker (e.g. shorter waits). */
  env?: Record<string, string>;
}

/** The process's entry point: compiled JavaScript under dist/, or the TypeScript source with our loader (tests). */
function nodeArgs(script: string): string[] {
  const root = join(__dirname, '..');
  if (extname(__filename) === '.ts') return ['-r', join(root, 'test', 'support', 'ts-register.js'), join(root, `${script}.ts`)];
  return [join(root, `${script}.js`)];
}

class ChildEngineProcess implements EngineProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private expectingExit = false;
  private readonly shown = new Set<string>();
  crashes = 0;

  constructor(
    readonly name: string, private readonly script: string, private readonly env: () => NodeJS.ProcessEnv,
    private readonly ready: () => Promise<void>, private readonly log: StackLog, private readonly verbose: boolean,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.expectingExit = false;
    const child = spawn(process.execPath, nodeArgs(this.script), { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], cwd: join(__dirname, '..') });
    this.child = child;
    const echo = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line || !(this.verbose || /"level":(50|60)|Error|error/.test(line))) continue;
        // The same failure over and over (e.g. each request) is shown once, by its message.
        const key = /"message":"([^"]*)"/.exec(line)?.[1] ?? line;
        if (!this.verbose && this.shown.has(key)) continue;
        this.shown.add(key);
        this.log(`[${this.name}] ${line.slice(0, 400)}`);
      }
    };
    child.stdout!.on('data', echo);
    child.stderr!.on('data', echo);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      if (!this.expectingExit) {
        this.crashes++;
        this.log(`${this.name} exited by itself (code ${code}, signal ${signal})`);
      }
      if (this.child === child) this.child = undefined;
      resolve();
    }));
    await this.ready();
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Bundles the workflows once, so each worker restart (20 in a run) loads the bundle instead of building it again. */
async function workflowBundle(dir: string): Promise<string> {
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, await bundleEngineWorkflows());
  return path;
}

/** Waits until a worker polls the task queue (Temporal lists its pollers). */
async function workerPolling(client: Client, taskQueue: string, since: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const described = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 }).catch(() => undefined);
    const fresh = described?.pollers?.some((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since - 1000);
    if (fresh) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no worker polled task queue ${taskQueue} within ${timeoutMs / 1000} s`);
}

export async function startReliabilityStack(opts: StackOptions): Promise<ReliabilityStack> {
  mkdirSync(opts.dir, { recursive: true });
  // PostgreSQL runs as its own system user when we are root: it must be able to reach its data folder.
  chmodSync(opts.dir, 0o755);
  const log = opts.log;
  const pgPort = await freePort();
  const pgOptions = { dataDir: join(opts.dir, 'pg'), port: pgPort, database: 'erp' };
  let pg: PostgresHandle = await startEmbeddedPostgres(pgOptions);
  const databaseUrl = pg.databaseUrl;
  const t0 = Date.now();
  const phase = (what: string) => log(`${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const pool = createPool(databaseUrl, 5);
  // Connections die with a PostgreSQL restart; the pool replaces them, the error of the dead one is only logged.
  pool.on('error', () => undefined);
  await migrate(pool);

  const temporalPort = await freePort();
  const temporalOptions = { port: temporalPort, dbFilename: join(opts.dir, 'temporal.db'), cliPath: process.env.TEMPORAL_CLI_PATH, log };
  let temporal: DevServerHandle | undefined = await startDevServer(temporalOptions);
  const temporalAddress = temporal.address;
  phase('PostgreSQL migrated, Temporal dev server up');
  const client = new Client({ connection: Connection.lazy({ address: temporalAddress, connectTimeout: '2s' }), namespace: 'default' });
  const taskQueue = 'reliability';

  const bundlePath = await workflowBundle(opts.dir);
  phase('workflows bundled');
  const relayPort = await freePort();
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const suffix = String(process.pid);
  const credentials: Credentials = {
    hubspotToken: `pat-rel-${suffix}`, hubspotSecret: `hs-rel-${suffix}`, shopifyToken: `shpat_rel_${suffix}`, shopifySecret: `shp-rel-${suffix}`,
    wooKey: `ck_rel_${suffix}`, wooSecret: `cs_rel_${suffix}`, wooWebhookSecret: `wc-rel-${suffix}`, stripeKey: `sk_test_rel_${suffix}`, stripeSecret: `whsec_rel_${suffix}`,
  };
  const webhookRetry = { maxAttempts: 60, baseDelayMs: 250, maxDelayMs: 3_000, timeoutMs: 5_000 };
  const sim = { host: '127.0.0.1', port: 0, logger: false as const, webhookRetry };
  const hubspot = await startHubspotSimulator({ ...sim, accessToken: credentials.hubspotToken, clientSecret: credentials.hubspotSecret, webhookTargetUrl: `${relayUrl}/webhooks/hubspot` });
  const shopify = await startShopifySimulator({ ...sim, accessToken: credentials.shopifyToken, webhookSecret: credentials.shopifySecret, webhookTargetUrl: `${relayUrl}/webhooks/shopify` });
  const woocommerce = await startWoocommerceSimulator({
    ...sim, consumerKey: credentials.wooKey, consumerSecret: credentials.wooSecret, webhookSecret: credentials.wooWebhookSecret, webhookTargetUrl: `${relayUrl}/webhooks/woocommerce`,
  });
  const stripe = await startStripeSimulator({ ...sim, apiKey: credentials.stripeKey, webhookSecret: credentials.stripeSecret, webhookTargetUrl: `${relayUrl}/webhooks/stripe` });

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME,
    LOG_LEVEL: opts.verbose ? 'info' : 'warn',
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue,
    SHOPS: 'shopify,woocommerce', CRM: 'hubspot', PAYMENTS: 'stripe',
    RELAY_HOST: '127.0.0.1', RELAY_PORT: String(relayPort), RELAY_PUBLIC_URL: relayUrl, DISPATCH_POLL_MS: '200',
    HUBSPOT_BASE_URL: hubspot.url, HUBSPOT_ACCESS_TOKEN: credentials.hubspotToken, HUBSPOT_CLIENT_SECRET: credentials.hubspotSecret,
    SHOPIFY_BASE_URL: shopify.url, SHOPIFY_ACCESS_TOKEN: credentials.shopifyToken, SHOPIFY_WEBHOOK_SECRET: credentials.shopifySecret,
    WOOCOMMERCE_BASE_URL: woocommerce.url, WOOCOMMERCE_CONSUMER_KEY: credentials.wooKey, WOOCOMMERCE_CONSUMER_SECRET: credentials.wooSecret,
    WOOCOMMERCE_WEBHOOK_SECRET: credentials.wooWebhookSecret,
    STRIPE_BASE_URL: stripe.url, STRIPE_API_KEY: credentials.stripeKey, STRIPE_WEBHOOK_SECRET: credentials.stripeSecret,
    // Payments wait briefly for their order and poll often; the catch-up lists missed orders every 30 s.
    PAYMENT_ORDER_POLL_SECONDS: '1', PAYMENT_ORDER_WAIT_SECONDS: '600', ORDER_CATCHUP_INTERVAL_SECONDS: '30',
    INVENTORY_SYNC: 'true', WORKER_METRICS_PORT: '0', TEMPORAL_SDK_METRICS_PORT: '0', WORKFLOW_BUNDLE_PATH: bundlePath,
    ...opts.env,
  });
  const verbose = opts.verbose ?? false;
  const relay = new ChildEngineProcess('relay', 'relay/main', env, () => waitForHttp('relay', `${relayUrl}/health`, 120_000), log, verbose);
  let workerStartedAt = 0;
  const worker = new ChildEngineProcess('worker', 'workers/main', () => {
    workerStartedAt = Date.now();
    return env();
  }, () => workerPolling(client, taskQueue, workerStartedAt), log, verbose);
  await relay.start();
  phase('relay up');
  await worker.start();
  phase('worker polling');
  log(`stack ready: PostgreSQL :${pgPort}, Temporal ${temporalAddress}, relay ${relayUrl}`);

  return {
    pool, databaseUrl, temporalAddress, client, taskQueue, workflowBundlePath: bundlePath, relayUrl, hubspot, shopify, woocommerce, stripe, credentials,
    processes: { relay, worker },
    async restartPostgres(downMs = 0) {
      await pg.stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      pg = await startEmbeddedPostgres(pgOptions);
    },
    async stopTemporal() {
      await temporal?.stop();
      temporal = undefined;
    },
    async startTemporal() {
      if (!temporal) temporal = await startDevServer(temporalOptions);
    },
    async close() {
      await worker.stop().catch(() => undefined);
      await relay.stop().catch(() => undefined);
      for (const s of [hubspot, shopify, woocommerce, stripe]) await s.close().catch(() => undefined);
      await client.connection.close().catch(() => undefined);
      await temporal?.stop().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await pg.stop().catch(() => undefined);
    },
  };
}
