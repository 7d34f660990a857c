import { ShopifyClient } from '../../connectors/shopify/client';
import { StripePayments } from '../../connectors/stripe/client';
import { checkout, type CheckoutResult, type CheckoutSpec } from '../../simulators/checkout';
import { upsertProductWithStock } from '../../erp/catalogue';
import { orderWorkflowId } from '../../workflows/order/api';
import { progressQuery } from '../../workflows/shared/operator-api';
import { eventually, type Harness } from './harness';

/** Places orders the way a shop checkout does: a Stripe PaymentIntent first, then the Shopify order recording it. */

export type PlaceOrder = CheckoutSpec;
export interface PlacedOrder extends CheckoutResult { workflowId: string }

export const shopClient = (h: Harness) => new ShopifyClient({ baseUrl: h.shopify.url, accessToken: h.shopifyToken, apiVersion: '2026-10' });
export const stripeClient = (h: Harness) => new StripePayments({ baseUrl: h.stripe.url, apiKey: h.stripeKey });

export async function seedProduct(h: Harness, sku: string, onHand: number, unitPriceMinor = 2500): Promise<void> {
  await upsertProductWithStock(h.pool, { sku, name: `Product ${sku}`, unitPriceMinor, currency: 'USD', onHand });
}

export async function placeOrder(h: Harness, spec: PlaceOrder): Promise<PlacedOrder> {
  const placed = await checkout(shopClient(h), stripeClient(h), spec);
  return { ...placed, workflowId: orderWorkflowId('shopify', placed.order.id) };
}

/** Waits until the order's flow reports `state` in its progress query. */
export async function reachesState(h: Harness, workflowId: string, state: string, timeoutMs = 60_000): Promise<void> {
  await eventually(`${workflowId} in state ${state}`, async () => {
    const progress = await h.client.workflow.getHandle(workflowId).query(progressQuery).catch(() => undefined);
    return progress?.state === state ? true : undefined;
  }, timeoutMs);
}

/** Everything the ERP holds about one shop order, for consistency checks. */
export async function erpView(h: Harness, shopOrderId: string) {
  const order = await h.pool.query(
    `SELECT o.id, o.order_number, o.status, o.total_minor, o.confirmed_at FROM erp.sales_order o
       JOIN erp.external_ref r ON r.erp_table = 'sales_order' AND r.erp_id = o.id
      WHERE r.system = 'shopify' AND r.entity_type = 'order' AND r.external_id = $1`, [shopOrderId]);
  const id = order.rows[0]?.id ?? -1;
  const reservations = await h.pool.query(
    `SELECT r.status, r.quantity FROM erp.stock_reservation r JOIN erp.sales_order_line l ON l.id = r.sales_order_line_id WHERE l.sales_order_id = $1`, [id]);
  const payments = await h.pool.query('SELECT provider_payment_id, status, amount_minor, fee_minor FROM erp.payment WHERE sales_order_id = $1', [id]);
  const invoice = await h.pool.query('SELECT invoice_number, status, total_minor, paid_minor FROM erp.invoice WHERE sales_order_id = $1', [id]);
  return { order: order.rows[0], reservations: reservations.rows, payments: payments.rows, invoice: invoice.rows[0] };
}
