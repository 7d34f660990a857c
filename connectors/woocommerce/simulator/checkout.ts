import { randomUUID } from 'node:crypto';
import type { WoocommerceClient } from '../client';
import type { StripePayments } from '../../stripe/client';
import { toDecimalString } from '../../../domain/money';
import type { CheckoutResult, CheckoutSpec } from '../../shopify/simulator/checkout';

/**
 * A WooCommerce checkout paid with the WooCommerce Stripe gateway, as a storefront performs it against our
 * simulators: the PaymentIntent first (authorised, or captured at once), then the order recording it in its meta
 * (`_stripe_intent_id`) and, once charged, `transaction_id`. Used by the demo and the tests.
 */
export async function woocommerceCheckout(
  sim: { url: string }, shop: WoocommerceClient, payments: StripePayments, spec: CheckoutSpec,
): Promise<CheckoutResult> {
  const currency = spec.currency ?? 'USD';
  const total = spec.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) + (spec.shippingMinor ?? 0);
  const email = spec.email ?? `buyer-${randomUUID().slice(0, 8)}@example.com`;
  const [firstName, lastName] = [spec.firstName ?? 'Ada', spec.lastName ?? 'Buyer'];
  const intent = spec.payment === 'none' ? null : await payments.createPaymentIntent({
    amountMinor: total, currency, captureMethod: spec.payment === 'authorized' ? 'manual' : 'automatic',
    paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: randomUUID(),
  });
  const address = { first_name: firstName, last_name: lastName, address_1: '1 Main St', city: 'Springfield', postcode: '12345', country: 'US', email };
  const res = await fetch(`${sim.url}/__sim/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      currency,
      billing: address,
      shipping: address,
      line_items: spec.lines.map((l) => ({ sku: l.sku, name: l.title ?? l.sku, quantity: l.quantity, price: toDecimalString(l.unitPriceMinor, currency) })),
      shipping_total: toDecimalString(spec.shippingMinor ?? 0, currency),
      ...(intent
        ? {
          payment_method: 'stripe', payment_method_title: 'Credit card (Stripe)',
          stripe: { intent_id: intent.id, ...(intent.latestChargeId ? { charge_id: intent.latestChargeId } : {}), captured: spec.payment === 'captured' },
        }
        : {}),
    }),
  });
  if (!res.ok) throw new Error(`WooCommerce simulator refused the order: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: number };
  return { order: await shop.getOrder(String(id)), paymentIntentId: intent?.id ?? null };
}
