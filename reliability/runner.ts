import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInvariants, convergence, historiesReplay, minFreeStockNow, stockViews, webhookTotals } from './invariants';
import { LOAD, runLoad, seedCatalogue } from './load';
import type { Scale, Scenario, ScenarioContext } from './scenario';
import { sleep } from './scenario';
import { startReliabilityStack, type ReliabilityStack, type StackLog } from './stack';

/** Runs one scenario on a fresh stack: seed, load with faults, heal, wait for convergence, check the invariants. */

export interface ScenarioResult {
  scenario: string;
  title: string;
  scale: Scale;
  /** What was placed; `loadErrorSamples` says why the first load calls that kept failing did (up to five). */
  load: { leads: number; orders: number; refunds: number; loadErrors: number; loadErrorSamples: string[] };
  faultsInjected: Record<string, number>;
  webhooksEmitted: number;
  webhooksAccepted: number;
  /** Changes of known orders no webhook brought, which the order catch-up put in the inbox. */
  catchupEvents: number;
  lost: number;
  duplicatedEffects: number;
  /** Workflow runs whose history was replayed on the worker's bundle after convergence (any that did not is a violation). */
  historiesReplayed: number;
  /** From the end of the faults (healing done) until every effect is there; null if it never converged. */
  convergeSeconds: number | null;
  /** From the first order to convergence. */
  totalSeconds: number;
  processCrashes: number;
  violations: string[];
  passed: boolean;
}

export interface RunOptions {
  convergeTimeoutMs?: number;
  /** A running stack to use (and leave running), e.g. one the short scenarios in `npm test` share; else a fresh one. */
  stack?: ReliabilityStack;
  /** Told the fresh stack a scenario started, so that an interrupted run can stop it. */
  onStack?: (stack: ReliabilityStack) => void;
}

/** A fresh stack with the load's catalogue in the ERP and both shops, and the first stock sync done. */
export async function startSeededStack(dir: string, log: StackLog, env?: Record<string, string>): Promise<ReliabilityStack> {
  const stack = await startReliabilityStack({ dir, log, env });
  try {
    await seedCatalogue(stack);
    // The inventory syncs' first resync gives both shops the ERP's numbers before any order.
    await waitFor('the first stock sync', async () => (await stockViews(stack)).every((s) => s.shopify === s.erp && s.woocommerce === s.erp), 120_000, log);
    return stack;
  } catch (err) {
    await stack.close();
    throw err;
  }
}

export async function runScenario(scenario: Scenario, scale: Scale, log: StackLog, opts: RunOptions = {}): Promise<ScenarioResult> {
  const dir = opts.stack ? undefined : mkdtempSync(join(tmpdir(), `reliability-${scenario.name}-`));
  const stack = opts.stack ?? await startSeededStack(dir!, log, scenario.env);
  opts.onStack?.(stack);
  const ctx: ScenarioContext = { stack, scale, log, injected: new Map() };
  try {

    let minFree = Number.POSITIVE_INFINITY;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await minFreeStockNow(stack.pool).catch(() => undefined);
        if (m !== undefined) minFree = Math.min(minFree, m);
        await sleep(500);
      }
    })();

    const baseline = await webhookTotals(stack);
    const started = Date.now();
    await scenario.before?.(ctx);
    const placed = await runLoad(stack, LOAD[scale], (done) => scenario.during?.(ctx, done) ?? Promise.resolve());
    log(`load placed: ${placed.leads.length} leads, ${placed.orders.length} orders, ${placed.refunds.length} refunds (${placed.errors.length} load errors)`);
    await scenario.after?.(ctx, placed);
    const healed = Date.now();

    let last = '';
    const converged = await waitFor('convergence', async () => {
      const c = await convergence(stack, placed);
      const own = (await scenario.unsettled?.(ctx, placed)) ?? [];
      const now = [...c.waitingFor, ...own].join('; ');
      if (now !== last) log(`waiting for: ${now || 'nothing'}`);
      last = now;
      return c.converged && own.length === 0;
    }, opts.convergeTimeoutMs ?? (scale === 'full' ? 900_000 : 240_000), log).then(() => true, () => false);
    const convergedAt = Date.now();
    sampling = false;
    await sampler;

    const report = await checkInvariants(stack, placed, minFree === Number.POSITIVE_INFINITY ? 0 : minFree);
    const crashes = stack.processes.relay.crashes + stack.processes.worker.crashes;
    // The load's own calls that kept failing (a storefront giving up under the storm) shrink the load; they are
    // reported with it, and the invariants hold for what was placed.
    if (placed.errors.length > 0) log(`load errors: ${placed.errors.slice(0, 5).join('; ')}`);
    const unsettled = (await scenario.unsettled?.(ctx, placed)) ?? [];
    const replay = await historiesReplay(stack);
    const violations = [...report.violations, ...unsettled, ...replay.violations, ...(crashes > 0 ? [`${crashes} engine processes exited by themselves`] : [])];
    if (!converged) violations.unshift(`did not converge: ${last}`);
    return {
      scenario: scenario.name, title: scenario.title, scale,
      load: { leads: placed.leads.length, orders: placed.orders.length, refunds: placed.refunds.length, loadErrors: placed.errors.length, loadErrorSamples: placed.errors.slice(0, 5) },
      faultsInjected: Object.fromEntries(ctx.injected),
      webhooksEmitted: report.webhooksEmitted - baseline.emitted, webhooksAccepted: report.webhooksAccepted - baseline.accepted, catchupEvents: report.catchupEvents - baseline.catchupEvents, lost: report.lost, duplicatedEffects: report.duplicatedEffects,
      historiesReplayed: replay.replayed,
      convergeSeconds: converged ? Math.round((convergedAt - healed) / 100) / 10 : null,
      totalSeconds: Math.round((convergedAt - started) / 100) / 10,
      processCrashes: crashes,
      violations, passed: converged && violations.length === 0,
    };
  } finally {
    if (!opts.stack) {
      await stack.close();
      rmSync(dir!, { recursive: true, force: true });
    }
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, log: StackLog): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await probe().catch((err: unknown) => {
      log(`${what}: ${(err as Error).message}`);
      return false;
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}
