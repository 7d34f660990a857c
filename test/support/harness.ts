import { randomBytes, randomInt } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createLogger } from '../../config/logger';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { startRelay, type RelayOptions } from '../../relay/relay';
import { startHubspotSimulator, type HubspotSimulator } from '../../connectors/hubspot/simulator/server';
import { startShopifySimulator, type ShopifySimulator } from '../../connectors/shopify/simulator/server';
import { startStripeSimulator, type StripeSimulator } from '../../connectors/stripe/simulator/server';
import { startWoocommerceSimulator, type WoocommerceSimulator } from '../../connectors/woocommerce/simulator/server';
import type { ActivityFaults } from '../../workers/activity-faults';
import { dropDatabase, ensureDatabase } from '../../db/admin';
import { replayEveryHistory } from './replay-check';
import { createWorker, type WorkerConnections } from '../../workers/create-worker';
import type { LeadPolicy } from '../../domain/lead';
import type { OrderPolicy } from '../../workflows/order/api';
import type { PaymentPolicy } from '../../workflows/payment/api';
import { DEFAULT_RECONCILIATION_POLICY } from '../../workflows/reconciliation/api';

/**
 * One isolated engine per test file, on the shared PostgreSQL server and Temporal dev server: its own database,
 * its own task queue, a real relay, a real HubSpot simulator and a real worker, all talking over HTTP and gRPC.
 */

export interface Harness {
  pool: Pool;
  databaseUrl: string;
  client: Client;
  taskQueue: string;
  /**
   * Base for ids a test makes up itself (contacts, orders no simulator holds). Every test file shares one Temporal
   * server, and a flow left running by one file under a fixed id would take another file's events: add to this.
   */
  idBase: number;
  hubspot: HubspotSimulator;
  shopify: ShopifySimulator;
  woocommerce: WoocommerceSimulator;
  /** The WooCommerce simulator's consumer key and secret. */
  woo: { consumerKey: string; consumerSecret: string };
  stripe: StripeSimulator;
  /** Failure tests: activity name -> how many of its next calls fail (see workers/activity-faults.ts). */
  activityFaults: ActivityFaults;
  relay: Awaited<ReturnType<typeof startRelay>>;
  secrets: { hubspot: string; shopify: string; woocommerce: string; stripe: string };
  accessToken: string;
  shopifyToken: string;
  stripeKey: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Every test engine serves both shops at once, beside Stripe and HubSpot, each under its vendor's name. */
export const CONNECTIONS: WorkerConnections = {
  shops: [{ id: 'shopify', role: 'shop', vendor: 'shopify' }, { id: 'woocommerce', role: 'shop', vendor: 'woocommerce' }],
  payments: { id: 'stripe', role: 'payments', vendor: 'stripe' },
  crm: { id: 'hubspot', role: 'crm', vendor: 'hubspot' },
};

/** Payment flows in tests: a short wait for a late order, quick polls. */
export const TEST_PAYMENT_POLICY: PaymentPolicy = { orderWaitSeconds: 60, orderPollSeconds: 1, idleSeconds: 600, matchWindowSeconds: 3600 };

export interface HarnessOptions {
  temporalAddress?: string;
  leadPolicy?: LeadPolicy;
  orderPolicy?: OrderPolicy;
  /** Start without a worker (tests that control it). */
  withoutWorker?: boolean;
  paymentPolicy?: PaymentPolicy;
  /** Create the engine's own reconciliation schedule (id `reconciliation-<task queue>`, hourly: tests trigger it). */
  reconciliationSchedule?: boolean;
  /** Relay settings other than the defaults (dispatcher tuning, retention). */
  relay?: Pick<RelayOptions, 'dispatch' | 'retentionDays' | 'pruneEveryMs'>;
}

// Activity retries are expected in these tests: keep the worker's own log to errors unless asked. Installed on
// import, before anything (such as a dev server started by a test) creates the SDK's runtime.
// TEST_TEMPORAL_SDK_METRICS_ADDRESS (host:port), set by a test before it loads this file: the SDK's Prometheus endpoint.
const sdkMetricsAddress = process.env.TEST_TEMPORAL_SDK_METRICS_ADDRESS;
Runtime.install({
  logger: new DefaultLogger((process.env.TEST_WORKER_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR'),
  ...(sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } } : {}),
});

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run integration tests through jest (global setup)');
  return url;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const suffix = randomBytes(4).toString('hex');
  const database = `engine_test_${suffix}`;
  await ensureDatabase(adminUrl(), database);
  const databaseUrl = adminUrl().replace(/\/[^/]*$/, `/${database}`);
  const pool = createPool(databaseUrl, 20);
  await migrate(pool);

  const address = opts.temporalAddress ?? process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `test-${suffix}`;
  // Below the simulators' ids (which start at Date.now()), room for 100 000 ids per file.
  const idBase = 900_000_000 + randomInt(0, 10_000) * 100_000;
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const secrets = { hubspot: `hs-${suffix}`, shopify: `shp-${suffix}`, woocommerce: `wc-${suffix}`, stripe: `whsec_${suffix}` };
  const accessToken = `token-${suffix}`;
  // As in production (client/temporal-connection.ts): hand-overs carry the trace into the workflow when tracing is on.
  const client = new Client({
    connection: Connection.lazy({ address, connectTimeout: '2s' }), namespace: 'default', interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });

  const relay = await startRelay({
    pool, client, logger, host: '127.0.0.1', port: 0, bodyLimitBytes: 64 * 1024,
    connections: [...CONNECTIONS.shops, CONNECTIONS.payments, CONNECTIONS.crm],
    secrets,
    routes: {
      taskQueue,
      leadPolicy: opts.leadPolicy ?? { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US' },
      orderPolicy: opts.orderPolicy ?? { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true },
      paymentPolicy: opts.paymentPolicy ?? TEST_PAYMENT_POLICY,
    },
    pollMs: 200,
    ...opts.relay,
  });
  const hubspot = await startHubspotSimulator({
    port: 0, host: '127.0.0.1', accessToken, clientSecret: secrets.hubspot,
    webhookTargetUrl: `${relay.url}/webhooks/hubspot`, logger: false,
  });

  const shopifyToken = `shpat_${suffix}`;
  const stripeKey = `sk_test_${suffix}`;
  const fastRetries = { baseDelayMs: 50, maxDelayMs: 500 };
  const shopify = await startShopifySimulator({
    port: 0, host: '127.0.0.1', accessToken: shopifyToken, webhookSecret: secrets.shopify,
    webhookTargetUrl: `${relay.url}/webhooks/shopify`, logger: false, webhookRetry: fastRetries,
  });
  const woo = { consumerKey: `ck_${suffix}`, consumerSecret: `cs_${suffix}` };
  const woocommerce = await startWoocommerceSimulator({
    port: 0, host: '127.0.0.1', ...woo, webhookSecret: secrets.woocommerce,
    webhookTargetUrl: `${relay.url}/webhooks/woocommerce`, logger: false, webhookRetry: fastRetries,
  });
  const stripe = await startStripeSimulator({
    port: 0, host: '127.0.0.1', apiKey: stripeKey, webhookSecret: secrets.stripe,
    webhookTargetUrl: `${relay.url}/webhooks/stripe`, logger: false, webhookRetry: fastRetries,
  });
  const activityFaults: ActivityFaults = new Map();

  let worker: { instance: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  let workerStarted = false;
  const harness: Harness = {
    pool, databaseUrl, client, taskQueue, idBase, hubspot, shopify, woocommerce, woo, stripe, activityFaults, relay, secrets, accessToken, shopifyToken, stripeKey,
    async startWorker() {
      if (worker) return;
      workerStarted = true;
      const connection = await NativeConnection.connect({ address });
      const instance = await createWorker({
        connection, namespace: 'default', taskQueue, pool,
        connections: CONNECTIONS,
        vendors: {
          hubspot: { baseUrl: hubspot.url, accessToken, erpIdProperty: 'erp_customer_number' },
          shopify: { baseUrl: shopify.url, accessToken: shopifyToken, apiVersion: '2026-10' },
          woocommerce: { baseUrl: woocommerce.url, ...woo },
          stripe: { baseUrl: stripe.url, apiKey: stripeKey },
        },
        defaultPhoneCountry: 'US', activityFaults,
        workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
        client, paymentPolicy: opts.paymentPolicy ?? TEST_PAYMENT_POLICY,
        ...(opts.reconciliationSchedule ? {
          reconciliationSchedule: {
            scheduleId: `reconciliation-${taskQueue}`, taskQueue, payments: CONNECTIONS.payments.id, intervalSeconds: 3600, overlap: 'skip' as const,
            catchupWindowSeconds: 60, policy: { ...DEFAULT_RECONCILIATION_POLICY, settleSeconds: 0 },
          },
        } : {}),
      });
      worker = { instance, connection, running: instance.run() };
    },
    async stopWorker() {
      if (!worker) return;
      const current = worker;
      worker = undefined;
      current.instance.shutdown();
      await current.running;
      await current.connection.close();
    },
    async close() {
      try {
        if (workerStarted && !opts.temporalAddress) await replayEveryHistory(client, taskQueue);
      } finally {
        await shutDown();
      }
    },
  };
  /** Closes everything the harness started, the test database last. */
  async function shutDown(): Promise<void> {
    if (opts.reconciliationSchedule) await client.schedule.getHandle(`reconciliation-${taskQueue}`).delete().catch(() => undefined);
    await hubspot.close();
    await shopify.close();
    await woocommerce.close();
    await stripe.close();
    await relay.close();
    await harness.stopWorker();
    await client.connection.close().catch(() => undefined);
    await pool.end();
    await dropDatabase(adminUrl(), database).catch(() => undefined);
  }
  if (!opts.withoutWorker) await harness.startWorker();
  return harness;
}

/** Polls until `probe` returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
