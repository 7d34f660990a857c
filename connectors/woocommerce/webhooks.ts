import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { InboundEvent } from '../../domain/webhooks/events';
import { safeEqual, type Verdict } from '../../domain/webhooks/signatures';

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

/** Until the relay's Provider includes 'woocommerce', the event is typed here with everything else as InboundEvent. */
export type WoocommerceEvent = Omit<InboundEvent, 'provider'> & { provider: 'woocommerce' };
export type WoocommerceParseResult = { ok: true; events: WoocommerceEvent[] } | { ok: false; reason: string };

/** order.deleted carries only `{ id }`; the other topics the whole order as `GET /orders/<id>` returns it. */
const orderBody = z.object({ id: z.number().int().positive(), status: z.string().optional() }).passthrough();

export interface WoocommerceHeaders { topic?: string; deliveryId?: string; resource?: string }

export function parseWoocommerce(rawBody: Buffer, headers: WoocommerceHeaders): WoocommerceParseResult {
  if (!headers.deliveryId) return { ok: false, reason: 'missing X-WC-Webhook-Delivery-ID header' };
  if (!headers.topic) return { ok: false, reason: 'missing X-WC-Webhook-Topic header' };
  if (!(WOOCOMMERCE_TOPICS as readonly string[]).includes(headers.topic)) return { ok: false, reason: `unknown topic ${headers.topic}` };
  if (headers.resource !== undefined && headers.resource !== 'order') return { ok: false, reason: `unexpected resource ${headers.resource}` };
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  const order = orderBody.safeParse(json);
  if (!order.success) {
    const issues = order.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid order payload: ${issues}` };
  }
  const businessKey = `woocommerce:order:${order.data.id}`;
  return {
    ok: true,
    events: [{ provider: 'woocommerce', eventId: headers.deliveryId, topic: headers.topic, businessKey, payload: json }],
  };
}

/**
 * What an order webhook means for the order flow. Woo has no "cancelled" topic: a cancellation is an update whose
 * order is now cancelled (or trashed), and a deletion ends the order too.
 */
export type OrderChange = 'created' | 'updated' | 'cancelled';

export function orderChange(topic: string, payload: unknown): OrderChange {
  if (topic === 'order.deleted') return 'cancelled';
  const status = (payload as { status?: unknown } | null)?.status;
  if (status === 'cancelled' || status === 'trash') return 'cancelled';
  return topic === 'order.created' ? 'created' : 'updated';
}
