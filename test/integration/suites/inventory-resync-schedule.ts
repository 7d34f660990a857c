import { upsertProductWithStock, type ProductSeed } from '../../../erp/catalogue';
import { seedShopifyCatalogue } from '../../../stack/catalogue';
import { ensureInventoryResyncSchedules, inventoryResyncScheduleIdOf, type InventoryResyncScheduleSettings } from '../../../workers/inventory-resync-schedule';
import { startInventorySyncs } from '../../../workers/inventory-sync';
import { DEFAULT_INVENTORY_POLICY, inventoryProgressQuery, inventoryWorkflowId, type InventoryPolicy } from '../../../workflows/inventory/api';
import { eventually, startHarness, type Harness } from '../../support/harness';

/** Runs inside test/integration/inventory.test.ts (see there why). */
export function inventoryResyncScheduleSuite(): void {

  /**
   * The periodic full resync: one schedule per shop, created or brought up to date at each start (idempotent), whose
   * run asks the shop's running inventory sync for a full resync.
   */

  const SHOP = 'shopify';
  const POLICY: InventoryPolicy = { ...DEFAULT_INVENTORY_POLICY, quietMs: 200, maxDelayMs: 2_000, pollSeconds: 30 };
  const product = (sku: string, onHand: number): ProductSeed => ({ sku, name: `Product ${sku}`, unitPriceMinor: 2500, currency: 'USD', onHand });

  let h: Harness;
  const progress = () => h.client.workflow.getHandle(inventoryWorkflowId(SHOP)).query(inventoryProgressQuery);

  beforeAll(async () => {
    h = await startHarness();
    await upsertProductWithStock(h.pool, product('TEE', 40));
    await seedShopifyCatalogue(h.shopify.url, [product('TEE', 1)]);
    await startInventorySyncs(h.client, { taskQueue: h.taskQueue, shops: [SHOP], policy: POLICY });
  });
  afterAll(async () => {
    await h?.client.workflow.getHandle(inventoryWorkflowId(SHOP)).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  test('the schedule is created once and brought up to date; a triggered run makes the shop\'s sync do a full resync', async () => {
    const settings: InventoryResyncScheduleSettings = { taskQueue: h.taskQueue, shops: [SHOP], intervalSeconds: 86_400, idPrefix: `inventory-resync-${h.taskQueue}` };
    const handle = h.client.schedule.getHandle(inventoryResyncScheduleIdOf(settings, SHOP));
    try {
      await ensureInventoryResyncSchedules(h.client, settings);
      await ensureInventoryResyncSchedules(h.client, { ...settings, intervalSeconds: 43_200 });
      const described = await handle.describe();
      expect(described.spec.intervals).toMatchObject([{ every: 43_200_000 }]);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'inventoryResyncRequest', taskQueue: h.taskQueue });
      expect((described.action as { args: unknown[] }).args).toEqual([{ shop: SHOP }]);
      expect(described.policies.overlap).toBe('SKIP');

      // The sync's own first resync, then the one the schedule asks for.
      await eventually('the first resync', async () => ((await progress()).resyncs === 1 && (await progress()).state === 'idle' ? true : undefined), 30_000);
      await handle.trigger();
      const after = await eventually('the scheduled resync', async () => {
        const p = await progress();
        return p.resyncs >= 2 && !p.resyncPending ? p : undefined;
      }, 30_000);
      expect(after.resyncs).toBe(2);
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
}
