import { randomUUID } from 'node:crypto';
import { ShopifyClient } from '../../connectors/shopify/client';
import { StripePayments } from '../../connectors/stripe/client';
import { toDecimalString } from '../../domain/money';
import type { ShopOrder } from '../../domain/order';
import { upsertProductWithStock } from '../../erp/catalogue';
import { orderWorkflowId } from '../../relay/routes';
import { progressQuery } from '../../workflows/shared/operator-api';
import { eventually, type Harness } from './harness';

/** Places orders the way a shop checkout does: a Stripe PaymentIntent first, then the Shopify order recording it. */

export interface PlaceOrder {
  lines: Array<{ sku: string; quantity: number; unitPriceMinor: number }>;
  payment: 'authorized' | 'captured' | 'none';
  email?: string;
  shippingMinor?: number;
  currency?: string;
}

export interface PlacedOrder { order: ShopOrder; paymentIntentId: string | null; workflowId: string }

export const shopClient = (h: Harness) => new ShopifyClient({ baseUrl: h.shopify.url, accessToken: h.shopifyToken, apiVersion: '2025-07' });
export const stripeClient = (h: Harness) => new StripePayments({ baseUrl: h.stripe.url, apiKey: h.stripeKey });

export async function seedProduct(h: Harness, sku: string, onHand: number, unitPriceMinor = 2500): Promise<void> {
  await upsertProductWithStock(h.pool, { sku, name: `Product ${sku}`, unitPriceMinor, currency: 'USD', onHand });
}

export async function placeOrder(h: Harness, spec: PlaceOrder): Promise<PlacedOrder> {
  const currency = spec.currency ?? 'USD';
  const money = (minor: number) => ({ shopMoney: { amount: toDecimalString(minor, currency), currencyCode: currency } });
  const total = spec.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) + (spec.shippingMinor ?? 0);
  const email = spec.email ?? `buyer-${randomUUID().slice(0, 8)}@example.com`;
  const intent = spec.payment === 'none' ? null : await stripeClient(h).createPaymentIntent({
    amountMinor: total, currency, captureMethod: spec.payment === 'authorized' ? 'manual' : 'automatic',
    paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: randomUUID(),
  });
  const order = await shopClient(h).createOrder({
    email,
    currency,
    lineItems: spec.lines.map((l) => ({ sku: l.sku, title: `Product ${l.sku}`, quantity: l.quantity, priceSet: money(l.unitPriceMinor) })),
    shippingAddress: { firstName: 'Ada', lastName: 'Buyer', address1: '1 Main St', city: 'Springfield', zip: '12345', countryCode: 'US' },
    customer: { toUpsert: { email, firstName: 'Ada', lastName: 'Buyer' } },
    financialStatus: spec.payment === 'authorized' ? 'AUTHORIZED' : spec.payment === 'captured' ? 'PAID' : 'PENDING',
    transactions: intent ? [{ kind: spec.payment === 'authorized' ? 'AUTHORIZATION' : 'SALE', status: 'SUCCESS', gateway: 'stripe', authorizationCode: intent.id, amountSet: money(total) }] : [],
    shippingLines: spec.shippingMinor ? [{ title: 'Standard', priceSet: money(spec.shippingMinor) }] : [],
  });
  return { order, paymentIntentId: intent?.id ?? null, workflowId: orderWorkflowId(order.id) };
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
