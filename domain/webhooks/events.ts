import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What the relay keeps of one verified vendor event: its identity, topic and the business key it concerns.
 * Topics we do not handle are kept too, marked `ignored`: answering them with a 4xx would make the vendor redeliver
 * for days and may get the endpoint disabled. Only bodies we cannot read at all are refused.
 */
export type Provider = 'hubspot' | 'shopify' | 'stripe';

export interface InboundEvent {
  provider: Provider;
  eventId: string;
  topic: string;
  /** e.g. `hubspot:contact:123`; the dispatcher derives workflow ids from it. */
  businessKey: string;
  payload: unknown;
  /** A topic no flow subscribes to: stored as `ignored`, never dispatched. */
  ignored?: boolean;
}

export type ParseResult = { ok: true; events: InboundEvent[] } | { ok: false; reason: string };

/** Request headers by lower-case name, as received or as kept with a quarantined body. */
export type DeliveryHeaders = Record<string, string | undefined>;

const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
}

const digits = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]);

// ---- HubSpot: a JSON array of up to 100 events per request ----------------

export const HUBSPOT_TOPICS = ['contact.creation', 'contact.propertyChange', 'contact.deletion', 'contact.restore'] as const;

/** What every HubSpot event has, whatever its subscription type (association events have no objectId). */
const hubspotAnyEvent = z.object({
  eventId: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  subscriptionType: z.string().min(1),
  objectId: digits.optional(),
}).passthrough();
const hubspotContactEvent = hubspotAnyEvent.extend({
  objectId: digits,
  portalId: z.number().int().optional(),
  occurredAt: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
const hubspotBatch = z.array(hubspotAnyEvent).min(1).max(100);

export function parseHubspot(raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const batch = hubspotBatch.safeParse(json.value);
  if (!batch.success) return { ok: false, reason: `invalid HubSpot event batch: ${issuesText(batch.error)}` };
  const events: InboundEvent[] = [];
  for (const [index, e] of batch.data.entries()) {
    const original = (json.value as unknown[])[index];
    const eventId = String(e.eventId);
    if (!isHandledTopic('hubspot', e.subscriptionType)) {
      const objectType = e.subscriptionType.split('.')[0];
      const businessKey = e.objectId === undefined ? `hubspot:event:${eventId}` : `hubspot:${objectType}:${e.objectId}`;
      events.push({ provider: 'hubspot', eventId, topic: e.subscriptionType, businessKey, payload: original, ignored: true });
      continue;
    }
    const contact = hubspotContactEvent.safeParse(e);
    if (!contact.success) return { ok: false, reason: `invalid HubSpot event batch: ${issuesText(prefixed(contact.error, index))}` };
    events.push({ provider: 'hubspot', eventId, topic: e.subscriptionType, businessKey: `hubspot:contact:${contact.data.objectId}`, payload: original });
  }
  return { ok: true, events };
}

/** Re-roots an element's issues at its index in the batch, so the reason names the field as the batch has it. */
function prefixed(error: z.ZodError, index: number): z.ZodError {
  return new z.ZodError(error.issues.map((i) => ({ ...i, path: [index, ...i.path] })));
}

// ---- Shopify: one resource per request, topic and id in headers -----------

export const SHOPIFY_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid'] as const;

const shopifyOrder = z.object({ id: digits }).passthrough();
const shopifyAnyResource = z.object({ id: z.union([z.number(), z.string()]).optional() }).passthrough();

export function parseShopify(raw: Buffer, headers: { topic?: string; webhookId?: string }): ParseResult {
  const { topic, webhookId } = headers;
  if (!webhookId) return { ok: false, reason: 'missing X-Shopify-Webhook-Id header' };
  if (!topic) return { ok: false, reason: 'missing X-Shopify-Topic header' };
  const json = parseJson(raw);
  if (!json.ok) return json;
  if (!isHandledTopic('shopify', topic)) {
    const resource = shopifyAnyResource.safeParse(json.value);
    if (!resource.success) return { ok: false, reason: `invalid ${topic} payload: ${issuesText(resource.error)}` };
    // orders/edited -> shopify:order:<id>, so a release that handles the topic can replay the row as is.
    const businessKey = `shopify:${topic.split('/')[0]!.replace(/s$/, '')}:${resource.data.id ?? webhookId}`;
    return { ok: true, events: [{ provider: 'shopify', eventId: webhookId, topic, businessKey, payload: json.value, ignored: true }] };
  }
  const order = shopifyOrder.safeParse(json.value);
  if (!order.success) return { ok: false, reason: `invalid order payload: ${issuesText(order.error)}` };
  return { ok: true, events: [{ provider: 'shopify', eventId: webhookId, topic, businessKey: `shopify:order:${order.data.id}`, payload: json.value }] };
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

// Some objects have no id (the `balance` of balance.available): only the event types we handle need one.
const stripeEvent = z.object({
  id: z.string().regex(/^evt_/, 'must start with evt_'),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.object({ id: z.string().min(1).optional(), object: z.string().min(1) }).passthrough() }),
});

export function parseStripe(raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const event = stripeEvent.safeParse(json.value);
  if (!event.success) return { ok: false, reason: `invalid Stripe event: ${issuesText(event.error)}` };
  const { id: eventId, type: topic } = event.data;
  const object = event.data.data.object;
  const ignored = !isHandledTopic('stripe', topic);
  if (!ignored && !object.id) return { ok: false, reason: 'invalid Stripe event: data.object.id: required' };
  const businessKey = `stripe:${object.object}:${object.id ?? eventId}`;
  return { ok: true, events: [{ provider: 'stripe', eventId, topic, businessKey, payload: json.value, ...(ignored ? { ignored } : {}) }] };
}

// ---- all providers -----------------------------------------------------------

const TOPICS: Record<Provider, readonly string[]> = { hubspot: HUBSPOT_TOPICS, shopify: SHOPIFY_TOPICS, stripe: STRIPE_TOPICS };

/** Whether we subscribe to this topic (a flow handles it, or will: `contact.deletion` and Stripe wait as unrouted). */
export function isHandledTopic(provider: Provider, topic: string): boolean {
  return TOPICS[provider].includes(topic);
}

/** Parses one authenticated delivery; the same code serves the relay and the replay of quarantined bodies. */
export function parseDelivery(provider: Provider, raw: Buffer, headers: DeliveryHeaders): ParseResult {
  switch (provider) {
    case 'hubspot': return parseHubspot(raw);
    case 'shopify': return parseShopify(raw, { topic: headers['x-shopify-topic'], webhookId: headers['x-shopify-webhook-id'] });
    case 'stripe': return parseStripe(raw);
  }
}

/**
 * Identifies one distinct delivery for quarantine: redeliveries share it, distinct webhooks do not. Shopify sends
 * byte-identical bodies under several topics (orders/paid and orders/updated), so its topic and webhook id count.
 */
export function deliveryFingerprint(provider: Provider, raw: Buffer, headers: DeliveryHeaders): string {
  const hash = createHash('sha256');
  if (provider === 'shopify') hash.update(`${headers['x-shopify-topic'] ?? ''}\n${headers['x-shopify-webhook-id'] ?? ''}\n`);
  return hash.update(raw).digest('hex');
}

export const PROVIDERS: readonly Provider[] = ['hubspot', 'shopify', 'stripe'];
export const isProvider = (value: string): value is Provider => (PROVIDERS as readonly string[]).includes(value);
