import { z } from 'zod';

/** What the relay keeps of one verified vendor event: its identity, topic and the business key it concerns. */
export type Provider = 'hubspot' | 'shopify' | 'stripe';

export interface InboundEvent {
  provider: Provider;
  eventId: string;
  topic: string;
  /** e.g. `hubspot:contact:123`; the dispatcher derives workflow ids from it. */
  businessKey: string;
  payload: unknown;
}

export type ParseResult = { ok: true; events: InboundEvent[] } | { ok: false; reason: string };

const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
}

// ---- HubSpot: a JSON array of up to 100 events per request ----------------

export const HUBSPOT_TOPICS = ['contact.creation', 'contact.propertyChange', 'contact.deletion', 'contact.restore'] as const;

const hubspotEvent = z.object({
  eventId: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  subscriptionType: z.string().min(1),
  objectId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]),
  portalId: z.number().int().optional(),
  occurredAt: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
const hubspotBatch = z.array(hubspotEvent).min(1).max(100);

export function parseHubspot(raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const batch = hubspotBatch.safeParse(json.value);
  if (!batch.success) return { ok: false, reason: `invalid HubSpot event batch: ${issuesText(batch.error)}` };
  const unknown = batch.data.filter((e) => !(HUBSPOT_TOPICS as readonly string[]).includes(e.subscriptionType));
  if (unknown.length > 0) return { ok: false, reason: `unknown subscriptionType ${unknown.map((e) => e.subscriptionType).join(', ')}` };
  const originals = json.value as unknown[];
  return {
    ok: true,
    events: batch.data.map((e, index) => ({
      provider: 'hubspot',
      eventId: String(e.eventId),
      topic: e.subscriptionType,
      businessKey: `hubspot:contact:${e.objectId}`,
      payload: originals[index],
    })),
  };
}

// ---- Shopify: one resource per request, topic and id in headers -----------

export const SHOPIFY_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid'] as const;

const shopifyOrder = z.object({ id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]) }).passthrough();

export function parseShopify(raw: Buffer, headers: { topic?: string; webhookId?: string }): ParseResult {
  if (!headers.webhookId) return { ok: false, reason: 'missing X-Shopify-Webhook-Id header' };
  if (!headers.topic) return { ok: false, reason: 'missing X-Shopify-Topic header' };
  if (!(SHOPIFY_TOPICS as readonly string[]).includes(headers.topic)) return { ok: false, reason: `unknown topic ${headers.topic}` };
  const json = parseJson(raw);
  if (!json.ok) return json;
  const order = shopifyOrder.safeParse(json.value);
  if (!order.success) return { ok: false, reason: `invalid order payload: ${issuesText(order.error)}` };
  return {
    ok: true,
    events: [{ provider: 'shopify', eventId: headers.webhookId, topic: headers.topic, businessKey: `shopify:order:${order.data.id}`, payload: json.value }],
  };
}

// ---- Stripe: one event object per request ----------------------------------

export const STRIPE_TOPICS = [
  'payment_intent.succeeded',
  'payment_intent.amount_capturable_updated',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.succeeded',
  'charge.refunded',
  'charge.refund.updated',
  'refund.created',
  'refund.updated',
  'payout.paid',
  'payout.failed',
] as const;

const stripeEvent = z.object({
  id: z.string().regex(/^evt_/, 'must start with evt_'),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.object({ id: z.string().min(1), object: z.string().min(1) }).passthrough() }),
});

export function parseStripe(raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const event = stripeEvent.safeParse(json.value);
  if (!event.success) return { ok: false, reason: `invalid Stripe event: ${issuesText(event.error)}` };
  if (!(STRIPE_TOPICS as readonly string[]).includes(event.data.type)) return { ok: false, reason: `unknown event type ${event.data.type}` };
  const object = event.data.data.object;
  return {
    ok: true,
    events: [{ provider: 'stripe', eventId: event.data.id, topic: event.data.type, businessKey: `stripe:${object.object}:${object.id}`, payload: json.value }],
  };
}
