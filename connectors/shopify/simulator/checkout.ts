import { randomUUID } from 'node:crypto';
import type { ShopifyClient } from '../client';
import type { StripePayments } from '../../stripe/client';
import { toDecimalString } from '../../../domain/money';
import type { ShopOrder } from '../../../domain/order';

/**
 * A shop checkout as Shopify with Stripe performs it: the PaymentIntent first (authorised, or captured at once),
 * then the order recording it as a gateway transaction whose authorizationCode is the PaymentIntent id.
 * Used by the demo and the tests to drive the simulators exactly as a real storefront would.
 */

export interface CheckoutSpec {
  lines: Array<{ sku: string; quantity: number; unitPriceMinor: number; title?: string }>;
  payment: 'authorized' | 'captured' | 'none';
  email?: string;
  firstName?: string;
  lastName?: string;
  shippingMinor?: number;
  currency?: string;
}

export interface CheckoutResult { order: ShopOrder; paymentIntentId: string | null }

export async function checkout(shop: ShopifyClient, payments: StripePayments, spec: CheckoutSpec): Promise<CheckoutResult> {
  const currency = spec.currency ?? 'USD';
  const money = (minor: number) => ({ shopMoney: { amount: toDecimalString(minor, currency), currencyCode: currency } });
  const total = spec.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) + (spec.shippingMinor ?? 0);
  const email = spec.email ?? `buyer-${randomUUID().slice(0, 8)}@example.com`;
  const [firstName, lastName] = [spec.firstName ?? 'Ada', spec.lastName ?? 'Buyer'];
  const intent = spec.payment === 'none' ? null : await payments.createPaymentIntent({
    amountMinor: total, currency, captureMethod: spec.payment === 'authorized' ? 'manual' : 'automatic',
    paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: randomUUID(),
  });
  const order = await shop.createOrder({
    email,
    currency,
    lineItems: spec.lines.map((l) => ({ sku: l.sku, title: l.title ?? l.sku, quantity: l.quantity, priceSet: money(l.unitPriceMinor) })),
    shippingAddress: { firstName, lastName, address1: '1 Main St', city: 'Springfield', zip: '12345', countryCode: 'US' },
    customer: { toUpsert: { email, firstName, lastName } },
    financialStatus: spec.payment === 'authorized' ? 'AUTHORIZED' : spec.payment === 'captured' ? 'PAID' : 'PENDING',
    transactions: intent
      ? [{ kind: spec.payment === 'authorized' ? 'AUTHORIZATION' : 'SALE', status: 'SUCCESS', gateway: 'stripe', authorizationCode: intent.id, amountSet: money(total) }]
      : [],
    shippingLines: spec.shippingMinor ? [{ title: 'Standard', priceSet: money(spec.shippingMinor) }] : [],
  });
  return { order, paymentIntentId: intent?.id ?? null };
}
