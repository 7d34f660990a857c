import { configuredConnections, flowPolicies, loadConfig, webhookSecrets } from '../config/env';
import { createLogger } from '../config/logger';
import { lazyTemporalClient } from '../client/temporal-connection';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { onShutdown } from '../stack/shutdown';
import { startRelay } from './relay';
import { setupTracing } from '../observability/tracing';

/** Entry point of the webhook relay process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('relay', config.LOG_LEVEL);
  // Before the Temporal client exists, so that its hand-overs are traced too (off unless OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = setupTracing({ serviceName: 'relay', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the relay');
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the relay');
  const { all: connections } = configuredConnections(config);
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  const relay = await startRelay({
    pool,
    client: lazyTemporalClient(config, config.TEMPORAL_ADDRESS),
    logger,
    host: config.RELAY_HOST,
    port: config.RELAY_PORT,
    bodyLimitBytes: config.RELAY_BODY_LIMIT_BYTES,
    publicUrl: config.RELAY_PUBLIC_URL,
    connections,
    secrets: webhookSecrets(config, connections),
    routes: { taskQueue: config.TEMPORAL_TASK_QUEUE, ...flowPolicies(config) },
    pollMs: config.DISPATCH_POLL_MS,
    dispatch: { maxFailures: config.INBOX_MAX_ATTEMPTS, concurrency: config.DISPATCH_CONCURRENCY },
    retentionDays: config.INBOX_RETENTION_DAYS,
  });
  logger.info({ url: relay.url, metrics: `${relay.url}/metrics`, tracing: tracing.enabled }, 'relay listening');
  onShutdown(logger, async () => {
    await relay.close();
    await pool.end();
    await tracing.shutdown();
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
