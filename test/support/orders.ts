import { StripePayments } from '../../connectors/stripe/client';
import { upsertProductWithStock } from '../../erp/catalogue';
import { listIssues } from '../../engine/issues';
import { markShippedUpdate } from '../../workflows/order/api';
import { progressQuery } from '../../workflows/shared/operator-api';
import { eventually, type Harness } from './harness';
import { simGet } from './sim-control';
import type { ShopDriver } from './shop-drivers';

/** What the order tests share whatever the shop: Stripe, ERP stock, flow states and the ERP's view of an order. */

export const stripeClient = (h: Harness) => new StripePayments({ baseUrl: h.stripe.url, apiKey: h.stripeKey });

export async function seedErpProduct(h: Harness, sku: string, onHand: number, unitPriceMinor = 2500): Promise<void> {
  await upsertProductWithStock(h.pool, { sku, name: `Product ${sku}`, unitPriceMinor, currency: 'USD', onHand });
}

/** Waits until the order's flow reports `state` in its progress query. */
export async function reachesState(h: Harness, workflowId: string, state: string, timeoutMs = 60_000): Promise<void> {
  await eventually(`${workflowId} in state ${state}`, async () => {
    const progress = await h.client.workflow.getHandle(workflowId).query(progressQuery).catch(() => undefined);
    return progress?.state === state ? true : undefined;
  }, timeoutMs);
}

/** Waits until the flow is waiting for shipment or has ended cancelled, and says which. */
export async function settles(h: Harness, workflowId: string): Promise<'awaiting-shipment' | 'cancelled'> {
  return eventually(`${workflowId} settled`, async () => {
    const state = (await h.client.workflow.getHandle(workflowId).query(progressQuery).catch(() => undefined))?.state;
    return state === 'awaiting-shipment' || state === 'cancelled' ? state : undefined;
  });
}

/** Everything the ERP holds about one shop order (found through its binding to that shop's connection). */
export async function erpView(h: Harness, connection: string, shopOrderId: string) {
  const order = await h.pool.query(
    `SELECT o.id, o.order_number, o.status, o.total_minor, o.confirmed_at, o.customer_id, o.shipping_address->>'address1' AS address1
       FROM erp.sales_order o
       JOIN erp.external_ref r ON r.erp_table = 'sales_order' AND r.erp_id = o.id
      WHERE r.system = $1 AND r.entity_type = 'order' AND r.external_id = $2`, [connection, shopOrderId]);
  const id = order.rows[0]?.id ?? -1;
  const reservations = await h.pool.query(
    `SELECT r.status, r.quantity FROM erp.stock_reservation r
       JOIN erp.sales_order_line l ON l.id = r.sales_order_line_id WHERE l.sales_order_id = $1`, [id]);
  const payments = await h.pool.query(
    'SELECT provider_payment_id, status, amount_minor, fee_minor FROM erp.payment WHERE sales_order_id = $1', [id]);
  const invoice = await h.pool.query(
    'SELECT invoice_number, status, total_minor, paid_minor FROM erp.invoice WHERE sales_order_id = $1', [id]);
  return { order: order.rows[0], reservations: reservations.rows, payments: payments.rows, invoice: invoice.rows[0] };
}

/** The warehouse shipped: the operator tells the flow. */
export const ship = (h: Harness, workflowId: string) =>
  h.client.workflow.getHandle(workflowId).executeUpdate(markShippedUpdate, { args: [{ trackingNumber: '1Z999', carrier: 'UPS' }] });

/** How many calls to Stripe routes matching `pattern` the simulator has served. */
export async function stripeCalls(h: Harness, pattern: RegExp): Promise<number> {
  const { requests } = await simGet<{ requests: Record<string, number> }>(h.stripe.url, 'requests');
  return Object.entries(requests).filter(([route]) => pattern.test(route)).reduce((sum, [, n]) => sum + n, 0);
}

export async function openIssue(h: Harness, workflowId: string) {
  return eventually(`an open issue of ${workflowId}`, async () => (await listIssues(h.pool, { workflowId, status: 'open' }))[0]);
}

/** No captured money left on an undone order, no reservation, every record in its cancelled state, the shop as expected. */
export async function expectUndone(
  h: Harness, shop: ShopDriver, placed: { order: { id: string }; paymentIntentId: string | null }, opts: { shopCancelled: boolean },
): Promise<void> {
  const erp = await erpView(h, shop.connection, placed.order.id);
  if (erp.order) expect(erp.order.status).toBe('cancelled');
  expect(erp.reservations.filter((r) => r.status === 'active')).toEqual([]);
  if (erp.invoice) expect(erp.invoice.status).toBe('void');
  if (placed.paymentIntentId) {
    const intent = await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId);
    if (intent.status === 'succeeded') {
      const charge = await stripeClient(h).retrieveCharge(intent.latestChargeId!);
      expect(charge.amountRefundedMinor).toBe(charge.amountCapturedMinor);
    } else {
      expect(intent.status).toBe('canceled');
    }
  }
  expect(Boolean((await shop.getOrder(placed.order.id)).cancelledAt)).toBe(opts.shopCancelled);
}

/** The refunded part of a captured payment. */
export async function refundedMinor(h: Harness, paymentIntentId: string): Promise<number> {
  const intent = await stripeClient(h).retrievePaymentIntent(paymentIntentId);
  return (await stripeClient(h).retrieveCharge(intent.latestChargeId!)).amountRefundedMinor;
}
