import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { reportTable } from './report';
import { runScenario, startSeededStack, type ScenarioResult } from './runner';
import type { ReliabilityStack } from './stack';
import { parseArgs } from './args';
import { SCENARIOS } from './scenarios';
import { installReplayOnlyRuntime } from '../client/history-replay';

/**
 * `npm run reliability -- <scenario[,scenario…]|all> [--scale tiny|short|full] [--shared-stack] [--json <file>]`: runs
 * each scenario on a fresh stack of real processes (or all on one with --shared-stack), prints the report table and
 * writes it as JSON (default .data/reliability/<date>.json). Exits 1 when a scenario fails.
 */

const activeStack: { current?: ReliabilityStack } = {};

async function main(): Promise<void> {
  // This process runs no worker (the stack's are processes of their own); it replays histories for an invariant.
  installReplayOnlyRuntime();
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    process.exit(2);
  }
  const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const results: ScenarioResult[] = [];
  // One stack for every scenario (quicker, as in `npm test`), or a fresh one each (the recorded runs).
  const dir = args.sharedStack ? mkdtempSync(join(tmpdir(), 'reliability-')) : undefined;
  const stack = dir ? await startSeededStack(dir, log) : undefined;
  // Ctrl-C or a test's timeout: stop the stack's processes (PostgreSQL, Temporal, relay, worker) rather than orphan them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void (stack ?? activeStack.current)?.close().finally(() => process.exit(130)));
  }
  try {
    for (const name of args.names) {
      log(`scenario ${name} (${args.scale})`);
      const result = await runScenario(SCENARIOS[name]!(), args.scale, log, { stack, onStack: (s) => (activeStack.current = s) });
      results.push(result);
      log(`${name}: ${result.passed ? 'pass' : 'FAIL'}${result.passed ? '' : `: ${result.violations.join('; ')}`}`);
      // Each row as soon as it is known: a long run interrupted later still reported what it finished.
      log(`\n${reportTable([result])}\n${JSON.stringify(result)}`);
    }
  } finally {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const table = reportTable(results);
  process.stdout.write(`\n${new Date().toISOString()} · ${machine}\n\n${table}\n`);
  const outDir = join(process.cwd(), '.data', 'reliability');
  mkdirSync(outDir, { recursive: true });
  const file = args.json ?? join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, scale: args.scale, results }, null, 2));
  process.stdout.write(`\nJSON: ${file}\n`);
  process.exit(results.every((r) => r.passed) ? 0 : 1);
}

if (require.main === module) main().catch((err: unknown) => {
  console.error(`reliability run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
