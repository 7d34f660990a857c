import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { reportTable } from './report';
import { runScenario, type ScenarioResult } from './runner';
import type { Scale } from './scenario';
import { SCENARIOS } from './scenarios';

/**
 * `npm run reliability -- <scenario|all> [--scale short|full]`: runs each scenario on a fresh stack of real
 * processes, prints the report table and writes it as JSON to .data/reliability/<date>.json.
 */

const USAGE = `usage: npm run reliability -- <${Object.keys(SCENARIOS).join('|')}|all> [--scale short|full]`;

function parseArgs(argv: string[]): { names: string[]; scale: Scale } | string {
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--scale');
  const scaleAt = argv.indexOf('--scale');
  const scale = scaleAt >= 0 ? argv[scaleAt + 1] : 'full';
  if (scale !== 'short' && scale !== 'full') return `--scale must be short or full, not ${scale ?? '(nothing)'}\n${USAGE}`;
  const unknownFlag = argv.find((a) => a.startsWith('--') && a !== '--scale');
  if (unknownFlag) return `unknown option ${unknownFlag}\n${USAGE}`;
  if (positional.length !== 1) return `name one scenario, or all\n${USAGE}`;
  const name = positional[0]!;
  if (name !== 'all' && !SCENARIOS[name]) return `unknown scenario ${name}\n${USAGE}`;
  return { names: name === 'all' ? Object.keys(SCENARIOS) : [name], scale };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    process.exit(2);
  }
  const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const results: ScenarioResult[] = [];
  for (const name of args.names) {
    log(`scenario ${name} (${args.scale})`);
    const result = await runScenario(SCENARIOS[name]!(), args.scale, log);
    results.push(result);
    log(`${name}: ${result.passed ? 'pass' : 'FAIL'}`);
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const table = reportTable(results);
  process.stdout.write(`\n${new Date().toISOString()} · ${machine}\n\n${table}\n`);
  const dir = join(process.cwd(), '.data', 'reliability');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, scale: args.scale, results }, null, 2));
  process.stdout.write(`\nJSON: ${file}\n`);
  process.exit(results.every((r) => r.passed) ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`reliability run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
