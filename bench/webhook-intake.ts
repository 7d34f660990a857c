import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../stack/free-port';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startEmbeddedPostgres } from '../stack/postgres';
import type { LoadOrder, LoadResult } from './intake-load';
import { NAIVE_TABLE, type IntakeServerKind, type ServerMessage, type ServerOrder } from './intake-server';

/**
 * Webhook intake: signed HubSpot deliveries accepted durably per second, and the acknowledgement latency, for the
 * relay and, in the same run on the same PostgreSQL, two baselines: (a) a bare node:http server doing the same
 * signature check and one plain INSERT per request, (b) the same server without the INSERT; and (c) the bare server
 * with the relay's group commit into (a)'s table, the least any server storing each delivery before its 2xx costs
 * here. Each server and the load generator (autocannon) are processes of their own; every server gets a warm-up,
 * then the measured load.
 *   npm run bench -- webhook-intake [requests=60000] [connections=32] [rounds=1] [relayPool=10] [baselinePool=32] [relayFlushes]
 * INTAKE_CPU_PROFILE=<folder> makes each server write a V8 CPU profile there; INTAKE_SERVERS=relay measures only the
 * servers named (a comma list), for trying settings.
 * Uses DATABASE_URL if set, else an embedded PostgreSQL in a temporary folder (synchronous_commit stays on).
 */

const SECRET = 'bench-intake-secret';
const ALL_KINDS: readonly IntakeServerKind[] = ['relay', 'insert', 'grouped', 'bare'];
// INTAKE_SERVERS=relay (or a comma list) measures only those: for trying the relay's settings; no ratios then.
const KINDS: readonly IntakeServerKind[] = process.env.INTAKE_SERVERS
  ? ALL_KINDS.filter((k) => process.env.INTAKE_SERVERS!.split(',').includes(k))
  : ALL_KINDS;

interface Measured extends LoadResult {
  server: IntakeServerKind;
  stored: number | null;
  serverCpuSeconds: number;
  /** Server CPU time per accepted request. */
  serverCpuMicrosPerRequest: number;
  /** PostgreSQL's CPU time (every process of the cluster) per accepted request; null when it runs elsewhere. */
  postgresCpuMicrosPerRequest: number | null;
  /** The load generator's CPU time per accepted request. */
  loadCpuMicrosPerRequest: number;
  /** The relay's group commit during the measured load: statements, and deliveries per statement. */
  flushes?: number;
  deliveriesPerFlush?: number;
}

function positive(index: number, name: string, fallback: number): number {
  const raw = process.argv[index];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return n;
}

function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what}: the process exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(order: LoadOrder): Promise<LoadResult> {
  const child = fork(join(__dirname, 'intake-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const result = nextMessage<LoadResult>(child, 'load generator');
    child.send(order);
    return await result;
  } finally {
    await stop(child);
  }
}

async function rowsOf(pool: Pool, kind: IntakeServerKind): Promise<number | null> {
  if (kind === 'bare') return null;
  const table = kind === 'relay' ? 'integration.webhook_inbox' : 'public.bench_naive_intake'; // (a) and (c)
  return (await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
}

/** Clock ticks of a process as /proc/<pid>/stat has them: its own user and system time, and its reaped children's. */
function ticksOf(pid: number): { own: number; children: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return { own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;
  }
}

const parentOf = (pid: number): number | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
};

/**
 * CPU seconds used so far by the whole PostgreSQL cluster when it runs on this machine: the postmaster (found as a
 * backend's parent), its live children, and the children it has reaped. Null when PostgreSQL is not local.
 */
async function postgresCpuSeconds(pool: Pool): Promise<number | null> {
  const backend = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const postmaster = parentOf(backend);
  const root = postmaster === null ? null : ticksOf(postmaster);
  if (postmaster === null || root === null) return null;
  let ticks = root.own + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || parentOf(Number(entry)) !== postmaster) continue;
    ticks += ticksOf(Number(entry))?.own ?? 0;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

async function measure(pool: Pool, databaseUrl: string, kind: IntakeServerKind, opts: { requests: number; connections: number; poolSize: number; firstEventId: number; relayFlushes?: number }): Promise<Measured> {
  // Each server starts from empty tables and a fresh checkpoint, so none pays for another's writes.
  await pool.query('TRUNCATE integration.webhook_inbox, public.bench_naive_intake');
  await pool.query('CHECKPOINT');
  // INTAKE_CPU_PROFILE=<folder>: each server writes a V8 CPU profile there (open it in Chrome DevTools).
  const profile = process.env.INTAKE_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.INTAKE_CPU_PROFILE}`, `--cpu-prof-name=${kind}.cpuprofile`] : [];
  const server = fork(join(__dirname, 'intake-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profile });
  try {
    const publicUrl = 'http://127.0.0.1:8080';
    const started = nextMessage<ServerMessage>(server, `${kind} server`);
    server.send({ kind, databaseUrl, secret: SECRET, publicUrl, poolSize: opts.poolSize, relayFlushes: opts.relayFlushes } satisfies ServerOrder);
    const { port } = (await started) as { port: number };
    const base = { url: `http://127.0.0.1:${port}/webhooks/hubspot`, signedUri: `${publicUrl}/webhooks/hubspot`, secret: SECRET, connections: opts.connections };
    const warmUp = Math.max(opts.connections, Math.round(opts.requests / 20));
    const warm = await load({ ...base, amount: warmUp, firstEventId: opts.firstEventId });
    if (warm.ok2xx !== warmUp) throw new Error(`${kind}: the warm-up got ${warm.non2xx} non-2xx answers and ${warm.errors} errors`);
    const usage = async () => {
      const answer = nextMessage<ServerMessage>(server, `${kind} server`);
      server.send('usage');
      return (await answer) as Extract<ServerMessage, { cpuSeconds: number }>;
    };
    const before = await usage();
    const pgBefore = await postgresCpuSeconds(pool);
    const result = await load({ ...base, amount: opts.requests, firstEventId: opts.firstEventId + 10_000_000 });
    const pgAfter = await postgresCpuSeconds(pool);
    const after = await usage();
    const serverCpuSeconds = after.cpuSeconds - before.cpuSeconds;
    const stored = await rowsOf(pool, kind);
    const flushes = after.inbox && before.inbox ? after.inbox.flushes - before.inbox.flushes : undefined;
    const deliveries = after.inbox && before.inbox ? after.inbox.deliveries - before.inbox.deliveries : undefined;
    return {
      server: kind, ...result, stored: stored === null ? null : stored - warmUp,
      serverCpuSeconds: Math.round(serverCpuSeconds * 100) / 100, serverCpuMicrosPerRequest: perRequest(serverCpuSeconds, result.ok2xx),
      postgresCpuMicrosPerRequest: pgBefore === null || pgAfter === null ? null : perRequest(pgAfter - pgBefore, result.ok2xx),
      loadCpuMicrosPerRequest: perRequest(result.cpuSeconds, result.ok2xx),
      ...(flushes ? { flushes, deliveriesPerFlush: Math.round(((deliveries ?? 0) / flushes) * 10) / 10 } : {}),
    };
  } finally {
    await stop(server);
  }
}

const perRequest = (cpuSeconds: number, requests: number) => Math.round((cpuSeconds * 1e6) / Math.max(1, requests));
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const requests = positive(2, 'requests', 60_000);
  const connections = positive(3, 'connections', 32);
  const rounds = positive(4, 'rounds', 1);
  const relayPool = positive(5, 'relayPool', 10);
  const baselinePool = positive(6, 'baselinePool', 32);
  const relayFlushes = process.argv[7] === undefined ? undefined : positive(7, 'relayFlushes', 1);
  if (connections > requests) throw new Error('connections cannot be more than requests');
  let databaseUrl = process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-intake-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), database: 'bench_intake' });
    databaseUrl = pg.databaseUrl;
    stopPg = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const pool = createPool(databaseUrl, 2);
  try {
    await migrate(pool);
    await pool.query(NAIVE_TABLE);
    const settings = (await pool.query(`SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay')`)).rows;
    const runs: Measured[][] = [];
    for (let round = 0; round < rounds; round++) {
      const measured: Measured[] = [];
      for (const [i, kind] of KINDS.entries()) {
        const firstEventId = 1 + (round * KINDS.length + i) * 100_000_000;
        measured.push(await measure(pool, databaseUrl, kind, { requests, connections, poolSize: kind === 'insert' ? baselinePool : relayPool, firstEventId, relayFlushes }));
      }
      runs.push(measured);
      console.error(`round ${round + 1}: ${measured.map((m) => `${m.server} ${m.acceptedPerSecond}/s (server ${m.serverCpuMicrosPerRequest} µs, PostgreSQL ${m.postgresCpuMicrosPerRequest ?? '-'} µs per request)`).join(', ')}`);
    }
    const per = (kind: IntakeServerKind) => runs.map((r) => r.find((m) => m.server === kind)!);
    console.log(JSON.stringify({
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() },
      postgres: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
      load: { requests, connections, rounds, relayPool, baselinePool, relayFlushes: relayFlushes ?? 'default', generator: 'autocannon 8 in its own process, pipelining 1, every delivery signed beforehand, distinct event ids' },
      runs,
      ratios: KINDS.length < ALL_KINDS.length ? [] : runs.map((r) => {
        const rate = (kind: IntakeServerKind) => r.find((m) => m.server === kind)!.acceptedPerSecond;
        return {
          relayOverInsert: ratio(rate('relay'), rate('insert')), relayOverBare: ratio(rate('relay'), rate('bare')),
          // What durability costs here at best, and what the relay costs beyond that.
          groupedOverBare: ratio(rate('grouped'), rate('bare')), relayOverGrouped: ratio(rate('relay'), rate('grouped')),
        };
      }),
      medianPerSecond: Object.fromEntries(KINDS.map((k) => [k, median(per(k).map((m) => m.acceptedPerSecond))])),
    }, null, 2));
    const lost = runs.flat().filter((m) => m.non2xx > 0 || m.errors > 0 || (m.stored !== null && m.stored !== m.ok2xx));
    if (lost.length > 0) throw new Error(`not every request was accepted and stored exactly once: ${lost.map((m) => `${m.server} non2xx=${m.non2xx} errors=${m.errors} stored=${m.stored}/${m.ok2xx}`).join('; ')}`);
  } finally {
    await pool.end();
    await stopPg?.();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
