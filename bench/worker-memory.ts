import { envSchema } from '../config/env';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ShopifyClient } from '../connectors/shopify/client';
import { shopOrderChangedSignal, orderWorkflowId } from './../workflows/order/api';
import { progressQuery } from '../workflows/shared/operator-api';
import { rssMiB } from './support/cpu';
import { fmt, paced, until } from './support/load';
import { liftShopifyThrottle } from './support/orders';
import { startBenchStack, type BenchStack } from './support/stack';
import type { ChildService } from '../stack/processes';
import { wholeNumberOption } from './support/args';

/** The sticky cache a worker gets with WORKER_MAX_CACHED_WORKFLOWS unset (the "default" setting). */
const ENGINE_DEFAULT_CACHE = envSchema.shape.WORKER_MAX_CACHED_WORKFLOWS.parse(undefined);

/**
 * Worker memory: `npm run bench -- worker-memory [--flows 1000] [--rate 20] [--cache 100] [--stall-minutes 5]
 * [--settings default,limited]`.
 *
 * For each setting (the engine's default sticky cache, WORKER_MAX_CACHED_WORKFLOWS unset: config/env.ts; then
 * WORKER_MAX_CACHED_WORKFLOWS=<cache>), a fresh worker
 * process takes `flows` shop orders placed without payment (bank transfer, pay later): each order flow reads the
 * order, finds or creates the customer, creates the ERP order, reserves its stock, and waits for the payment. Once
 * all wait, the worker's RSS and heap are read (after a full GC), then every flow is woken: a signal ("the order
 * changed in the shop") followed by a progress query, which Temporal answers once the signal's task has run, so
 * a flow evicted from the cache is replayed from its history first. Then the memory is read again.
 *
 * A worker that cannot keep up (its workflow tasks running past their timeout, again and again) may never bring
 * every flow to its wait: when the count of waiting flows has not grown for `stall-minutes`, the setting is measured
 * as it stands and the report says how many flows reached the wait, so that such a setting is a result, not a crash.
 * A worker process that dies is reported the same way (when, with what exit), and the next setting still runs.
 */

interface SettingResult {
  name: string;
  /** Flows of this setting that reached their wait for payment (all of them, unless the worker stalled). */
  reached: number;
  placed: number;
  /** The worker's highest RSS so far (VmHWM), read with the other figures once the flows wait. */
  peakRssMiB: number;
  /** How the worker process ended before the setting's measurements did, if it did. */
  died?: string;
  idle: Memory;
  waiting: Memory;
  afterWake: Memory;
  placeSeconds: number;
  wakeSeconds: number;
  wakeP95Ms: number;
  woken: number;
}

interface Memory { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number }

const say = (line: string) => process.stdout.write(`${line}\n`);


/** Asks the worker's memory probe (bench/support/memory-probe.ts) for its numbers after a full GC, and reads its RSS. */
async function memoryOf(worker: ChildService, probeDir: string): Promise<Memory> {
  const pid = worker.child.pid!;
  const file = join(probeDir, `${pid}.json`);
  const before = Date.now();
  process.kill(pid, 'SIGWINCH');
  let usage: NodeJS.MemoryUsage & { at: number } | undefined;
  await until(async () => {
    try {
      const read = JSON.parse(readFileSync(file, 'utf8'));
      if (read.at >= before) usage = read;
    } catch {
      // not written yet
    }
    return usage !== undefined;
  }, 30_000, 100);
  if (!usage) throw new Error(`worker ${pid} did not answer the memory probe`);
  const mib = (b: number) => b / 1024 / 1024;
  return { rssMiB: rssMiB(pid), heapUsedMiB: mib(usage.heapUsed), heapTotalMiB: mib(usage.heapTotal), externalMiB: mib(usage.external) };
}

/** The highest RSS the process has had (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function placeUnpaidOrders(stack: BenchStack, count: number, rate: number): Promise<string[]> {
  const shop = new ShopifyClient({ baseUrl: stack.shopifyUrl, accessToken: stack.shopifyToken, apiVersion: '2026-10' });
  const ids: string[] = [];
  // Few in flight: on a loaded machine a burst of checkouts only makes the simulator time out.
  const { failures, lastError } = await paced(count, rate, 4, async (i) => {
    const email = `payer-${randomUUID().slice(0, 12)}@example.com`;
    const order = await shop.createOrder({
      email, currency: 'USD', financialStatus: 'PENDING', transactions: [], shippingLines: [],
      lineItems: [{ sku: stack.skus[i % stack.skus.length]!, title: 'Bench product', quantity: 1, priceSet: { shopMoney: { amount: '25.00', currencyCode: 'USD' } } }],
      shippingAddress: { firstName: 'Bench', lastName: `Payer ${i}`, address1: '1 Main St', city: 'Springfield', zip: '12345', countryCode: 'US' },
      customer: { toUpsert: { email, firstName: 'Bench', lastName: `Payer ${i}` } },
    });
    ids.push(order.id);
  });
  // A checkout that timed out may still have made its order (and flow): the wait below counts at least the rest.
  if (failures > 0) say(`    ${failures} orders not confirmed by the shop in time (last: ${String(lastError)}); measuring the ${ids.length} placed`);
  return ids;
}

/** Order flows of this run waiting for payment, by the search attribute every flow keeps up to date. */
async function waitingFlows(stack: BenchStack): Promise<number> {
  const { count } = await stack.client.workflow.count(`Flow = 'order' AND FlowState = 'awaiting-payment' AND ExecutionStatus = 'Running'`);
  return count;
}

async function measure(stack: BenchStack, name: string, env: NodeJS.ProcessEnv, flows: number, rate: number, stallMinutes: number): Promise<SettingResult> {
  // Flows of an earlier setting still wait (woken flows wait again): count only this setting's.
  const alreadyWaiting = await waitingFlows(stack);
  const probeDir = mkdtempSync(join(tmpdir(), 'memory-probe-'));
  const [worker] = await stack.startWorkers(1, { ...env, MEMORY_PROBE_DIR: probeDir, NODE_OPTIONS: `--require ${join(__dirname, 'support', 'memory-probe.js')}` });
  const started = Date.now();
  let died: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    died = `worker exited (${signal ?? `code ${code}`}) ${fmt((Date.now() - started) / 1000, 0)} s after its start`;
    say(`    ${died}`);
  };
  worker!.child.once('exit', onExit);
  const noMemory: Memory = { rssMiB: NaN, heapUsedMiB: NaN, heapTotalMiB: NaN, externalMiB: NaN };
  const memoryNow = async () => (died ? noMemory : memoryOf(worker!, probeDir).catch(() => noMemory));
  try {
    const idle = await memoryOf(worker!, probeDir);
    say(`  ${name}: idle worker RSS ${fmt(idle.rssMiB)} MiB; placing ${flows} unpaid orders at ${rate}/s`);
    const placing = Date.now();
    const ids = await placeUnpaidOrders(stack, flows, rate);
    let lastReport = Date.now();
    let reached = 0;
    let grewAt = Date.now();
    await until(async () => {
      const n = (await waitingFlows(stack)) - alreadyWaiting;
      if (n > reached) grewAt = Date.now();
      reached = Math.max(reached, n);
      if (Date.now() - lastReport > 20_000) {
        lastReport = Date.now();
        say(`    … ${n}/${ids.length} waiting for payment`);
      }
      return n >= ids.length || Date.now() - grewAt > stallMinutes * 60_000 || died !== undefined;
    }, 2 * 60 * 60_000, 1000);
    // Seconds until the last flow reached its wait (a stalled setting: until the last one that did).
    const placeSeconds = ((reached >= ids.length ? Date.now() : grewAt) - placing) / 1000;
    const waiting = await memoryNow();
    const peak = died ? NaN : peakRssMiB(worker!.child.pid!);
    if (reached < ids.length) {
      say(`    only ${reached} of ${ids.length} flows reached the wait; none more for ${stallMinutes} min: measuring the worker as it stands`);
    }
    say(`    ${reached} waiting after ${fmt(placeSeconds)} s; RSS ${fmt(waiting.rssMiB)} MiB (peak ${fmt(peak)}), heap ${fmt(waiting.heapUsedMiB)} MiB`);

    const latencies: number[] = [];
    const wakeStart = Date.now();
    const { failures } = await paced(ids.length, 1000, 20, async (i) => {
      // Once the worker is gone no flow can answer: the rest count as failed wakes at once.
      if (died) throw new Error(died);
      const handle = stack.client.workflow.getHandle(orderWorkflowId('shopify', ids[i]!));
      const at = Date.now();
      await handle.signal(shopOrderChangedSignal, { eventId: `bench-wake-${i}`, topic: 'orders/updated' });
      // A stalled worker may not answer: a query that waits a minute counts as a failed wake.
      await stack.client.connection.withDeadline(Date.now() + 60_000, () => handle.query(progressQuery));
      latencies.push(Date.now() - at);
    });
    const wakeSeconds = (Date.now() - wakeStart) / 1000;
    latencies.sort((a, b) => a - b);
    const afterWake = await memoryNow();
    say(`    woke ${ids.length - failures} in ${fmt(wakeSeconds)} s; RSS after ${fmt(afterWake.rssMiB)} MiB`);
    return {
      name, reached, placed: ids.length, peakRssMiB: peak, died, idle, waiting, afterWake, placeSeconds, wakeSeconds, woken: ids.length - failures,
      wakeP95Ms: latencies[Math.max(0, Math.ceil(latencies.length * 0.95) - 1)] ?? NaN,
    };
  } finally {
    // Stopping it here is no death.
    worker!.child.off('exit', onExit);
    await worker!.stop();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** `--settings default,limited` (both unless told): which of the two settings to measure. */
function settingsOption(): Array<'default' | 'limited'> {
  const index = process.argv.indexOf('--settings');
  if (index < 0) return ['default', 'limited'];
  const names = (process.argv[index + 1] ?? '').split(',');
  if (names.length === 0 || names.some((n) => n !== 'default' && n !== 'limited')) {
    process.stderr.write('--settings must name default, limited or both (default,limited)\n');
    process.exit(2);
  }
  return names as Array<'default' | 'limited'>;
}

async function main(): Promise<void> {
  const flows = wholeNumberOption('flows', 1000);
  const rate = wholeNumberOption('rate', 20);
  const cache = wholeNumberOption('cache', 100);
  const stallMinutes = wholeNumberOption('stall-minutes', 5);
  const chosen = settingsOption();
  say(`worker-memory: ${flows} order flows waiting for payment, the engine's default sticky cache (${ENGINE_DEFAULT_CACHE}) vs WORKER_MAX_CACHED_WORKFLOWS=${cache}`);
  const stack = await startBenchStack({ log: (l) => say(`[stack] ${l}`) });
  const results: SettingResult[] = [];
  try {
    await liftShopifyThrottle(stack);
    const settings: Array<[string, NodeJS.ProcessEnv]> = [];
    if (chosen.includes('default')) settings.push([`default cache (${ENGINE_DEFAULT_CACHE})`, {}]);
    if (chosen.includes('limited')) settings.push([`cache ${cache}`, { WORKER_MAX_CACHED_WORKFLOWS: String(cache) }]);
    for (const [name, env] of settings) results.push(await measure(stack, name, env, flows, rate, stallMinutes));
  } finally {
    await stack.stop();
  }
  say(`\nLoad average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // RSS right after start still holds what bundling the workflows (webpack, in the worker) left behind: compare
  // the settings with each other once the flows wait, not with the idle figure.
  say(`\n| setting | flows waiting | RSS idle (after bundling) | RSS, flows waiting | peak RSS until then | main-thread heap, waiting | wake all (signal + query) | p95 per flow | RSS after wake | placing until all wait |`);
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    say(`| ${r.name} | ${r.reached} of ${r.placed} | ${fmt(r.idle.rssMiB)} MiB | ${fmt(r.waiting.rssMiB)} MiB | ${fmt(r.peakRssMiB)} MiB | ${fmt(r.waiting.heapUsedMiB)} MiB | ${fmt(r.wakeSeconds)} s (${r.woken} woken) | ${fmt(r.wakeP95Ms, 0)} ms | ${fmt(r.afterWake.rssMiB)} MiB | ${fmt(r.placeSeconds)} s${r.reached < r.placed ? ' (stalled)' : ''} |`);
  }
  for (const r of results.filter((x) => x.died)) say(`${r.name}: ${r.died}`);
  if (results.length === 2) {
    const [d, l] = results as [SettingResult, SettingResult];
    say(`\nratio limited / default: RSS waiting ${fmt(l.waiting.rssMiB / d.waiting.rssMiB, 2)}, RSS after wake ${fmt(l.afterWake.rssMiB / d.afterWake.rssMiB, 2)}, wake time ${fmt(l.wakeSeconds / d.wakeSeconds, 2)}`);
    const onlyDefault = Math.min(ENGINE_DEFAULT_CACHE, d.reached) - Math.min(cache, l.reached);
    say(`memory of one cached flow (RSS waiting, default minus limited, over the ${onlyDefault} flows only the default keeps): ${fmt(((d.waiting.rssMiB - l.waiting.rssMiB) * 1024) / Math.max(1, onlyDefault), 0)} KiB`);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`worker-memory failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
