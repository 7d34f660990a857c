import type { WoocommerceClient } from '../client';
import type { StripePayments } from '../../stripe/client';
import { toDecimalString } from '../../../domain/money';
import type { CheckoutResult } from '../../shopify/simulator/checkout';
import { payAtCheckout, type CheckoutSpec } from '../../stripe/simulator/checkout-payment';

/**
 * A WooCommerce checkout paid with the WooCommerce Stripe gateway, as a storefront performs it against our
 * simulators: the PaymentIntent first (authorised, or captured at once), then the order recording it in its meta
 * (`_stripe_intent_id`) and, once charged, `transaction_id`. Used by the demo and the tests.
 */
export async function woocommerceCheckout(
  sim: { url: string }, shop: WoocommerceClient, payments: StripePayments, spec: CheckoutSpec,
): Promise<CheckoutResult> {
  const { currency, buyer: { email, firstName, lastName }, intent } = await payAtCheckout(payments, spec);
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
