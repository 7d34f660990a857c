import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES, cliTypeName } from '../domain/search-attributes';
import { StartupProblem, diagnoseTemporalOutput, type PortClaim } from './startup-problems';
import { findTemporalCli } from './temporal-cli';

/**
 * A local Temporal dev server (`temporal server start-dev`) with our search attributes and the Web UI. With a CLI
 * binary we run and stop the process ourselves (stop waits for it to exit, so a restart on the same SQLite file
 * works at once); without one, the SDK downloads and runs its own.
 */

export interface DevServerHandle {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  cli: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  dbFilename?: string;
  namespace?: string;
  cliPath?: string;
  log: (line: string) => void;
}

const READY_TIMEOUT_MS = 60_000;

export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const found = await findTemporalCli({ explicitPath: opts.cliPath, log: opts.log });
  if (found) return startCli(found.path, opts);
  opts.log('No Temporal CLI and no Go toolchain here: asking the Temporal SDK to download its dev server.');
  return startSdkDownload(opts);
}

function cliArgs(opts: DevServerOptions, namespace: string): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', namespace, '--log-format', 'json', '--log-level', 'warn'];
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${cliTypeName(key)}`);
  return args;
}

async function startCli(path: string, opts: DevServerOptions): Promise<DevServerHandle> {
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  // A previous server on the same SQLite file may still be exiting (SQLITE_BUSY): give it a few seconds.
  for (let attempt = 1; ; attempt++) {
    const child = spawn(path, cliArgs(opts, namespace), { stdio: ['ignore', 'pipe', 'pipe'] });
    // The first lines say why a start failed (a Go panic follows them): keep the head and the tail.
    let head = '';
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      if (head.length < 4000) head += text.slice(0, 4000 - head.length);
      tail = (tail + text).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await waitUntilReady(address, namespace, exited);
    if (ready) {
      return { address, namespace, uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined, cli: path, stop: () => stopChild(child, exited) };
    }
    await stopChild(child, exited);
    const output = head.length < 4000 ? head : `${head}\n…\n${tail}`;
    // A previous server still releasing its SQLite file, or one of its other ports taken by a race: retry.
    if (/database is locked|SQLITE_BUSY|address already in use|bind/i.test(output) && attempt < 10) {
      opts.log(`Temporal dev server could not start yet (attempt ${attempt}): ${output.split('\n')[0]}; retrying…`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    const problem = diagnoseTemporalOutput(output, ownPorts(opts));
    if (problem) throw new StartupProblem(problem);
    throw new Error(`Temporal dev server (${path}) did not start on ${address}:\n${output.trim()}`);
  }
}

function ownPorts(opts: DevServerOptions): PortClaim[] {
  const claims: PortClaim[] = [{ port: opts.port, host: '127.0.0.1', piece: 'Temporal', setting: 'TEMPORAL_DEV_PORT' }];
  if (opts.uiPort !== undefined) claims.push({ port: opts.uiPort, host: '127.0.0.1', piece: 'Temporal UI', setting: 'TEMPORAL_UI_PORT' });
  return claims;
}

/** True once the namespace answers; false if the process exits or the deadline passes first. */
async function waitUntilReady(address: string, namespace: string, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!gone && Date.now() < deadline) {
    const connection = await Connection.connect({ address, connectTimeout: '1s' }).catch(() => undefined);
    if (connection) {
      const ok = await connection.workflowService.describeNamespace({ namespace }).then(() => true, () => false);
      await connection.close();
      if (ok) return true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

async function startSdkDownload(opts: DevServerOptions): Promise<DevServerHandle> {
  const namespace = opts.namespace ?? 'default';
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: opts.port,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFilename,
        namespace,
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        log: { format: 'json', level: 'warn' },
      },
    });
    return { address: env.address, namespace, uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined, cli: 'sdk-download', stop: () => env.teardown() };
  } catch (err) {
    throw new Error(
      `Could not start a Temporal dev server through the SDK download: ${(err as Error).message}\n` +
        'Set TEMPORAL_CLI_PATH to a Temporal CLI binary, install Go so that one can be built, or set TEMPORAL_ADDRESS to an existing server.',
    );
  }
}
