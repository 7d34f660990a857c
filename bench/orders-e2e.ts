import { loadavg } from 'node:os';
import { temporal } from '@temporalio/proto';
import { childNames, cpuMeter, treeMeter } from './support/cpu';
import { runFloor } from './support/floor';
import { fmt, type RunStats } from './support/load';
import { activitiesUntilConfirmed, awaitConfirmed, liftShopifyThrottle, placeOrders, type ActivityCount } from './support/orders';
import { startBenchStack, type BenchStack } from './support/stack';
import type { ChildService } from '../stack/processes';

/**
 * Orders end to end: `npm run bench -- orders-e2e [--orders N] [--rate R] [--passes default,tuned,tuned-2w] [--pairs K]`.
 *
 * The whole engine as `npm start` runs it (separate processes: relay, Shopify and Stripe simulators at zero latency,
 * worker(s), PostgreSQL, Temporal dev server). N orders are checked out at the shop simulator at R per second (Stripe
 * payment captured, then the Shopify order, whose signed webhook reaches the relay); an order counts as done when
 * the engine records its processing time (`order_processing_ms`: shop order created -> ERP confirmed, after the
 * stock is reserved, the payment booked and the invoice posted). Throughput is done orders per second from the
 * first checkout to the last confirmation.
 *
 * The floor, in each pass and with the same worker count and settings: N workflows started the same way
 * (signal-with-start, one per order, at the same rate) on the same Temporal server, each running as many no-op
 * activities as an order flow runs up to its confirmation (counted from a real order's history).
 *
 * With --pairs K each pass measures K engine runs and K floor runs, interleaved engine, floor, floor, engine, engine,
 * floor..., and reports each pair's ratio and their median: two cores shared with other work change speed over
 * minutes, and a ratio of two runs made side by side (in alternating order, so a steady drift favours neither)
 * carries less of that than one engine run followed by one floor run.
 */

interface Pass { name: string; workers: number; env: NodeJS.ProcessEnv; what: string }

/** The tuning pass: what it sets and why is in docs/benchmarks.md. */
const TUNED: NodeJS.ProcessEnv = {
  WORKER_DB_POOL_SIZE: '20',
  WORKER_WORKFLOW_TASK_POLLERS: '4',
  WORKER_ACTIVITY_TASK_POLLERS: '4',
};

const PASSES: Record<string, Pass> = {
  default: { name: 'default', workers: 1, env: {}, what: 'SDK defaults, 1 worker' },
  tuned: { name: 'tuned', workers: 1, env: TUNED, what: `1 worker, ${describe(TUNED)}` },
  'default-2w': { name: 'default-2w', workers: 2, env: {}, what: 'SDK defaults, 2 workers' },
  'tuned-2w': { name: 'tuned-2w', workers: 2, env: TUNED, what: `2 workers, ${describe(TUNED)}` },
};

function describe(env: NodeJS.ProcessEnv): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'SDK defaults';
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

function positiveInt(name: string, fallback: number): number {
  const value = Number(argument(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} must be a positive whole number (got ${argument(name, '')})\n`);
    process.exit(2);
  }
  return value;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

interface PassResult { pass: Pass; pair: number; engine: RunStats; floor: RunStats; engineCpu: { machine: number; processes: number }; floorCpu: { machine: number; processes: number } }

async function stopAll(children: ChildService[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}

async function measureEngine(stack: BenchStack, pass: Pass, orders: number, rate: number, warmup: number): Promise<{ stats: RunStats; cpu: { machine: number; processes: number }; sample: string }> {
  const workers = await stack.startWorkers(pass.workers, pass.env);
  try {
    // Warm-up: bundles loaded, JIT warm, connections open; not measured.
    const warm = await placeOrders(stack, warmup, Math.min(rate, 5));
    await awaitConfirmed(stack, warm, 90_000);
    const meter = cpuMeter(() => workers.map((w) => w.child.pid!));
    const names = childNames();
    const tree = treeMeter(() => names);
    const placed = await placeOrders(stack, orders, rate);
    const stats = await awaitConfirmed(stack, placed, 15 * 60_000);
    sayBreakdown('engine', tree(), stats.completed);
    ordersPlaced += warm.shopOrderIds.length + placed.shopOrderIds.length;
    await sayInboxTraffic(stack, ordersPlaced);
    return { stats, cpu: meter(), sample: warm.shopOrderIds[0]! };
  } finally {
    await stopAll(workers);
  }
}

async function measureFloor(stack: BenchStack, pass: Pass, orders: number, rate: number, warmup: number, activities: number): Promise<{ stats: RunStats; cpu: { machine: number; processes: number } }> {
  const taskQueue = `floor-${pass.name}`;
  const workers = Array.from({ length: pass.workers }, (_, i) => stack.startProcess(`floor-${i + 1}`, 'bench/support/floor-worker', { ...pass.env, FLOOR_TASK_QUEUE: taskQueue }));
  try {
    await stack.waitForPollers(taskQueue, workers);
    await runFloor(stack.client, taskQueue, `${pass.name}-warm`, warmup, Math.min(rate, 5), activities);
    const meter = cpuMeter(() => workers.map((w) => w.child.pid!));
    const names = childNames();
    const tree = treeMeter(() => names);
    const stats = await runFloor(stack.client, taskQueue, pass.name, orders, rate, activities);
    sayBreakdown('floor', tree(), stats.completed);
    return { stats, cpu: meter() };
  } finally {
    await stopAll(workers);
  }
}

/** Where the cores went: CPU milliseconds per done order, per process tree. */
function sayBreakdown(label: string, cpu: { machine: number; stolen: number; byName: Map<string, number> }, done: number): void {
  const perOrder = (s: number) => `${fmt((s * 1000) / Math.max(done, 1), 0)}`;
  const parts = [...cpu.byName].filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${perOrder(s)}`);
  say(`  ${label} CPU ms per order: machine ${perOrder(cpu.machine)}; ${parts.join(', ')}; stolen by the host: ${fmt(cpu.stolen, 1)} s`);
}

let ordersPlaced = 0;

/** Temporal's side of the work: the flows the engine ran, and the history of one of each type (events by type). */
async function sayTemporalWork(stack: BenchStack): Promise<void> {
  const byType = new Map<string, { count: number; sample: string }>();
  for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) {
    const seen = byType.get(wf.type) ?? { count: 0, sample: wf.workflowId };
    seen.count++;
    byType.set(wf.type, seen);
  }
  for (const [type, { count, sample }] of byType) {
    const history = await stack.client.workflow.getHandle(sample).fetchHistory();
    const events = new Map<string, number>();
    for (const e of history.events ?? []) {
      const name = (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? 'unknown').replace(/^EVENT_TYPE_/, '');
      if (process.env.BENCH_HISTORY) say(`    ${name} ${JSON.stringify(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ? Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes.indexedFields) : '')}`);
      events.set(name, (events.get(name) ?? 0) + 1);
    }
    const detail = [...events].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n.toLowerCase()} ${c}`).join(', ');
    say(`  ${type}: ${count} flows; one of them (${sample}): ${history.events?.length ?? 0} events: ${detail}`);
  }
}

/** What reached the relay per order so far (webhooks by topic and what became of them): the work behind the CPU. */
async function sayInboxTraffic(stack: BenchStack, orders: number): Promise<void> {
  const { rows } = await stack.pool.query<{ provider: string; topic: string; status: string; n: string }>(
    `SELECT provider, topic, CASE WHEN outcome LIKE 'echo of our own write%' THEN 'our own write, not handed over' ELSE status END AS status,
            count(*) AS n FROM integration.webhook_inbox GROUP BY 1, 2, 3 ORDER BY 4 DESC`,
  );
  const parts = rows.map((r) => `${r.provider} ${r.topic} ${r.status} ${fmt(Number(r.n) / Math.max(orders, 1), 2)}`);
  say(`  webhooks per order so far (${orders} orders): ${parts.join(', ')}`);
}

function row(label: string, s: RunStats, cpu: { machine: number; processes: number }): string {
  return `| ${label} | ${s.completed}/${s.offered} | ${fmt(s.throughput, 2)} | ${fmt(s.p50Ms, 0)} | ${fmt(s.p95Ms, 0)} | ${fmt(s.wallMs / 1000, 1)} | ${fmt(cpu.processes, 1)} / ${fmt(cpu.machine, 1)} |`;
}

async function main(): Promise<void> {
  const orders = positiveInt('orders', 300);
  const rate = positiveInt('rate', 20);
  const warmup = positiveInt('warmup', 10);
  const passNames = argument('passes', 'default,tuned,tuned-2w').split(',');
  const unknown = passNames.filter((p) => !PASSES[p]);
  if (unknown.length) {
    process.stderr.write(`--passes: unknown pass ${unknown.join(', ')}; known: ${Object.keys(PASSES).join(', ')}\n`);
    process.exit(2);
  }
  const pairs = positiveInt('pairs', 1);
  say(`orders-e2e: ${orders} orders per run at ${rate}/s offered, ${warmup} warm-up orders, passes ${passNames.join(', ')}, ${pairs} engine/floor pair(s) each`);
  const stack = await startBenchStack({ log: (l) => say(`[stack] ${l}`) });
  const results: PassResult[] = [];
  let count: ActivityCount | undefined;
  try {
    await liftShopifyThrottle(stack);
    for (const name of passNames) {
      const pass = PASSES[name]!;
      say(`\npass ${pass.name}: ${pass.what}`);
      for (let pair = 1; pair <= pairs; pair++) {
        const runEngine = async () => {
          const engine = await measureEngine(stack, pass, orders, rate, warmup);
          count ??= await activitiesUntilConfirmed(stack.client, engine.sample);
          if (results.length === 0 && pair === 1) await sayTemporalWork(stack);
          say(`  engine: ${engine.stats.completed}/${engine.stats.offered} confirmed, ${fmt(engine.stats.throughput, 2)}/s, p50 ${fmt(engine.stats.p50Ms, 0)} ms, p95 ${fmt(engine.stats.p95Ms, 0)} ms`);
          return engine;
        };
        const runFloorPass = async () => {
          const floor = await measureFloor(stack, pass, orders, rate, warmup, count!.activities + count!.localActivities);
          say(`  floor (${count!.activities + count!.localActivities} no-op activities): ${floor.stats.completed}/${floor.stats.offered}, ${fmt(floor.stats.throughput, 2)}/s, p50 ${fmt(floor.stats.p50Ms, 0)} ms, p95 ${fmt(floor.stats.p95Ms, 0)} ms`);
          return floor;
        };
        // The floor needs the activity count of a real order, so the very first run is the engine's.
        const engineFirst = pair % 2 === 1 || count === undefined;
        const engine = engineFirst ? await runEngine() : undefined;
        const floor = await runFloorPass();
        const measured = engine ?? await runEngine();
        results.push({ pass, pair, engine: measured.stats, floor: floor.stats, engineCpu: measured.cpu, floorCpu: floor.cpu });
      }
    }
  } finally {
    await stack.stop();
  }

  say(`\nActivities of an order flow up to its ERP confirmation: ${count!.activities} (${count!.names.join(', ')}), local activities: ${count!.localActivities}`);
  say(`Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const label = (r: PassResult) => (pairs > 1 ? `${r.pass.what}, pair ${r.pair}` : r.pass.what);
  say('| run | done/offered | orders/s | p50 ms | p95 ms | wall s | CPU s worker(s) / machine |');
  say('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    say(row(`engine, ${label(r)}`, r.engine, r.engineCpu));
    say(row(`floor, ${label(r)}`, r.floor, r.floorCpu));
  }
  say('\n| pass | throughput ratio (engine / floor) | p50 ratio (engine / floor) | p95 ratio | machine CPU per order ratio (floor / engine) |');
  say('|---|---:|---:|---:|---:|');
  const cpuPerOrder = (cpu: { machine: number }, s: RunStats) => cpu.machine / Math.max(s.completed, 1);
  for (const r of results) {
    const cpuRatio = cpuPerOrder(r.floorCpu, r.floor) / cpuPerOrder(r.engineCpu, r.engine);
    say(`| ${label(r)} | ${fmt(r.engine.throughput / r.floor.throughput, 2)} | ${fmt(r.engine.p50Ms / r.floor.p50Ms, 1)} | ${fmt(r.engine.p95Ms / r.floor.p95Ms, 1)} | ${fmt(cpuRatio, 2)} |`);
  }
  if (pairs > 1) {
    say('\n| pass | pairs | throughput ratio: median (lowest to highest) |');
    say('|---|---:|---|');
    for (const name of passNames) {
      const ratios = results.filter((r) => r.pass.name === name).map((r) => r.engine.throughput / r.floor.throughput).sort((a, b) => a - b);
      say(`| ${PASSES[name]!.what} | ${ratios.length} | ${fmt(median(ratios), 2)} (${fmt(ratios[0]!, 2)} to ${fmt(ratios[ratios.length - 1]!, 2)}) |`);
    }
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`orders-e2e failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
