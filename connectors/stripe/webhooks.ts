import { z } from 'zod';
import { businessKeyOf, fingerprintOf, issuesText, parseJson, type ParseResult } from '../../domain/webhooks/events';
import type { EventKind, WebhookSource } from '../../ports/webhooks';
import { verifyStripe } from './signature';

/** Stripe webhooks: one event object per request, `Stripe-Signature` with a timestamp tolerance. */

const KINDS: Record<string, EventKind> = {
  'payment_intent.succeeded': 'payment-changed',
  'payment_intent.amount_capturable_updated': 'payment-changed',
  'payment_intent.payment_failed': 'payment-changed',
  'payment_intent.canceled': 'payment-changed',
  'charge.succeeded': 'payment-changed',
  'charge.refunded': 'refund-changed',
  'charge.refund.updated': 'refund-changed',
  'refund.created': 'refund-changed',
  'refund.updated': 'refund-changed',
  'charge.dispute.created': 'dispute-changed',
  'charge.dispute.closed': 'dispute-changed',
  'payout.paid': 'payout-changed',
  'payout.failed': 'payout-changed',
  'payout.reconciliation_completed': 'payout-changed',
};
export const STRIPE_TOPICS = Object.keys(KINDS);

// Some objects have no id (the `balance` of balance.available): only the event types we handle need one.
const stripeEvent = z.object({
  id: z.string().regex(/^evt_/, 'must start with evt_'),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.object({ id: z.string().min(1).optional(), object: z.string().min(1) }).passthrough() }),
});

export function parseStripe(connection: string, raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const event = stripeEvent.safeParse(json.value);
  if (!event.success) return { ok: false, reason: `invalid Stripe event: ${issuesText(event.error)}` };
  const { id: eventId, type: topic } = event.data;
  const object = event.data.data.object;
  const ignored = !KINDS[topic];
  if (!ignored && !object.id) return { ok: false, reason: 'invalid Stripe event: data.object.id: required' };
  const businessKey = businessKeyOf(connection, object.object, object.id ?? eventId);
  return { ok: true, events: [{ provider: connection, eventId, topic, businessKey, payload: json.value, ...(ignored ? { ignored } : {}) }] };
}

/** The PaymentIntent an event is about: its own object, or the `payment_intent` of a charge, refund or dispute. */
export function stripeSubjectOf(_topic: string, payload: unknown): string | null {
  const object = (payload as { data?: { object?: { object?: unknown; id?: unknown; payment_intent?: unknown } } } | null)?.data?.object;
  if (!object) return null;
  const id = object.object === 'payment_intent' ? object.id : object.payment_intent;
  if (typeof id === 'string') return id;
  const expanded = (id as { id?: unknown } | null)?.id;
  return typeof expanded === 'string' ? expanded : null;
}

export const stripeWebhooks: WebhookSource = {
  vendor: 'stripe',
  keepsHeader: (name) => name.startsWith('stripe-'),
  verify: (req, secret) => verifyStripe({ secret, rawBody: req.rawBody, header: req.headers['stripe-signature'], nowSeconds: Math.floor(req.nowMs / 1000) }),
  parse: (connection, raw) => parseStripe(connection, raw),
  fingerprint: (raw) => fingerprintOf(raw),
  kindOf: (topic) => KINDS[topic] ?? null,
  subjectOf: stripeSubjectOf,
};
