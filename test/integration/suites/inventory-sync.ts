import { erpView, settles } from '../../support/orders';
import { eventually, startHarness, type Harness } from '../../support/harness';
import { simGet, simPost } from '../../support/sim-control';
import { ShopifyDriver, WoocommerceDriver } from '../../support/shop-drivers';
import { seedShopifyCatalogue, seedWoocommerceCatalogue } from '../../../stack/catalogue';
import { upsertProductWithStock, type ProductSeed } from '../../../erp/catalogue';
import { sellableQuantity } from '../../../erp/inventory/sellable';
import { listenForStockChanges, startInventorySyncs } from '../../../workers/inventory-sync';
import {
  DEFAULT_INVENTORY_POLICY, inventoryProgressQuery, inventoryWorkflowId, requestResyncUpdate, type InventoryPolicy,
} from '../../../workflows/inventory/api';

/** Runs inside test/integration/inventory.test.ts (see there why). */
export function inventorySyncSuite(): void {

  /**
   * Inventory ERP -> shops against the real stack: PostgreSQL (trigger, outbox, NOTIFY), Temporal, the worker, and
   * both shop simulators over HTTP. Stock is changed the way people do it: UPDATE erp.stock_level by hand.
   */

  const SHOPS = ['shopify', 'woocommerce'];
  const POLICY: InventoryPolicy = { ...DEFAULT_INVENTORY_POLICY, quietMs: 400, maxDelayMs: 3_000, pollSeconds: 30 };
  const product = (sku: string, onHand: number): ProductSeed => ({ sku, name: `Product ${sku}`, unitPriceMinor: 2500, currency: 'USD', onHand });

  let h: Harness;
  let stopListening: () => Promise<void>;

  type ShopifyInventory = { primaryLocationId: string; levels: Array<{ sku: string | null; locationId: string; available: number }> };
  async function inShopify(sku: string): Promise<number | undefined> {
    const inv = await simGet<ShopifyInventory>(h.shopify.url, 'inventory');
    return inv.levels.find((l) => l.sku === sku && l.locationId === inv.primaryLocationId)?.available;
  }
  async function inWoo(sku: string): Promise<number | undefined> {
    const { products } = await simGet<{ products: Array<{ sku: string; stock_quantity: number | null }> }>(h.woocommerce.url, 'products');
    return products.find((p) => p.sku === sku)?.stock_quantity ?? undefined;
  }
  const bothShopsHold = (sku: string, quantity: number) =>
    eventually(`${sku} at ${quantity} in both shops`, async () => ((await inShopify(sku)) === quantity && (await inWoo(sku)) === quantity ? true : undefined), 30_000);
  const setOnHand = (sku: string, onHand: number) =>
    h.pool.query('UPDATE erp.stock_level SET on_hand = $2 WHERE product_id = (SELECT id FROM erp.product WHERE sku = $1)', [sku, onHand]);
  const requests = async (url: string, match: (route: string) => boolean) =>
    Object.entries((await simGet<{ requests: Record<string, number> }>(url, 'requests')).requests).filter(([route]) => match(route)).reduce((n, [, c]) => n + c, 0);
  const shopifyCalls = () => requests(h.shopify.url, (r) => r.includes('graphql'));
  const wooStockBatches = () => requests(h.woocommerce.url, (r) => r.startsWith('POST') && r.includes('batch'));
  const progress = (shop: string) => h.client.workflow.getHandle(inventoryWorkflowId(shop)).query(inventoryProgressQuery);

  beforeAll(async () => {
    h = await startHarness();
    const erp = [product('TEE', 40), product('MUG', 12), product('CAP', 8), product('KEEP', 5), product('ERP-ONLY', 3)];
    for (const p of erp) await upsertProductWithStock(h.pool, p);
    const inShops = [product('TEE', 1), product('MUG', 1), product('CAP', 1), product('KEEP', 77)];
    await seedShopifyCatalogue(h.shopify.url, [...inShops, product('SHOP-ONLY', 4)]);
    await seedWoocommerceCatalogue(h.woocommerce.url, inShops);
    await h.pool.query(`UPDATE erp.product SET safety_stock = 2 WHERE sku = 'MUG'`);
    await h.pool.query(`UPDATE erp.product SET inventory_sync = false WHERE sku = 'KEEP'`);
    await startInventorySyncs(h.client, { taskQueue: h.taskQueue, shops: SHOPS, policy: POLICY });
    stopListening = await listenForStockChanges(h.pool, h.client, SHOPS);
  });
  afterAll(async () => {
    await stopListening?.();
    for (const shop of SHOPS) await h?.client.workflow.getHandle(inventoryWorkflowId(shop)).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  test('the first resync gives both shops what the ERP may sell: on hand - reserved - safety stock; "no sync" SKUs are left alone', async () => {
    await bothShopsHold('TEE', 40);
    await bothShopsHold('MUG', sellableQuantity({ onHand: 12, reserved: 0, safetyStock: 2 }));
    await bothShopsHold('CAP', 8);
    expect([await inShopify('KEEP'), await inWoo('KEEP')]).toEqual([77, 77]);
    const { rows } = await h.pool.query(`SELECT sku, sellable FROM erp.sellable_stock WHERE sku IN ('MUG', 'TEE') ORDER BY sku`);
    expect(rows).toEqual([{ sku: 'MUG', sellable: 10 }, { sku: 'TEE', sellable: 40 }]);
  });

  test('an SKU only one side knows is an issue (a notice, no decision), once per SKU and shop', async () => {
    const issues = await eventually('unmapped-SKU issues', async () => {
      const { rows } = await h.pool.query(
        `SELECT workflow_id, step, kind, allowed_decisions FROM integration.issue WHERE step LIKE 'unmapped:%' ORDER BY workflow_id, step`);
      return rows.length >= 3 ? rows : undefined;
    });
    expect(issues).toEqual([
      { workflow_id: 'inventory-shopify', step: 'unmapped:ERP-ONLY', kind: 'invalid-data', allowed_decisions: [] },
      { workflow_id: 'inventory-shopify', step: 'unmapped:SHOP-ONLY', kind: 'invalid-data', allowed_decisions: [] },
      { workflow_id: 'inventory-woocommerce', step: 'unmapped:ERP-ONLY', kind: 'invalid-data', allowed_decisions: [] },
    ]);
  });

  test('a stock change made by hand in the ERP reaches both shops', async () => {
    await bothShopsHold('TEE', 40);
    await setOnHand('TEE', 33);
    await bothShopsHold('TEE', 33);

    // An operator finds the syncs that pushed it by SKU in the Temporal UI (visibility query on StockSkus).
    const syncsOf = async (sku: string) => {
      const ids: string[] = [];
      for await (const w of h.client.workflow.list({ query: `StockSkus = '${sku}' AND ExecutionStatus = 'Running'` })) ids.push(w.workflowId);
      return ids.sort();
    };
    await eventually('both syncs findable by the SKU they pushed', async () =>
      JSON.stringify(await syncsOf('TEE')) === JSON.stringify(SHOPS.map(inventoryWorkflowId).sort()) || undefined);
    expect(await syncsOf('NO-SUCH-SKU')).toEqual([]);
  });

  test('a burst of 50 changes to one SKU is pushed once per shop, with its latest value', async () => {
    await bothShopsHold('CAP', 8);
    const before = { shopify: await shopifyCalls(), woo: await wooStockBatches() };
    for (let n = 1; n <= 50; n++) await setOnHand('CAP', 100 + n);
    await bothShopsHold('CAP', 150);
    expect({ shopify: (await shopifyCalls()) - before.shopify, woo: (await wooStockBatches()) - before.woo }).toEqual({ shopify: 1, woo: 1 });
  });

  test('someone changed the shop (stale compare): read back, drift recorded, ERP wins with the read-back value as compare', async () => {
    await bothShopsHold('MUG', 10);
    await simPost(h.shopify.url, 'inventory', { sku: 'MUG', quantity: 99 });
    await setOnHand('MUG', 15);
    await bothShopsHold('MUG', 13);
    const { rows } = await h.pool.query(`SELECT expected, found, erp_sellable, resolution FROM integration.inventory_drift WHERE connection_id = 'shopify' AND sku = 'MUG'`);
    expect(rows).toEqual([{ expected: 10, found: 99, erp_sellable: 13, resolution: 'erp-wins' }]);
  });

  test('a throttled shop slows the sync down without failing it', async () => {
    const throttled = async () => (await simGet<{ throttledRequests: number }>(h.shopify.url, 'throttle')).throttledRequests;
    const before = await throttled();
    await simPost(h.shopify.url, 'throttle', { maximumAvailable: 1000, restoreRate: 2, currentlyAvailable: 0 });
    try {
      await setOnHand('TEE', 21);
      await bothShopsHold('TEE', 21);
      expect(await throttled()).toBeGreaterThan(before);
    } finally {
      await simPost(h.shopify.url, 'throttle', { maximumAvailable: 1000, restoreRate: 50, currentlyAvailable: 1000 });
    }
    const open = await h.pool.query(`SELECT step FROM integration.issue WHERE workflow_id = 'inventory-shopify' AND kind = 'step-failed'`);
    expect(open.rows).toEqual([]);
    expect((await progress('shopify')).state).not.toBe('waiting-operator');
  });

  test('concurrent orders for the last units in two shops never oversell; both shops converge to 0', async () => {
    const shopify = new ShopifyDriver(h);
    const woo = new WoocommerceDriver(h);
    await h.pool.query(`INSERT INTO erp.product (sku, name, unit_price_minor, currency) VALUES ('LAST', 'Last units', 4000, 'USD')`);
    await h.pool.query(`INSERT INTO erp.stock_level (product_id, location_id, on_hand) SELECT p.id, l.id, 2 FROM erp.product p, erp.stock_location l
                         WHERE p.sku = 'LAST' AND l.code = 'MAIN'`);
    await seedShopifyCatalogue(h.shopify.url, [product('LAST', 0)]);
    await seedWoocommerceCatalogue(h.woocommerce.url, [product('LAST', 0)]);
    await h.client.workflow.getHandle(inventoryWorkflowId('shopify')).executeUpdate(requestResyncUpdate);
    await h.client.workflow.getHandle(inventoryWorkflowId('woocommerce')).executeUpdate(requestResyncUpdate);
    await bothShopsHold('LAST', 2);

    const orders = await Promise.all([shopify, woo, shopify, woo].map((shop) =>
      shop.placeOrder({ lines: [{ sku: 'LAST', quantity: 1, unitPriceMinor: 4000 }], payment: 'authorized' }).then((placed) => ({ shop, placed }))));
    const states = await Promise.all(orders.map((o) => settles(h, o.placed.workflowId)));
    expect(states.filter((s) => s === 'awaiting-shipment')).toHaveLength(2);
    const { rows } = await h.pool.query(`SELECT on_hand, reserved, sellable FROM erp.sellable_stock WHERE sku = 'LAST'`);
    expect(rows).toEqual([{ on_hand: 2, reserved: 2, sellable: 0 }]);
    for (const o of orders.filter((_, i) => states[i] === 'awaiting-shipment')) {
      expect((await erpView(h, o.shop.connection, o.placed.order.id)).order.status).toBe('invoiced');
    }
    // The shops restock the cancelled orders themselves, behind the ERP's back; a resync puts the ERP's word back.
    for (const shop of SHOPS) await h.client.workflow.getHandle(inventoryWorkflowId(shop)).executeUpdate(requestResyncUpdate);
    await bothShopsHold('LAST', 0);
  });
}
