import { z } from 'zod';
import { businessKeyOf, digits, fingerprintOf, instantOf, issuesText, parseJson, type DeliveryHeaders, type ParseResult } from '../../domain/webhooks/events';
import type { EventKind, WebhookSource } from '../../ports/webhooks';
import { erpReferencesIn } from '../../ports/shop';
import { verifyShopify } from './signature';

/** Shopify webhooks: one resource per request, topic and webhook id in headers, HMAC of the raw body. */

const KINDS: Record<string, EventKind> = {
  'orders/create': 'order-created',
  'orders/updated': 'order-updated',
  'orders/paid': 'order-paid',
  'orders/cancelled': 'order-cancelled',
};
export const SHOPIFY_TOPICS = Object.keys(KINDS);
/** The topics whose order the flow applies as it is: their `updated_at` is a version brought to the flow. */
const VERSIONED_TOPICS: ReadonlySet<string> = new Set(['orders/updated', 'orders/cancelled']);

const shopifyOrder = z.object({ id: digits }).passthrough();
const shopifyAnyResource = z.object({ id: z.union([z.number(), z.string()]).optional() }).passthrough();

export function parseShopify(connection: string, raw: Buffer, headers: DeliveryHeaders): ParseResult {
  const topic = headers['x-shopify-topic'];
  const webhookId = headers['x-shopify-webhook-id'];
  if (!webhookId) return { ok: false, reason: 'missing X-Shopify-Webhook-Id header' };
  if (!topic) return { ok: false, reason: 'missing X-Shopify-Topic header' };
  const json = parseJson(raw);
  if (!json.ok) return json;
  if (!KINDS[topic]) {
    const resource = shopifyAnyResource.safeParse(json.value);
    if (!resource.success) return { ok: false, reason: `invalid ${topic} payload: ${issuesText(resource.error)}` };
    // orders/edited -> <connection>:order:<id>, so a release that handles the topic can replay the row as is.
    const businessKey = businessKeyOf(connection, topic.split('/')[0]!.replace(/s$/, ''), resource.data.id ?? webhookId);
    return { ok: true, events: [{ provider: connection, eventId: webhookId, topic, businessKey, payload: json.value, ignored: true }] };
  }
  const order = shopifyOrder.safeParse(json.value);
  if (!order.success) return { ok: false, reason: `invalid order payload: ${issuesText(order.error)}` };
  // Every order topic carries the whole order, `updated_at` included (with the shop's offset): the version the event
  // brings to the flow, for the topics the flow applies whole (an update, a cancellation). Not orders/paid (once the
  // lines are frozen the flow takes only the payment from a re-read) nor orders/create (a flow already under way only
  // notes it); the flow's own write of the ERP number records what it holds (engine/write-echo.ts).
  const version = VERSIONED_TOPICS.has(topic) ? instantOf((json.value as { updated_at?: unknown }).updated_at) : undefined;
  return { ok: true, events: [{
    provider: connection, eventId: webhookId, topic, businessKey: businessKeyOf(connection, 'order', order.data.id), payload: json.value,
    ...(version ? { version } : {}),
  }] };
}

export const shopifyWebhooks: WebhookSource = {
  vendor: 'shopify',
  keepsHeader: (name) => name.startsWith('x-shopify-'),
  verify: (req, secret) => verifyShopify({ secret, rawBody: req.rawBody, signature: req.headers['x-shopify-hmac-sha256'] }),
  parse: parseShopify,
  // Shopify sends byte-identical bodies under several topics (orders/paid and orders/updated): topic and id count.
  fingerprint: (raw, headers) => fingerprintOf(raw, headers['x-shopify-topic'], headers['x-shopify-webhook-id']),
  kindOf: (topic) => KINDS[topic] ?? null,
  echoMarks: (_topic, payload) => shopifyErpTags(payload),
};

/** The ERP tags in a webhook's order (REST `tags`: one comma-separated string). */
export function shopifyErpTags(payload: unknown): string[] {
  const tags = (payload as { tags?: unknown } | null)?.tags;
  if (typeof tags !== 'string') return [];
  return erpReferencesIn(tags);
}
