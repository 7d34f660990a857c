import type { ShopifyClient } from '../client';
import type { StripePayments } from '../../stripe/client';
import { toDecimalString } from '../../../domain/money';
import type { ShopOrder } from '../../../domain/order';
import { payAtCheckout, type CheckoutSpec } from '../../stripe/simulator/checkout-payment';

/**
 * A shop checkout as Shopify with Stripe performs it: the PaymentIntent first (authorised, or captured at once),
 * then the order recording it as a gateway transaction whose authorizationCode is the PaymentIntent id.
 * Used by the demo and the tests to drive the simulators exactly as a real storefront would.
 */

export type { CheckoutSpec } from '../../stripe/simulator/checkout-payment';

export interface CheckoutResult { order: ShopOrder; paymentIntentId: string | null }

export async function checkout(shop: ShopifyClient, payments: StripePayments, spec: CheckoutSpec): Promise<CheckoutResult> {
  const { currency, totalMinor: total, buyer: { email, firstName, lastName }, intent } = await payAtCheckout(payments, spec);
  const money = (minor: number) => ({ shopMoney: { amount: toDecimalString(minor, currency), currencyCode: currency } });
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
