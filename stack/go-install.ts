import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Tools we build from source with Go, once per machine, into ~/.cache/integration-engine/<tool>/: the Temporal CLI
 * (dev server), stripe-mock and our compose checker. A build goes into a scratch folder and is renamed into place,
 * so an interrupted or concurrent build never leaves a half-written binary behind.
 */

export interface GoTool {
  /** Human name for progress lines, e.g. "the Temporal CLI". */
  label: string;
  /** The file `go install` produces. */
  binary: string;
  /** Folder the binary is cached in (see toolCacheDir). */
  cacheDir: string;
  /** A published module (`go install module@version`) or a local main package, built with its committed go.sum. */
  source: { module: string; version: string } | { localDir: string };
  /** What to expect, shown before the build starts, e.g. "about 3.5 minutes". */
  expectedTime: string;
}

export function toolCacheDir(...parts: string[]): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'integration-engine', ...parts);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Go on PATH, else where the official tarball installs it. */
export function findGo(): string | undefined {
  return onPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export const cachedBinary = (tool: GoTool) => join(tool.cacheDir, tool.binary);

/** The cached binary, built first when it is missing. Fails naming the tool when there is no Go to build it with. */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void): Promise<string> {
  const target = cachedBinary(tool);
  if (isExecutable(target)) return target;
  const go = findGo();
  if (!go) throw new Error(`${tool.label} is not in ${tool.cacheDir} and Go is not installed to build it: install Go (https://go.dev/dl/) and retry`);
  await goInstall(go, tool, log);
  return target;
}

function installArgs(tool: GoTool): { args: string[]; cwd?: string; what: string; goflags: string } {
  if ('module' in tool.source) {
    const what = `${tool.source.module}@${tool.source.version}`;
    // -mod=mod: a GOFLAGS=-mod=vendor in the developer's environment must not break a remote install.
    return { args: ['install', what], what, goflags: process.env.GOFLAGS ?? '-mod=mod' };
  }
  // Our own program: built exactly from its committed go.mod and go.sum, never updating them.
  return { args: ['install', '.'], cwd: tool.source.localDir, what: tool.source.localDir, goflags: '-mod=readonly' };
}

async function goInstall(go: string, tool: GoTool, log: (line: string) => void): Promise<void> {
  const { args, cwd, what, goflags } = installArgs(tool);
  mkdirSync(tool.cacheDir, { recursive: true });
  const scratch = mkdtempSync(join(tool.cacheDir, '.build-'));
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  log(`${tool.label} not found: building ${what} with ${goVersion} into ${tool.cacheDir}.`);
  log(`This happens once per machine and takes ${tool.expectedTime} (downloading modules, then compiling).`);
  const started = Date.now();
  const child = spawn(go, args, { cwd, env: { ...process.env, GOBIN: scratch, GOFLAGS: goflags }, stdio: ['ignore', 'pipe', 'pipe'] });
  let downloads = 0;
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    downloads += (text.match(/go: downloading/g) ?? []).length;
    stderrTail = (stderrTail + text).slice(-4000);
  });
  const ticker = setInterval(() => {
    const phase = downloads > 0 ? `${downloads} modules downloaded, compiling` : 'resolving modules';
    log(`  … still building ${tool.label} (${Math.round((Date.now() - started) / 1000)} s, ${phase})`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`go install ${what} failed (exit ${code}):\n${stderrTail}`);
    renameSync(join(scratch, tool.binary), cachedBinary(tool));
  } finally {
    clearInterval(ticker);
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`${tool.label} built in ${Math.round((Date.now() - started) / 1000)} s.`);
}
