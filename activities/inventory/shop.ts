import { ApplicationFailure } from '@temporalio/common';
import { isRateLimited } from '../../domain/rate-limits';
import { isInventoryPort, type InventoryPort, type SetStockResult, type StockToSet } from '../../ports/inventory';
import type { ShopPort } from '../../ports/shop';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/** The inventory sync's shop calls, through the inventory side of the shop port of its connection. */

export interface InventoryShopDeps { shops: ReadonlyMap<string, ShopPort> }

export function inventoryPortOf(shops: ReadonlyMap<string, ShopPort>, shop: string): InventoryPort {
  const port = portOf(shops, shop, 'shop');
  if (!isInventoryPort(port)) throw ApplicationFailure.nonRetryable(`shop connection "${shop}" cannot set stock`, 'NoInventoryPort');
  return port;
}

export function createInventoryShopActivities(deps: InventoryShopDeps) {
  const portFor = (shop: string) => inventoryPortOf(deps.shops, shop);
  return {
    /** The shop location the ERP's stock goes to, and how many quantities one push may carry. */
    async shopStockLocation(shop: string): Promise<{ location: string; maxBatch: number }> {
      const port = portFor(shop);
      return { location: await callVendor(() => port.defaultStockLocation()), maxBatch: port.maxStockBatch };
    },

    /** One batch; the key is the workflow's, so a retried attempt applies nothing twice. */
    async pushStock(shop: string, items: StockToSet[], idempotencyKey: string): Promise<SetStockResult> {
      return callVendor(() => portFor(shop).setStock(items, { idempotencyKey }));
    },

    /**
     * Several batches in one activity, in order: between two batches only the shop's own pacing waits (the client
     * reads the cost bucket), not a round trip through Temporal. A rate limit met after a batch went through ends
     * the call with the answers so far (the caller sends the rest again); met on the first, it fails the attempt as
     * `pushStock` does, for the flow to wait out.
     */
    async pushStockBatches(shop: string, batches: Array<{ items: StockToSet[]; idempotencyKey: string }>): Promise<SetStockResult[]> {
      const port = portFor(shop);
      const answers: SetStockResult[] = [];
      for (const batch of batches) {
        try {
          answers.push(await callVendor(() => port.setStock(batch.items, { idempotencyKey: batch.idempotencyKey })));
        } catch (err) {
          if (answers.length > 0 && err instanceof ApplicationFailure && isRateLimited(err.type)) return answers;
          throw err;
        }
      }
      return answers;
    },

    /** What the shop holds now of these SKUs (after a stale compare). */
    async readShopStock(shop: string, location: string, skus: string[]): Promise<Record<string, number>> {
      const page = await callVendor(() => portFor(shop).listStock({ location, skus }));
      return Object.fromEntries(page.levels.map((l) => [l.sku, l.available]));
    },
  };
}

export type InventoryShopActivities = ReturnType<typeof createInventoryShopActivities>;
