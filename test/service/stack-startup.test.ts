import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { portsInUseProblem, unreachableAsRootProblem } from '../../stack/startup-problems';
import { freePort } from '../../stack/free-port';

/**
 * Start-up failures of `npm start` against real processes: a port held by another program, PostgreSQL's data
 * folder left by a crash or still in use, from another major version, or out of reach of the "postgres" user.
 * Each must end in one line naming the cause and the fix, or be repaired (a stale postmaster.pid).
 */

const scratch = mkdtempSync(join(tmpdir(), 'stack-startup-'));
// As root, PostgreSQL runs as the "postgres" user: it must be able to enter the scratch folder.
chmodSync(scratch, 0o755);
const blockers: Server[] = [];

afterAll(async () => {
  for (const server of blockers) await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

/** Holds a port the way another program would: on 127.0.0.1, and on ::1 where the machine has it. */
async function occupy(port: number): Promise<void> {
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer();
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (listening) blockers.push(server);
    else if (host === '127.0.0.1') throw new Error(`could not occupy port ${port}`);
  }
}

/** A TypeScript entry point of ours as a real node process (test/support/ts-register.js transpiles it). */
function runTs(script: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', script, ...args], { cwd: PROJECT_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output, lines: () => output.split('\n').filter(Boolean) };
}

/** stack/postgres.ts started in its own process (jest cannot load embedded-postgres): its exit code and output lines. */
async function startPostgres(dataDir: string, port: number): Promise<{ code: number | null; lines: string[] }> {
  const run = runTs('test/support/embedded-postgres-probe.ts', [dataDir, String(port)]);
  run.child.stdin.end();
  const code = await run.exited;
  return { code, lines: run.lines() };
}

/** A server that keeps running on the folder until released, as another `npm start` would. */
async function holdPostgres(dataDir: string, port: number): Promise<{ child: ChildProcess; release(): Promise<void> }> {
  const run = runTs('test/support/embedded-postgres-probe.ts', [dataDir, String(port), '--hold']);
  const deadline = Date.now() + 60_000;
  while (!run.lines().some((l) => l.startsWith('STARTED'))) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the holding server did not start:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child: run.child, release: async () => { run.child.stdin!.end(); await run.exited; } };
}

describe('npm start (stack/start.ts as a real process)', () => {
  it('stops with one line naming a busy PostgreSQL port and its setting, before it starts anything', async () => {
    const [pgPort, temporal, ui, relay, hubspot, shopify, stripe, dashboard] = await Promise.all(Array.from({ length: 8 }, () => freePort()));
    await occupy(pgPort!);
    const dataDir = join(scratch, 'npm-start');
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), TEMPORAL_DEV_PORT: String(temporal), TEMPORAL_UI_PORT: String(ui),
      RELAY_PORT: String(relay), DASHBOARD_PORT: String(dashboard), HUBSPOT_SIM_PORT: String(hubspot), SHOPIFY_SIM_PORT: String(shopify), STRIPE_SIM_PORT: String(stripe),
    };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    const run = runTs('stack/start.ts', [], env);
    run.child.stdin.end();
    const code = await run.exited;

    const failures = run.lines().filter((line) => line.includes('start-up failed'));
    const expected = portsInUseProblem([{ port: pgPort!, host: '127.0.0.1', piece: 'PostgreSQL', setting: 'EMBEDDED_PG_PORT' }]);
    expect({ code, failures }).toEqual({ code: 1, failures: [`[stack]      start-up failed: ${expected}`] });
    expect(run.output()).not.toContain('undefined');
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
  });
});

describe('embedded PostgreSQL start-up (stack/postgres.ts in its own process)', () => {
  const dataDir = join(scratch, 'pg');
  const failed = (message: string) => ({ code: 1, lines: expect.arrayContaining([`FAILED StartupProblem: ${message}`]) as unknown });

  it('turns the server\'s own refusal of a busy port into the one-line port problem', async () => {
    const port = await freePort();
    await occupy(port);
    // Straight to the server, past the port check of npm start: a port taken in between ends the same way.
    const run = await startPostgres(dataDir, port);
    expect(run).toEqual(failed(portsInUseProblem([{ port, host: '127.0.0.1', piece: 'PostgreSQL', setting: 'EMBEDDED_PG_PORT' }])!));
  });

  it('removes a postmaster.pid left behind by a crash, whether its pid is gone or now another program\'s', async () => {
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true); // initialised by the test before
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    for (const stalePid of [gone.pid!, process.pid]) {
      writeFileSync(join(dataDir, 'postmaster.pid'), `${stalePid}\n${dataDir}\n1700000000\n5433\n/tmp\nlocalhost\n  5433001    3\nready\n`);
      const run = await startPostgres(dataDir, await freePort());
      expect(run.code).toBe(0);
      expect(run.lines.slice(0, 2)).toEqual([
        `NOTICE removed ${join(dataDir, 'postmaster.pid')} left behind by PostgreSQL pid ${stalePid}, which no longer runs`,
        expect.stringMatching(/^STARTED postgres:\/\//),
      ]);
    }
  });

  it('refuses to start a second server on a folder that a running one uses, naming its pid', async () => {
    const first = await holdPostgres(dataDir, await freePort());
    try {
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const run = await startPostgres(dataDir, await freePort());
      expect(run.code).toBe(1);
      expect(run.lines.join('\n')).toMatch(new RegExp(`^FAILED StartupProblem: PostgreSQL \\(pid ${pid}\\) is still running on ${dataDir}, .*\`kill ${pid}\``, 'm'));
    } finally {
      await first.release();
    }
  });

  it('refuses a data folder of another major version, naming both and the way out, without starting a server', async () => {
    const oldDir = join(scratch, 'pg16');
    mkdirSync(oldDir);
    writeFileSync(join(oldDir, 'PG_VERSION'), '16\n');
    const run = await startPostgres(oldDir, await freePort());
    expect(run.code).toBe(1);
    expect(run.lines.join('\n')).toMatch(new RegExp(`^FAILED StartupProblem: ${oldDir} holds a PostgreSQL 16 database, but the embedded server is PostgreSQL \\d+: move`, 'm'));
    expect(existsSync(join(oldDir, 'postmaster.pid'))).toBe(false);
  });

  it('as root, names a folder the "postgres" user may not enter; as anyone else, simply starts there', async () => {
    const privateDir = join(scratch, 'private');
    mkdirSync(privateDir, { mode: 0o700 });
    chmodSync(privateDir, 0o700);
    const run = await startPostgres(join(privateDir, 'pg'), await freePort());
    if (process.getuid?.() === 0) expect(run).toEqual(failed(unreachableAsRootProblem(privateDir, 'its data folder')));
    else expect(run).toEqual({ code: 0, lines: [expect.stringMatching(/^STARTED postgres:\/\//)] });
  });
});
