import type { PaymentsConnector } from '../registry';
import { required } from '../settings';
import { StripePaymentsPort } from './payments-port';
import { stripeWebhooks } from './webhooks';

/** Stripe serves the payments role: the official SDK with its retries off, signed events. */
export const stripeConnector: PaymentsConnector = {
  vendor: 'stripe',
  name: 'Stripe',
  role: 'payments',
  webhooks: stripeWebhooks,
  createPayments: ({ stripe }) => new StripePaymentsPort({
    baseUrl: stripe?.baseUrl ?? 'https://api.stripe.com',
    apiKey: required(stripe?.apiKey, 'STRIPE_API_KEY', 'Stripe'),
  }),
};
