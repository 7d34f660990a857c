import { randomUUID } from 'node:crypto';
import type { PaymentIntentView, StripePayments } from '../client';

/**
 * What any shop's checkout does first with Stripe: the buyer, the order total and the PaymentIntent (authorised,
 * or captured at once). The shop's own checkout driver then records the order with it.
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

export interface CheckoutPayment {
  currency: string;
  totalMinor: number;
  buyer: { email: string; firstName: string; lastName: string };
  intent: PaymentIntentView | null;
}

export async function payAtCheckout(payments: StripePayments, spec: CheckoutSpec): Promise<CheckoutPayment> {
  const currency = spec.currency ?? 'USD';
  const totalMinor = spec.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) + (spec.shippingMinor ?? 0);
  const buyer = { email: spec.email ?? `buyer-${randomUUID().slice(0, 8)}@example.com`, firstName: spec.firstName ?? 'Ada', lastName: spec.lastName ?? 'Buyer' };
  const intent = spec.payment === 'none' ? null : await payments.createPaymentIntent({
    amountMinor: totalMinor, currency, captureMethod: spec.payment === 'authorized' ? 'manual' : 'automatic',
    paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: randomUUID(),
  });
  return { currency, totalMinor, buyer, intent };
}
