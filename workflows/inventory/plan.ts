import type { DriftRecord, KnownLevel } from '../../erp/inventory/shop-levels';
import type { StockToSet } from '../../ports/inventory';
import type { DriftPolicy } from './api';

/** The inventory sync's decisions, pure: what to push in which batches, and what a stale compare leads to. */

export interface OutboxChange { productId: number; sku: string; version: number; sellable: number | null; sync: boolean; known: number | null }

export interface PushPlan {
  batches: StockToSet[][];
  /** Left alone: "no sync", not stocked at the ERP location, or the shop already holds the sellable quantity. */
  unchanged: OutboxChange[];
}

/** Only quantities that differ from what the shop is known to hold, with that as the compare value, in batches of `maxBatch`. */
export function planPush(changes: readonly OutboxChange[], location: string, maxBatch: number): PushPlan {
  const unchanged = changes.filter((c) => !c.sync || c.sellable === null || c.sellable === c.known);
  const toSet = changes
    .filter((c) => !unchanged.includes(c))
    .map((c): StockToSet => ({ sku: c.sku, location, available: c.sellable!, compare: c.known }));
  const batches: StockToSet[][] = [];
  for (let i = 0; i < toSet.length; i += maxBatch) batches.push(toSet.slice(i, i + maxBatch));
  return { batches, unchanged };
}

export interface StaleResolution {
  /** The batch to push again (nothing of it was applied), with the read-back values as the new compares. */
  next: StockToSet[];
  drifts: DriftRecord[];
  /** Still stale after the last allowed attempt: left as the shop has them, for a person to look at. */
  gaveUp: StockToSet[];
  /** What the shop holds of the SKUs not pushed again. */
  shopLevels: KnownLevel[];
}

/**
 * A refused batch: each stale SKU drifted from what we expected to what was read back. ERP wins pushes it again with
 * the read-back value as compare; keep-shop accepts the shop's value. From attempt `maxAttempts` on, stale SKUs are
 * given up, so a shop that keeps changing can never hold the sync in a loop.
 */
export function resolveStale(
  batch: readonly StockToSet[], staleSkus: readonly string[], readBack: Readonly<Record<string, number>>,
  policy: DriftPolicy, attempt: number, maxAttempts: number,
): StaleResolution {
  // A refusal that names no SKU counts against them all, so every refusal brings the end of the loop closer.
  const stale = new Set(staleSkus.length > 0 ? staleSkus : batch.map((i) => i.sku));
  const givingUp = attempt >= maxAttempts;
  const resolution = givingUp ? 'gave-up' : policy;
  const drifts: DriftRecord[] = [];
  const next: StockToSet[] = [];
  const gaveUp: StockToSet[] = [];
  const shopLevels: KnownLevel[] = [];
  for (const item of batch) {
    if (!stale.has(item.sku)) {
      next.push(item);
      continue;
    }
    const found = readBack[item.sku] ?? null;
    drifts.push({ sku: item.sku, expected: item.compare, found, erpSellable: item.available, resolution, attempt });
    if (resolution === 'erp-wins') next.push({ ...item, compare: found });
    else {
      if (givingUp) gaveUp.push(item);
      if (found !== null) shopLevels.push({ sku: item.sku, quantity: found });
    }
  }
  return { next, drifts, gaveUp, shopLevels };
}
