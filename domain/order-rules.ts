import type { ShopOrder, ShopPayment } from './order';

/**
 * The order rules workflow code runs: pure functions on an already validated ShopOrder. This module must not import
 * zod, libphonenumber-js or anything that does (type-only imports are erased): with the SDK's reused V8 context
 * every module of the workflow bundle is evaluated again for each workflow in a worker's cache, so every library
 * reachable from here costs memory per open flow (docs/benchmarks.md, "Worker memory";
 * test/unit/workflow-bundle.test.ts keeps it so).
 */

/** The shop connection of an order; orders read before connections existed came from `shopify`. */
export const shopOf = (order: Pick<ShopOrder, 'shop'>): string => order.shop ?? 'shopify';

/** How flows started before the payment became neutral recorded it (Shopify's transaction kinds, Stripe's ids). */
interface LegacyShopPayment { gateway: string; paymentIntentId: string; kind: 'AUTHORIZATION' | 'SALE'; amountMinor: number }

/** The order's payment in today's shape, also when the order was read by an earlier version (workflow replay). */
export function orderPayment(order: Pick<ShopOrder, 'payment'>): ShopPayment | null {
  const payment = order.payment as ShopPayment | LegacyShopPayment | null;
  if (!payment || !('paymentIntentId' in payment)) return payment;
  const { paymentIntentId, kind, ...rest } = payment;
  return { ...rest, paymentId: paymentIntentId, kind: kind === 'AUTHORIZATION' ? 'authorised' : 'captured' };
}

/** Line changes that matter to the ERP: SKU, quantity or price, in order. */
export function linesDiffer(a: ShopOrder, b: ShopOrder): boolean {
  const key = (o: ShopOrder) => JSON.stringify(o.lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor]));
  return key(a) !== key(b) || a.totalMinor !== b.totalMinor;
}

export function addressDiffers(a: ShopOrder, b: ShopOrder): boolean {
  return JSON.stringify(a.shippingAddress) !== JSON.stringify(b.shippingAddress);
}

/** Whether two reads of an order agree on everything the order flow takes from it: lines, total, address, cancellation. */
export function sameOrderContent(a: ShopOrder, b: ShopOrder): boolean {
  return !linesDiffer(a, b) && !addressDiffers(a, b) && (a.cancelledAt === null) === (b.cancelledAt === null);
}

/** Order totals must add up exactly; a 1-cent difference is a data problem to show, not to round away. */
export function totalsProblem(order: ShopOrder): string | null {
  const gross = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const expected = gross - order.discountMinor + order.taxMinor + order.shippingMinor;
  return expected === order.totalMinor ? null
    : `order total ${order.totalMinor} ≠ lines ${gross} − discount ${order.discountMinor} + tax ${order.taxMinor} + shipping ${order.shippingMinor} = ${expected} (minor units)`;
}
