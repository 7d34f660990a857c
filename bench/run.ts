import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- <name> [args...]`: runs one benchmark, a script of its own under bench/ (compiled to
 * dist/bench/<name>.js), in its own process so that one benchmark's heap and handles never skew the next.
 */
const HELPERS = new Set(['run', 'reconciliation-month', 'intake-load', 'intake-server', 'customer-corpus']);

function available(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .filter((name) => !HELPERS.has(name) && !name.startsWith('_'))
    .sort();
}

const [name, ...args] = process.argv.slice(2);
if (!name || !available().includes(name)) {
  const problem = name ? `unknown benchmark "${name}"` : 'name a benchmark';
  process.stderr.write(`${problem}. Available: ${available().join(', ')}\nUsage: npm run bench -- <name> [args...]\n`);
  process.exit(2);
}
const script = join(__dirname, `${name}.js`);
if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
const result = spawnSync(process.execPath, ['--expose-gc', script, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
