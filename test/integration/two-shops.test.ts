import { availability } from '../../erp/catalogue';
import { startHarness, type Harness } from '../support/harness';
import { erpView, expectUndone, reachesState, settles, ship } from '../support/orders';
import { ShopifyDriver, WoocommerceDriver, type PlacedOrder, type ShopDriver } from '../support/shop-drivers';

/**
 * Two shops on one engine: a SKU sold in both draws on one ERP stock, and the same order number in both shops is
 * two orders. Shopify and WooCommerce simulators, relay, Temporal, worker and PostgreSQL, all real.
 */

let h: Harness;
let shopify: ShopifyDriver;
let woocommerce: WoocommerceDriver;
beforeAll(async () => {
  h = await startHarness();
  shopify = new ShopifyDriver(h);
  woocommerce = new WoocommerceDriver(h);
  for (const shop of [shopify, woocommerce]) await shop.seedProduct('TEE', 100, 2500);
});
afterAll(async () => h?.close());

const handleOf = (workflowId: string) => h.client.workflow.getHandle(workflowId);

test('the last units of a SKU both shops sell go to exactly as many orders; the rest are cancelled and undone', async () => {
  for (const shop of [shopify, woocommerce]) await shop.seedProduct('SHARED', 3, 4000);
  const buy = async (shop: ShopDriver) => ({
    shop, placed: await shop.placeOrder({ lines: [{ sku: 'SHARED', quantity: 1, unitPriceMinor: 4000 }], payment: 'authorized' }),
  });
  const orders = await Promise.all([shopify, woocommerce, shopify, woocommerce].map(buy));
  const states = await Promise.all(orders.map((o) => settles(h, o.placed.workflowId)));

  expect(states.filter((s) => s === 'awaiting-shipment')).toHaveLength(3);
  expect(await availability(h.pool, ['SHARED'])).toEqual([{ sku: 'SHARED', onHand: 3, reserved: 3, available: 0 }]);
  const loser = orders[states.indexOf('cancelled')]!;
  expect(await handleOf(loser.placed.workflowId).result())
    .toMatchObject({ status: 'cancelled', reason: expect.stringContaining('insufficient stock: SHARED') });
  await expectUndone(h, loser.shop, loser.placed, { shopCancelled: true });

  const winners = orders.filter((o) => o !== loser);
  for (const { placed } of winners) await ship(h, placed.workflowId);
  for (const { placed } of winners) expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'fulfilled' });
  expect(await availability(h.pool, ['SHARED'])).toEqual([{ sku: 'SHARED', onHand: 0, reserved: 0, available: 0 }]);
});

test('an order id both shops use is two flows, two ERP orders, two bindings; one shop\'s cancellation leaves the other alone', async () => {
  const fromShopify = await shopify.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
  const id = fromShopify.order.id;
  await woocommerce.pinNextOrderId(id);
  const fromWoo = await woocommerce.placeOrder({ lines: [{ sku: 'TEE', quantity: 2, unitPriceMinor: 2500 }], payment: 'captured' });
  expect(fromWoo.order.id).toBe(id);
  expect([fromShopify.workflowId, fromWoo.workflowId]).toEqual([`order-shopify-${id}`, `order-woocommerce-${id}`]);
  await Promise.all([fromShopify, fromWoo].map((p) => reachesState(h, p.workflowId, 'awaiting-shipment')));

  const [inShopify, inWoo] = await Promise.all([erpView(h, 'shopify', id), erpView(h, 'woocommerce', id)]);
  expect(inShopify.order.id).not.toBe(inWoo.order.id);
  expect([inShopify.order.total_minor, inWoo.order.total_minor]).toEqual([2500, 5000]);
  expect(inShopify.payments).toMatchObject([{ provider_payment_id: fromShopify.paymentIntentId, amount_minor: 2500 }]);
  expect(inWoo.payments).toMatchObject([{ provider_payment_id: fromWoo.paymentIntentId, amount_minor: 5000 }]);
  const bindings = await h.pool.query(
    `SELECT system, erp_id FROM erp.external_ref WHERE entity_type = 'order' AND external_id = $1 ORDER BY system`, [id]);
  expect(bindings.rows).toEqual([{ system: 'shopify', erp_id: inShopify.order.id }, { system: 'woocommerce', erp_id: inWoo.order.id }]);
  expect(await shopify.erpReferences(id)).toEqual([`erp:${inShopify.order.order_number}`]);
  expect(await woocommerce.erpReferences(id)).toEqual([`erp:${inWoo.order.order_number}`]);

  await woocommerce.cancelInShop(id);
  expect(await handleOf(fromWoo.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
  await expectUndone(h, woocommerce, fromWoo, { shopCancelled: true });
  await expectStillWaiting(fromShopify);
  await ship(h, fromShopify.workflowId);
  expect(await handleOf(fromShopify.workflowId).result()).toMatchObject({ status: 'fulfilled', orderNumber: inShopify.order.order_number });
  expect((await erpView(h, 'shopify', id)).order.status).toBe('fulfilled');
  expect([await shopify.fulfilments(id), await woocommerce.fulfilments(id)]).toEqual([1, 0]);
});

/** The other shop's order of the same id is untouched: still waiting for shipment, its ERP order invoiced, its shop order open. */
async function expectStillWaiting(placed: PlacedOrder): Promise<void> {
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  expect((await erpView(h, 'shopify', placed.order.id)).order.status).toBe('invoiced');
  expect((await shopify.getOrder(placed.order.id)).cancelledAt).toBeNull();
}
