import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { markDirty } from '../../erp/inventory/outbox';
import { erpSkusNotInShop, resyncPosition, saveResyncPosition, sellableBySku } from '../../erp/inventory/resync';
import { clearUnmapped, knownLevels, recordDrift, recordUnmapped, rememberShopLevels, type DriftRecord } from '../../erp/inventory/shop-levels';
import type { ShopStockLevel, StockToSet } from '../../ports/inventory';
import type { ShopPort } from '../../ports/shop';
import { callingWorkflow } from '../shared/context';
import { callVendor } from '../shared/vendor-errors';
import { inventoryPortOf } from './shop';

/**
 * The full resync: pages through the shop's whole stock at its location, pushes every sellable quantity that
 * differs (compare = what was just read), and finds SKUs only one side knows. Its cursor is saved after every page
 * (and heartbeated), so a restarted resync, whether retried, re-run after a rate limit or after a crash, goes on where it stopped.
 */

export interface ResyncRequest { shop: string; location: string; resyncId: string }
export interface ResyncResult { pages: number; pushed: number; drifted: number; missingInShop: string[]; missingInErp: string[] }

/** Stock pushes of one page: the page and its content name the key, so a repeat of the same push applies once. */
const pageKey = (workflowId: string, resyncId: string, cursor: string | null, items: readonly StockToSet[]) =>
  `${workflowId}:resync-${resyncId}:${createHash('sha256').update(`${cursor}|${JSON.stringify(items)}`).digest('hex').slice(0, 24)}`;

export type InventoryResyncActivities = ReturnType<typeof createInventoryResyncActivities>;

export function createInventoryResyncActivities(deps: { pool: Pool; shops: ReadonlyMap<string, ShopPort> }) {
  const { pool } = deps;
  return {
    async resyncStock(req: ResyncRequest): Promise<ResyncResult> {
      const port = inventoryPortOf(deps.shops, req.shop);
      const { workflowId } = callingWorkflow();
      const saved = await resyncPosition(pool, req.shop);
      let cursor = saved.resyncId === req.resyncId ? saved.cursor : null;
      const result: ResyncResult = { pages: 0, pushed: 0, drifted: 0, missingInShop: [], missingInErp: [] };
      do {
        Context.current().heartbeat({ cursor });
        const page = await callVendor(() => port.listStock({ location: req.location, cursor }));
        const levels = page.levels.filter((l) => l.location === req.location);
        const erp = await sellableBySku(pool, req.shop, levels.map((l) => l.sku));
        const known = await knownLevels(pool, req.shop, req.location, levels.map((l) => l.sku));
        const mapped = levels.filter((l) => erp.has(l.sku));
        const toSet = mapped
          .filter((l) => erp.get(l.sku)!.sync && erp.get(l.sku)!.sellable !== l.available)
          .map((l): StockToSet => ({ sku: l.sku, location: req.location, available: erp.get(l.sku)!.sellable, compare: l.available }));
        const stale = await pushAll(toSet, port.maxStockBatch, (batch) =>
          callVendor(() => port.setStock(batch, { idempotencyKey: pageKey(workflowId, req.resyncId, cursor, batch) })));
        const drifts = driftsOf(mapped, known, toSet, stale);
        await recordDrift(pool, req.shop, req.location, workflowId, drifts);
        await markDirty(pool, req.shop, stale);
        const set = new Map(toSet.filter((i) => !stale.includes(i.sku)).map((i) => [i.sku, i.available]));
        await rememberShopLevels(pool, req.shop, req.location, mapped.map((l) => ({ sku: l.sku, quantity: set.get(l.sku) ?? l.available })), req.resyncId);
        await clearUnmapped(pool, req.shop, mapped.map((l) => l.sku));
        result.missingInErp.push(...await recordUnmapped(pool, req.shop, levels.filter((l) => !erp.has(l.sku)).map((l) => l.sku), 'erp'));
        result.pages += 1;
        result.pushed += set.size;
        result.drifted += drifts.length;
        cursor = page.nextCursor;
        await saveResyncPosition(pool, req.shop, { resyncId: req.resyncId, cursor });
      } while (cursor !== null);
      result.missingInShop = await recordUnmapped(pool, req.shop, await erpSkusNotInShop(pool, req.shop, req.location, req.resyncId), 'shop');
      return result;
    },
  };
}

/** Pushes in batches; returns the SKUs that changed in the shop between the read and the push (left for the outbox). */
async function pushAll(
  items: readonly StockToSet[], maxBatch: number, push: (batch: StockToSet[]) => Promise<{ applied: boolean; staleSkus?: string[] }>,
): Promise<string[]> {
  const stale: string[] = [];
  for (let i = 0; i < items.length; i += maxBatch) {
    const answer = await push(items.slice(i, i + maxBatch));
    if (!answer.applied) stale.push(...items.slice(i, i + maxBatch).map((item) => item.sku));
  }
  return stale;
}

/** A shop holding something else than we last knew drifted; the resync puts the ERP's value back. */
function driftsOf(mapped: readonly ShopStockLevel[], known: ReadonlyMap<string, number>, toSet: readonly StockToSet[], stale: readonly string[]): DriftRecord[] {
  const pushed = new Map(toSet.map((i) => [i.sku, i.available]));
  return mapped
    .filter((l) => known.has(l.sku) && known.get(l.sku) !== l.available && pushed.has(l.sku) && !stale.includes(l.sku))
    .map((l) => ({ sku: l.sku, expected: known.get(l.sku)!, found: l.available, erpSellable: pushed.get(l.sku)!, resolution: 'erp-wins' as const, attempt: 1 }));
}
