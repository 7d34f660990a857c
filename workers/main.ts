import { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  auditSchedule, configuredConnections, flowPolicies, inventoryPolicy, inventoryResyncSchedule, loadConfig, orderCatchupSchedule, reconciliationSchedule, vendorSettings, type AppConfig,
} from '../config/env';
import { createLogger, type Logger } from '../config/logger';
import { connectTemporalClient, temporalConnectionOptions } from '../client/temporal-connection';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createWorker, workerTuning } from './create-worker';
import { listenForStockChanges, startInventorySyncs } from './inventory-sync';
import { workerMetrics } from '../observability/metrics';
import { MetricsPortInUseError, startMetricsServer, type MetricsServer } from '../observability/metrics-server';
import { installWorkerRuntime } from '../observability/runtime';
import { setupTracing } from '../observability/tracing';

/** Entry point of a worker process; run as many as load needs, they share the task queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  // Before the first connection to Temporal: the SDK's and the flows' log lines as JSON, its metrics on their port.
  const sdkMetricsAddress = config.TEMPORAL_SDK_METRICS_PORT ? `${config.WORKER_METRICS_HOST}:${config.TEMPORAL_SDK_METRICS_PORT}` : undefined;
  const sdkMetrics = installWorkerRuntime({ logger, sdkMetricsAddress });
  const tracing = setupTracing({ serviceName: 'worker', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker');
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the worker');
  const pool = createPool(config.DATABASE_URL, config.WORKER_DB_POOL_SIZE);
  await migrate(pool);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config, config.TEMPORAL_ADDRESS));
  const connections = configuredConnections(config);
  // For the reconciliation schedule and the flows its runs start.
  const client = await connectTemporalClient(config, config.TEMPORAL_ADDRESS);
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
    pool,
    connections,
    vendors: vendorSettings(config),
    defaultPhoneCountry: config.DEFAULT_PHONE_COUNTRY,
    tuning: workerTuning(config),
    client,
    paymentPolicy: flowPolicies(config).paymentPolicy,
    reconciliationSchedule: reconciliationSchedule(config, connections.payments.id),
    orderCatchupSchedule: orderCatchupSchedule(config, connections.shops.map((s) => s.id)),
    // Only with the inventory syncs it asks for a full resync.
    inventoryResyncSchedule: config.INVENTORY_SYNC ? inventoryResyncSchedule(config, connections.shops.map((s) => s.id)) : undefined,
    auditSchedule: auditSchedule(config, connections),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker running');
  const running = worker.run();
  const metrics = await startWorkerMetrics(config, logger);
  logger.info({ metrics: metrics?.url ?? 'off', sdkMetrics: sdkMetrics ?? 'off', tracing: tracing.enabled }, 'worker observability');
  const stopListening = config.INVENTORY_SYNC ? await startInventory(config, pool, client, connections.shops.map((s) => s.id), logger) : undefined;
  // The SDK's worker shuts down gracefully on SIGINT/SIGTERM by itself: run() then resolves.
  await running;
  await metrics?.close();
  await tracing.shutdown();
  await stopListening?.();
  await client.connection.close();
  await connection.close();
  await pool.end();
}

/** The worker's own metrics endpoint; a port already taken (another worker on this host) is a warning, not a stop. */
async function startWorkerMetrics(config: AppConfig, logger: Logger): Promise<MetricsServer | undefined> {
  if (!config.WORKER_METRICS_PORT) return undefined;
  try {
    return await startMetricsServer({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT, registry: workerMetrics().registry });
  } catch (err) {
    if (!(err instanceof MetricsPortInUseError)) throw err;
    logger.warn(`worker metrics not served: ${err.message}; set WORKER_METRICS_PORT to a free port (0: off)`);
    return undefined;
  }
}

/** One inventory-sync flow per shop (repeatable: every worker may ask), woken by the stock outbox's NOTIFY. */
async function startInventory(config: AppConfig, pool: Pool, client: Client, shops: string[], logger: Logger): Promise<() => Promise<void>> {
  await startInventorySyncs(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, shops, policy: inventoryPolicy(config) });
  return listenForStockChanges(pool, client, shops, (err) => logger.warn({ err }, 'stock change listener: the flows poll meanwhile'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
