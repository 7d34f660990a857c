import type { Pool } from 'pg';
import { inTransaction } from '../../db/transaction';
import { acknowledge, dueChanges, enrolShop, type Debounce, type DueChange } from '../../erp/inventory/outbox';
import { recordDrift, rememberShopLevels, type DriftRecord, type KnownLevel } from '../../erp/inventory/shop-levels';
import { callingWorkflow } from '../shared/context';

/** The inventory sync's ERP side: enrolment, the outbox, what each shop holds, drift. */

export function createInventoryErpActivities(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    /** From now on the ERP collects this shop's stock changes (repeatable). */
    async enrolShopStock(shop: string, erpLocation: string): Promise<void> {
      await enrolShop(pool, shop, erpLocation);
    },

    async dueStockChanges(shop: string, location: string, debounce: Debounce, limit: number): Promise<{ changes: DueChange[]; nextDueInMs: number | null }> {
      return dueChanges(pool, shop, location, debounce, limit);
    },

    /** What was pushed (or left alone) leaves the outbox, and what the shop now holds is remembered, together. */
    async acknowledgeStock(shop: string, location: string, done: Array<{ productId: number; version: number }>, levels: KnownLevel[]): Promise<number> {
      return inTransaction(pool, async (tx) => {
        await rememberShopLevels(tx, shop, location, levels);
        return acknowledge(tx, shop, done);
      });
    },

    /**
     * A round's acknowledgement and the next round's due changes in one activity (one round trip less per round):
     * the acknowledgement commits first, so the changes read next never include what was just pushed.
     */
    async acknowledgeStockAndTakeDue(
      shop: string, location: string, done: Array<{ productId: number; version: number }>, levels: KnownLevel[], debounce: Debounce, limit: number,
    ): Promise<{ acknowledged: number; changes: DueChange[]; nextDueInMs: number | null }> {
      const acknowledged = await inTransaction(pool, async (tx) => {
        await rememberShopLevels(tx, shop, location, levels);
        return acknowledge(tx, shop, done);
      });
      return { acknowledged, ...await dueChanges(pool, shop, location, debounce, limit) };
    },

    async recordStockDrift(shop: string, location: string, drifts: DriftRecord[]): Promise<void> {
      await recordDrift(pool, shop, location, callingWorkflow().workflowId, drifts);
    },
  };
}

export type InventoryErpActivities = ReturnType<typeof createInventoryErpActivities>;
