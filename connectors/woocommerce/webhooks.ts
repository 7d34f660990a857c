import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { businessKeyOf, fingerprintOf, instantOf, issuesText, parseJson, type DeliveryHeaders, type ParseResult } from '../../domain/webhooks/events';
import { erpReferencesIn } from '../../ports/shop';
import type { EventKind, WebhookSource } from '../../ports/webhooks';
import { safeEqual, type Verdict } from '../../domain/webhooks/signatures';
import { ERP_TAGS_META } from './schema';

/**
 * WooCommerce order webhooks: signing (the simulator), verification and parsing (the relay), in the shapes the
 * relay already uses for the other vendors. Pure apart from the HMAC.
 *
 * Woo signs the raw body: `X-WC-Webhook-Signature` is base64(HMAC-SHA256(body, webhook secret)). The topic is in
 * `X-WC-Webhook-Topic` and each delivery carries `X-WC-Webhook-Delivery-ID`, our dedupe key. A new webhook is
 * first "pinged" with an unsigned form body `webhook_id=<id>`, which must get a 2xx but is no event.
 */

export const WOOCOMMERCE_TOPICS = ['order.created', 'order.updated', 'order.deleted'] as const;
export type WoocommerceTopic = (typeof WOOCOMMERCE_TOPICS)[number];

export const WC_HEADERS = {
  signature: 'x-wc-webhook-signature',
  topic: 'x-wc-webhook-topic',
  deliveryId: 'x-wc-webhook-delivery-id',
  resource: 'x-wc-webhook-resource',
} as const;

export function signWoocommerce(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function verifyWoocommerce(args: { secret: string; rawBody: Buffer; signature: string | undefined }): Verdict {
  if (!args.signature) return { ok: false, reason: 'missing X-WC-Webhook-Signature header' };
  return safeEqual(signWoocommerce(args.secret, args.rawBody), args.signature) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** Woo's delivery-URL check when a webhook is saved: no topic, body `webhook_id=<n>`. Answer 2xx, store nothing. */
export function isWoocommercePing(rawBody: Buffer, headers: { topic?: string }): boolean {
  return !headers.topic && /^webhook_id=\d+$/.test(rawBody.toString('utf8').trim());
}

/** order.deleted carries only `{ id }`; the other topics the whole order as `GET /orders/<id>` returns it. */
const orderBody = z.object({ id: z.number().int().positive(), status: z.string().optional() }).passthrough();

export function parseWoocommerce(connection: string, rawBody: Buffer, headers: DeliveryHeaders): ParseResult {
  const deliveryId = headers[WC_HEADERS.deliveryId];
  const topic = headers[WC_HEADERS.topic];
  const resource = headers[WC_HEADERS.resource];
  if (!deliveryId) return { ok: false, reason: 'missing X-WC-Webhook-Delivery-ID header' };
  if (!topic) return { ok: false, reason: 'missing X-WC-Webhook-Topic header' };
  const json = parseJson(rawBody);
  if (!json.ok) return json;
  if (!(WOOCOMMERCE_TOPICS as readonly string[]).includes(topic)) {
    // product.updated, customer.created...: kept as ignored, answered 2xx (Woo disables a webhook after failures).
    const id = (json.value as { id?: unknown } | null)?.id;
    const businessKey = businessKeyOf(connection, topic.split('.')[0] ?? 'event', typeof id === 'number' || typeof id === 'string' ? id : deliveryId);
    return { ok: true, events: [{ provider: connection, eventId: deliveryId, topic, businessKey, payload: json.value, ignored: true }] };
  }
  if (resource !== undefined && resource !== 'order') return { ok: false, reason: `unexpected resource ${resource}` };
  const order = orderBody.safeParse(json.value);
  if (!order.success) return { ok: false, reason: `invalid order payload: ${issuesText(order.error)}` };
  // order.updated carries the order with `date_modified_gmt` (UTC, no offset): the version it brings to the flow,
  // which applies the order as it is. Not order.created: Woo builds a body when it delivers it, so a late creation
  // may show a newer order than a flow already under way (which only notes it) holds. order.deleted carries the id only.
  const modified = (json.value as { date_modified_gmt?: unknown }).date_modified_gmt;
  const version = topic === 'order.updated' && typeof modified === 'string' ? instantOf(`${modified}Z`) : undefined;
  return { ok: true, events: [{
    provider: connection, eventId: deliveryId, topic, businessKey: businessKeyOf(connection, 'order', order.data.id), payload: json.value,
    ...(version ? { version } : {}),
  }] };
}

/**
 * What an order webhook means for the order flow. Woo has no "cancelled" topic: a cancellation is an update whose
 * order is now cancelled (or trashed), and a deletion ends the order too.
 */
export function orderKind(topic: string, payload: unknown): EventKind | null {
  if (!(WOOCOMMERCE_TOPICS as readonly string[]).includes(topic)) return null;
  if (topic === 'order.deleted') return 'order-cancelled';
  const status = (payload as { status?: unknown } | null)?.status;
  if (status === 'cancelled' || status === 'trash') return 'order-cancelled';
  return topic === 'order.created' ? 'order-created' : 'order-updated';
}

export const woocommerceWebhooks: WebhookSource = {
  vendor: 'woocommerce',
  keepsHeader: (name) => name.startsWith('x-wc-webhook-'),
  verify: (req, secret) => verifyWoocommerce({ secret, rawBody: req.rawBody, signature: req.headers[WC_HEADERS.signature] }),
  isPing: (req) => isWoocommercePing(req.rawBody, { topic: req.headers[WC_HEADERS.topic] }),
  parse: parseWoocommerce,
  // Woo gives every delivery its own id, also a resend of the same body: the body alone identifies it.
  fingerprint: (raw) => fingerprintOf(raw),
  kindOf: orderKind,
  echoMarks: (_topic, payload) => wooErpTags(payload),
};

/** The ERP tags in a webhook's order: our meta field, one comma-separated string. */
export function wooErpTags(payload: unknown): string[] {
  const meta = (payload as { meta_data?: unknown } | null)?.meta_data;
  if (!Array.isArray(meta)) return [];
  const entry = meta.find((m: unknown) => (m as { key?: unknown } | null)?.key === ERP_TAGS_META) as { value?: unknown } | undefined;
  return typeof entry?.value === 'string' ? erpReferencesIn(entry.value) : [];
}
