import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Finds a Temporal CLI to run the dev server, in this order: TEMPORAL_CLI_PATH; `temporal` on PATH; a binary
 * cached by an earlier run; a build with `go install` into that cache; else undefined, so that the caller falls
 * back to the SDK's own download (machines with internet).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export function cliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'integration-engine', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export type CliSource = 'env' | 'path' | 'cache' | 'go-build';

export async function findTemporalCli(opts: { explicitPath?: string; log: (line: string) => void }): Promise<{ path: string; source: CliSource } | undefined> {
  if (opts.explicitPath) {
    if (!isExecutable(opts.explicitPath)) throw new Error(`TEMPORAL_CLI_PATH=${opts.explicitPath} is not an executable file`);
    return { path: opts.explicitPath, source: 'env' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = join(cliCacheDir(), 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  const go = onPath('go');
  if (!go) return undefined;
  await goInstall(go, cliCacheDir(), opts.log);
  if (!isExecutable(cached)) throw new Error(`go install finished but ${cached} is missing`);
  return { path: cached, source: 'go-build' };
}

async function goInstall(go: string, targetDir: string, log: (line: string) => void): Promise<void> {
  mkdirSync(targetDir, { recursive: true });
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  log(`Temporal CLI not found: building ${MODULE}@${TEMPORAL_CLI_VERSION} with ${goVersion} into ${targetDir}.`);
  log('This happens once per machine and takes a few minutes (downloading modules, then compiling).');
  const started = Date.now();
  const child = spawn(go, ['install', `${MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: targetDir, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let downloads = 0;
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    downloads += (text.match(/go: downloading/g) ?? []).length;
    stderrTail = (stderrTail + text).slice(-4000);
  });
  const ticker = setInterval(() => {
    const phase = downloads > 0 ? `${downloads} modules downloaded, compiling` : 'resolving modules';
    log(`  … still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s, ${phase})`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`go install ${MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${code}):\n${stderrTail}`);
  } finally {
    clearInterval(ticker);
  }
  log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s.`);
}
