import type { ShopOrder } from '../domain/order';

/**
 * The shop port: what the engine needs from any online shop, in the engine's own words. A connector
 * (connectors/shopify, connectors/woocommerce) maps its vendor's API onto it. A missing order is a VendorHttpError
 * with status 404, so activities can tell "gone" from "failed".
 */

export type ShopCancelReason = 'customer' | 'declined' | 'fraud' | 'inventory' | 'staff' | 'other';

export interface Tracking { number: string; carrier: string }

export interface ShopPort {
  /** The order as the shop has it now (never the webhook body). */
  getOrder(orderId: string): Promise<ShopOrder>;
  /**
   * Notes the ERP order number on the shop order, where the shop's staff can search for it, and returns the order as
   * it is after that write (its `version` included). Repeatable.
   */
  noteErpNumber(orderId: string, erpNumber: string): Promise<ShopOrder>;
  /** Cancels the order in the shop, putting its stock back; refunds are the payment provider's business. Repeatable. */
  cancelOrder(orderId: string, opts: { reason: ShopCancelReason; restock: boolean }): Promise<void>;
  /** Marks the order shipped with its tracking, so that the buyer is told. Repeatable; refused for a dead order. */
  fulfilOrder(orderId: string, tracking: Tracking | null): Promise<void>;
  /**
   * One page of the orders changed at or after `sinceIso` (a UTC instant), whatever announced them or not; pass
   * the page's `nextCursor` for the next one (null: no more). For catch-up: the order itself is read with getOrder.
   */
  listOrdersUpdatedSince(sinceIso: string, cursor?: string | null): Promise<ShopOrderPage>;
}

/** An order as a listing names it: enough to decide whether to look at it. */
export interface ShopOrderSummary { id: string; updatedAt: string; cancelled: boolean }
export interface ShopOrderPage { orders: ShopOrderSummary[]; nextCursor: string | null }

/** The ERP number as the shop shows it (a Shopify tag, a WooCommerce reference note). */
export const erpReference = (erpNumber: string) => `erp:${erpNumber}`;
export const isErpReference = (tag: string) => tag.startsWith('erp:') && tag.length > 4;
/** The ERP references in a shop's comma-separated tag list. */
export const erpReferencesIn = (tags: string) => tags.split(',').map((t) => t.trim()).filter(isErpReference);
