import type { ShopOrder } from '../../domain/order';
import type { Queryable } from '../../db/transaction';
import { sameOrderContent } from '../../domain/order-rules';
import { expectWriteEcho, recordBroughtVersion } from '../../engine/write-echo';
import { erpReference, type ShopPort } from '../../ports/shop';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * The order flow's shop activities, through the shop port of the order's connection. The connection comes last
 * and defaults to `shopify`, so that flows started before connections existed keep calling them as they did.
 */

export interface OrderShopDeps {
  /** Shop ports by connection id. */
  shops: ReadonlyMap<string, ShopPort>;
  /** Where the announcements of our own writes are awaited (engine/write-echo.ts). */
  pool: Queryable;
}

/** Tracking as the flow passes it (`company` is the carrier). */
export interface ShipmentTracking { number: string; company: string }

export function createOrderShopActivities(deps: OrderShopDeps) {
  const shopOf = (shop: string) => portOf(deps.shops, shop, 'shop');
  return {
    /** Reads the order from the shop (never trusting the webhook body), stamped with its connection; null when gone. */
    async fetchShopOrder(orderId: string, shop = 'shopify'): Promise<ShopOrder | null> {
      const order = await callVendor(() => shopOf(shop).getOrder(orderId), { notFound: null });
      return order && { ...order, shop };
    },

    /**
     * Tells the shop the ERP order number (a tag or reference the shop's staff can search by). The shop announces
     * the write as an order update: awaited first, so the relay need not hand it back to the flow. When the order as
     * the shop answers the write has the content the flow holds (`held`), the flow has that version too: recorded,
     * so the order catch-up does not hand it over (an edit made in between, whose webhook was lost, makes it differ).
     */
    async tagShopOrder(shopOrderId: string, orderNumber: string, shop = 'shopify', held?: ShopOrder | null): Promise<void> {
      const mark = erpReference(orderNumber);
      await expectWriteEcho(deps.pool, shop, shopOrderId, mark);
      const after = await callVendor(() => shopOf(shop).noteErpNumber(shopOrderId, orderNumber));
      if (held && after.version && sameOrderContent(held, after)) await recordBroughtVersion(deps.pool, shop, shopOrderId, mark, after.version);
    },

    /** Cancels the order in the shop (compensation, where policy says so); our refund goes through the provider. */
    async cancelShopOrder(shopOrderId: string, shop = 'shopify'): Promise<void> {
      await callVendor(() => shopOf(shop).cancelOrder(shopOrderId, { reason: 'other', restock: true }), { notFound: null });
    },

    /** The shop marks the order shipped with the tracking number, so that the buyer is told. */
    async fulfilInShop(shopOrderId: string, tracking: ShipmentTracking | null, shop = 'shopify'): Promise<void> {
      await callVendor(() => shopOf(shop).fulfilOrder(shopOrderId, tracking && { number: tracking.number, carrier: tracking.company }));
    },
  };
}

export type OrderShopActivities = ReturnType<typeof createOrderShopActivities>;
