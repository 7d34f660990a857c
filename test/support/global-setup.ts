import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleEngineWorkflows } from '../../observability/workflow-bundle';
import { startEmbeddedPostgres } from '../../stack/postgres';
import { startDevServer } from '../../stack/temporal-server';
import { freePort } from '../../stack/free-port';

/**
 * Starts what the integration tests share: one real PostgreSQL (DATABASE_URL if given, else embedded) and one
 * Temporal dev server (TEMPORAL_ADDRESS if given), and bundles the workflows once for every test worker.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'engine-test-'));
  // PostgreSQL runs as its own system user when we are root: it must be able to reach its data folder.
  chmodSync(scratch, 0o755);
  const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  const stops: Array<() => Promise<void>> = [];

  if (!process.env.TEST_PG_ADMIN_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_PG_ADMIN_URL = process.env.DATABASE_URL;
    } else {
      const pg = await startEmbeddedPostgres({ dataDir: join(scratch, 'pg'), port: await freePort(), database: 'postgres' });
      stops.push(pg.stop);
      process.env.TEST_PG_ADMIN_URL = pg.databaseUrl;
    }
  }

  if (!process.env.TEMPORAL_ADDRESS) {
    const server = await startDevServer({ port: await freePort(), cliPath: process.env.TEMPORAL_CLI_PATH, log });
    stops.push(server.stop);
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEST_TEMPORAL_CLI = server.cli;
  }

  // With the interceptor and preload modules a worker bundles itself (workers/create-worker.ts).
  const bundlePath = join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, await bundleEngineWorkflows());
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_SCRATCH_DIR = scratch;

  (globalThis as { __engineTestStops?: typeof stops }).__engineTestStops = stops;
  log(`PostgreSQL, Temporal and workflow bundle ready in ${Date.now() - started} ms`);
}

