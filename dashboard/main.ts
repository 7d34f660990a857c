import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { onShutdown } from '../stack/shutdown';
import { bindingProblem } from './auth';
import { startDashboard } from './server';

/** Entry point of the monitoring dashboard process (`node dist/dashboard/main.js`; `npm start` runs it). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('dashboard', config.LOG_LEVEL);
  // Checked before anything connects: a dashboard that would expose data without a token must not half-start.
  const problem = bindingProblem(config.DASHBOARD_HOST, config.DASHBOARD_TOKEN);
  if (problem) throw new ConfigError(`start-up failed: ${problem}`);
  if (!config.DATABASE_URL) throw new ConfigError('start-up failed: DATABASE_URL is not set: point it at the ERP database (npm start sets it for its own PostgreSQL)');
  const pool = createPool(config.DATABASE_URL, 4);
  await migrate(pool);
  const dashboard = await startDashboard({
    pool, logger, host: config.DASHBOARD_HOST, port: config.DASHBOARD_PORT, token: config.DASHBOARD_TOKEN,
    refreshSeconds: config.DASHBOARD_REFRESH_SECONDS, metricsUrls: config.DASHBOARD_METRICS_URLS, ui: { baseUrl: config.TEMPORAL_UI_URL ?? null, namespace: config.TEMPORAL_NAMESPACE },
  });
  logger.info({ url: dashboard.url, token: config.DASHBOARD_TOKEN ? 'required' : 'not required (loopback)' }, 'dashboard listening');
  onShutdown(logger, async () => {
    await dashboard.close();
    await pool.end();
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
