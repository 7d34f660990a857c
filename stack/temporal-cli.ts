import { cachedBinary, ensureGoTool, findGo, isExecutable, onPath, toolCacheDir, type GoTool } from './go-install';

/**
 * Finds a Temporal CLI to run the dev server, in this order: TEMPORAL_CLI_PATH; `temporal` on PATH; a binary
 * cached by an earlier run; a build with `go install` into that cache; else undefined, so that the caller falls
 * back to the SDK's own download (machines with internet).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export const TEMPORAL_CLI: GoTool = {
  label: 'the Temporal CLI',
  binary: 'temporal',
  cacheDir: toolCacheDir('temporal-cli', TEMPORAL_CLI_VERSION),
  source: { module: 'github.com/temporalio/cli/cmd/temporal', version: TEMPORAL_CLI_VERSION },
  expectedTime: 'a few minutes (about 3.5 on 2 cores)',
};

export function cliCacheDir(): string {
  return TEMPORAL_CLI.cacheDir;
}

export type CliSource = 'env' | 'path' | 'cache' | 'go-build';

export async function findTemporalCli(opts: { explicitPath?: string; log: (line: string) => void }): Promise<{ path: string; source: CliSource } | undefined> {
  if (opts.explicitPath) {
    if (!isExecutable(opts.explicitPath)) throw new Error(`TEMPORAL_CLI_PATH=${opts.explicitPath} is not an executable file`);
    return { path: opts.explicitPath, source: 'env' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = cachedBinary(TEMPORAL_CLI);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  if (!findGo()) return undefined;
  return { path: await ensureGoTool(TEMPORAL_CLI, opts.log), source: 'go-build' };
}
