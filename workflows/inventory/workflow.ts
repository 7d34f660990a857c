import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ResyncResult } from '../../activities/inventory/resync';
import type { KnownLevel } from '../../erp/inventory/shop-levels';
import type { SetStockResult, StockToSet } from '../../ports/inventory';
import { StockSkus } from '../../domain/search-attributes';
import { FlowRuntime, runFlow, type StepResult } from '../shared/flow-runtime';
import {
  INVENTORY_FLOW, INVENTORY_STEPS as STEPS, inventoryBusinessKey, inventoryProgressQuery, requestResyncUpdate, resyncSignal, stockChangedSignal,
  type InventorySnapshot, type InventorySyncInput, type InventorySyncResult,
} from './api';
import { planPush, resolveStale } from './plan';
import { erp, resync, shop } from './proxies';

/** Unmapped SKUs reported one issue each, per resync; more are summed up in one. */
const MAX_UNMAPPED_NOTICES = 50;
/** The shortest wait between two looks at the outbox. */
const MIN_WAIT_MS = 100;
/** From this change on, a round's batches go to the shop in one activity (pushStockBatches) instead of one each. */
const BATCHES_PER_CALL_PATCH = 'inventory-batches-per-call';
/** From this change on, the SKUs pushed lately are a search attribute (StockSkus). */
const SKU_SEARCH_PATCH = 'inventory-sku-search-attribute';
/** How many recently pushed SKUs StockSkus names (Temporal bounds a workflow's search attributes in size). */
const SEARCHABLE_SKUS = 100;

/** One batch on its way: its number names its idempotency key with the attempt. */
interface BatchAttempt { items: StockToSet[]; seq: number; attempt: number }

/**
 * Inventory ERP -> shop, one long-running flow per shop connection: a full resync first (and on request), then
 * every ERP stock change the outbox collected, pushed once with its latest value in the shop's batch size with
 * compare-and-set. Woken by `stockChanged`, or by its own poll timer; continues as new every `passesPerRun` rounds.
 */
export async function inventorySync(input: InventorySyncInput): Promise<InventorySyncResult> {
  const runtime = new FlowRuntime(INVENTORY_FLOW, inventoryBusinessKey(input.shop), input.policy);
  const sync = new InventorySync(runtime, input);
  return runFlow(runtime, () => sync.run(), { aborted: (_undone, reason) => ({ status: 'stopped', reason }), abortedState: 'stopped' });
}

class InventorySync {
  private woken = false;
  /** True while the flow is idle between rounds, waiting to be woken. */
  private idle = false;
  private searchableSkus: string[] = [];
  private readonly snapshot: InventorySnapshot;

  constructor(private readonly runtime: FlowRuntime, private readonly input: InventorySyncInput) {
    this.snapshot = input.resume ?? {
      location: '', maxBatch: 0, batchSeq: 0, resyncSeq: 0, resyncPending: true,
      totals: { pushed: 0, batches: 0, drifts: 0, gaveUp: 0, resyncs: 0, unmapped: 0 },
    };
    setHandler(stockChangedSignal, () => void (this.woken = true));
    setHandler(resyncSignal, () => void this.requestResync());
    setHandler(requestResyncUpdate, () => {
      const answer = { accepted: true as const, resync: this.requestResync() };
      // An idle flow woken by this update answers once it has woken, so that the answer cannot race the cancellation
      // of the idle wait's timer (see FlowRuntime's decideUpdate). Runs recorded before answer at once.
      if (!runtime.patches.fromBaseline || !this.idle) return answer;
      return condition(() => !this.idle || runtime.main.consideredCancelled).then(() => answer);
    });
    setHandler(inventoryProgressQuery, () => ({
      shop: input.shop, location: this.snapshot.location || null, resyncPending: this.snapshot.resyncPending, state: runtime.progress.state,
      ...this.snapshot.totals,
    }));
  }

  /** The number the requested resync will have. */
  private requestResync(): number {
    this.snapshot.resyncPending = true;
    return this.snapshot.resyncSeq + 1;
  }

  async run(): Promise<InventorySyncResult> {
    const { shop: shopId, policy } = this.input;
    this.state('starting');
    await this.must(STEPS.enrol, () => erp.enrolShopStock(shopId, policy.erpLocation));
    if (!this.snapshot.location) Object.assign(this.snapshot, await this.must(STEPS.shopLocation, () => shop.shopStockLocation(shopId)));
    for (let pass = 1; ; pass++) {
      if (this.snapshot.resyncPending) await this.fullResync();
      const nextDueInMs = await this.pushDue();
      // Progress shows the latest steps only: this flow never ends, its step list must not grow with it.
      this.runtime.progress.stepsDone.splice(0, Math.max(0, this.runtime.progress.stepsDone.length - 20));
      if (pass >= policy.passesPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof inventorySync>({ ...this.input, resume: this.snapshot });
      }
      this.state('idle');
      const waitMs = Math.max(MIN_WAIT_MS, Math.min(policy.pollSeconds * 1000, nextDueInMs ?? Infinity));
      this.idle = true;
      await condition(() => this.woken || this.snapshot.resyncPending, waitMs);
      this.idle = false;
      this.woken = false;
    }
  }

  /** Pushes what the outbox holds due; returns when the next not-yet-due change will be (null: none waits). */
  private async pushDue(): Promise<number | null> {
    const { shop: shopId, policy } = this.input;
    const { location } = this.snapshot;
    const debounce = { quietMs: policy.quietMs, maxDelayMs: policy.maxDelayMs };
    const batchesPerCall = this.runtime.patches.has(BATCHES_PER_CALL_PATCH);
    let due = await this.must(STEPS.due, () => erp.dueStockChanges(shopId, location, debounce, policy.changesPerRound));
    for (;;) {
      if (due.changes.length === 0) return due.nextDueInMs;
      this.state('pushing', `${due.changes.length} changed SKUs`);
      const plan = planPush(due.changes, location, this.snapshot.maxBatch);
      this.showSkus(plan.batches.flat().map((item) => item.sku));
      const done = due.changes.map(({ productId, version }) => ({ productId, version }));
      const last = () => due.changes.length < policy.changesPerRound || workflowInfo().continueAsNewSuggested;
      if (!batchesPerCall) {
        const levels: KnownLevel[] = [];
        for (const batch of plan.batches) levels.push(...await this.pushBatch(batch));
        await this.must(STEPS.acknowledge, () => erp.acknowledgeStock(shopId, location, done, levels));
        if (last()) return due.nextDueInMs;
        due = await this.must(STEPS.due, () => erp.dueStockChanges(shopId, location, debounce, policy.changesPerRound));
        continue;
      }
      const levels = await this.pushRound(plan.batches);
      if (last()) {
        await this.must(STEPS.acknowledge, () => erp.acknowledgeStock(shopId, location, done, levels));
        return due.nextDueInMs;
      }
      // The round's acknowledgement and the next round's reading in one activity.
      due = await this.must(STEPS.acknowledge, () => erp.acknowledgeStockAndTakeDue(shopId, location, done, levels, debounce, policy.changesPerRound));
    }
  }

  /**
   * A round's batches in as few activities as the shop allows: each call sends every batch still to go, paced by the
   * shop's cost bucket, so the bucket and not our round trips sets the pace. A stale batch is settled as in
   * pushBatch and its next attempt (new compares, new key) goes with the next call; batches a rate limit held back
   * go again under their own key.
   */
  private async pushRound(batches: StockToSet[][]): Promise<KnownLevel[]> {
    const shopId = this.input.shop;
    const levels: KnownLevel[] = [];
    let queue: BatchAttempt[] = batches.map((items) => ({ items, seq: ++this.snapshot.batchSeq, attempt: 1 }));
    while (queue.length > 0) {
      const sending = queue;
      const pushed = await this.step(STEPS.push, () =>
        shop.pushStockBatches(shopId, sending.map((b) => ({ items: b.items, idempotencyKey: this.batchKey(b.seq, b.attempt) }))));
      // Skipped by an operator: these SKUs wait for their next change or a resync.
      if (!pushed.done) return levels;
      const next = sending.slice(pushed.value.length);
      for (const [i, answer] of pushed.value.entries()) {
        const sent = sending[i]!;
        const settled = await this.settle(sent.items, answer, sent.attempt);
        levels.push(...settled.levels);
        if (settled.next.length > 0) next.push({ items: settled.next, seq: sent.seq, attempt: sent.attempt + 1 });
      }
      queue = next;
    }
    return levels;
  }

  /**
   * One batch, with the compare values we know. A stale compare means someone changed the shop: read back, record
   * the drift, and apply the policy; bounded by `compareAttempts`, then the SKUs still stale are reported.
   */
  private async pushBatch(batch: StockToSet[]): Promise<KnownLevel[]> {
    const shopId = this.input.shop;
    const seq = ++this.snapshot.batchSeq;
    const levels: KnownLevel[] = [];
    let items = batch;
    for (let attempt = 1; items.length > 0; attempt++) {
      const key = this.batchKey(seq, attempt);
      const current = items;
      const pushed = await this.step(STEPS.push, () => shop.pushStock(shopId, current, key));
      // Skipped by an operator: these SKUs wait for their next change or a resync.
      if (!pushed.done) return levels;
      const settled = await this.settle(items, pushed.value, attempt);
      levels.push(...settled.levels);
      items = settled.next;
    }
    return levels;
  }

  /** Makes the sync findable by the SKUs it pushes: the newest first, the last SEARCHABLE_SKUS of them. */
  private showSkus(skus: string[]): void {
    if (skus.length === 0 || !this.runtime.patches.has(SKU_SEARCH_PATCH)) return;
    this.searchableSkus = [...new Set([...skus.slice(-SEARCHABLE_SKUS).reverse(), ...this.searchableSkus])].slice(0, SEARCHABLE_SKUS);
    upsertSearchAttributes([{ key: StockSkus, value: this.searchableSkus }]);
  }

  private batchKey(seq: number, attempt: number): string {
    return `${workflowInfo().workflowId}:batch-${seq}:attempt-${attempt}`;
  }

  /** A batch's answer: applied, what the shop now holds; stale, read back, drift recorded, policy applied (what to push next). */
  private async settle(items: StockToSet[], answer: SetStockResult, attempt: number): Promise<{ levels: KnownLevel[]; next: StockToSet[] }> {
    const { shop: shopId, policy } = this.input;
    this.snapshot.totals.batches += 1;
    if (answer.applied) {
      const set = items.filter((i) => !answer.unknownSkus.includes(i.sku));
      this.snapshot.totals.pushed += set.length;
      return { levels: set.map((i) => ({ sku: i.sku, quantity: i.available })), next: [] };
    }
    const readBack = await this.must(STEPS.readBack, () => shop.readShopStock(shopId, this.snapshot.location, answer.staleSkus));
    const outcome = resolveStale(items, answer.staleSkus, readBack, policy.drift, attempt, policy.compareAttempts);
    await this.must(STEPS.recordDrift, () => erp.recordStockDrift(shopId, this.snapshot.location, outcome.drifts));
    this.snapshot.totals.drifts += outcome.drifts.length;
    for (const item of outcome.gaveUp) await this.reportGaveUp(item, readBack[item.sku] ?? null);
    return { levels: outcome.shopLevels, next: outcome.next };
  }

  private async fullResync(): Promise<void> {
    this.snapshot.resyncPending = false;
    // Unique across runs and restarts of this workflow id: it marks the SKUs this resync met in the shop.
    const resyncId = `${workflowInfo().runId.slice(0, 8)}-${++this.snapshot.resyncSeq}`;
    this.state('resyncing', `resync ${resyncId}`);
    const done = await this.step(STEPS.resync, () => resync.resyncStock({ shop: this.input.shop, location: this.snapshot.location, resyncId }));
    if (!done.done) return;
    this.snapshot.totals.resyncs += 1;
    this.snapshot.totals.pushed += done.value.pushed;
    this.snapshot.totals.drifts += done.value.drifted;
    await this.reportUnmapped(done.value);
  }

  /** Each SKU one side lacks is a notice for a person (map it in the shop, or mark it "no sync"); the sync goes on. */
  private async reportUnmapped(result: ResyncResult): Promise<void> {
    const unmapped = [
      ...result.missingInShop.map((sku) => ({ sku, what: 'is sold by the ERP but has no variant in the shop' })),
      ...result.missingInErp.map((sku) => ({ sku, what: 'is in the shop but not stocked in the ERP' })),
    ];
    this.snapshot.totals.unmapped += unmapped.length;
    for (const { sku, what } of unmapped.slice(0, MAX_UNMAPPED_NOTICES)) {
      await this.runtime.notify({
        step: `unmapped:${sku}`, kind: 'invalid-data', message: `SKU ${sku} ${what} (${this.input.shop})`,
        details: { sku, shop: this.input.shop, missingIn: result.missingInShop.includes(sku) ? 'shop' : 'erp' },
      });
    }
    if (unmapped.length > MAX_UNMAPPED_NOTICES) {
      await this.runtime.notify({
        step: `unmapped:resync-${this.snapshot.resyncSeq}`, kind: 'invalid-data',
        message: `${unmapped.length - MAX_UNMAPPED_NOTICES} more unmapped SKUs in ${this.input.shop} (see integration.inventory_unmapped)`,
        details: { skus: unmapped.slice(MAX_UNMAPPED_NOTICES).map((u) => u.sku) },
      });
    }
  }

  private async reportGaveUp(item: StockToSet, found: number | null): Promise<void> {
    this.snapshot.totals.gaveUp += 1;
    await this.runtime.notify({
      step: `drift:${item.sku}`, kind: 'step-failed',
      message: `SKU ${item.sku} kept changing in ${this.input.shop} while we set it to ${item.available}; left at ${found ?? 'unknown'}`,
      details: { sku: item.sku, shop: this.input.shop, location: item.location, erpSellable: item.available, shopHolds: found },
    });
  }

  private step<T>(name: string, run: () => Promise<T>): Promise<StepResult<T>> {
    return this.runtime.step(name, run, { allowed: ['retry', 'skip'] });
  }

  /** A step that cannot be skipped: the sync cannot go on without it, so a person may only retry it. */
  private async must<T>(name: string, run: () => Promise<T>): Promise<T> {
    const result = await this.runtime.step(name, run, { allowed: ['retry'] });
    if (!result.done) throw new Error(`step ${name} cannot be skipped`);
    return result.value;
  }

  private state(state: string, details?: string): void {
    if (this.runtime.progress.state !== state || details) this.runtime.setState(state, details);
  }
}
