import { createHmac, timingSafeEqual } from 'node:crypto';

/** Webhook signature schemes of the three vendors: signing (used by our simulators) and verification (the relay). */

export type Verdict = { ok: true } | { ok: false; reason: string };

const ok: Verdict = { ok: true };
const fail = (reason: string): Verdict => ({ ok: false, reason });

function hmac(secret: string, data: Buffer | string, encoding: 'base64' | 'hex'): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

/** Constant-time comparison that does not leak the expected length through an exception. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// ---- HubSpot signature v3 -------------------------------------------------

export const HUBSPOT_MAX_AGE_MS = 5 * 60 * 1000;

/** HubSpot signs the URI with these characters decoded, whatever the client sent. */
const HUBSPOT_DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

function hubspotUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODED[m.toUpperCase()] ?? m);
}

export function signHubspotV3(secret: string, method: string, uri: string, rawBody: Buffer | string, timestampMs: number): string {
  const source = Buffer.concat([Buffer.from(method.toUpperCase() + hubspotUri(uri)), Buffer.from(rawBody), Buffer.from(String(timestampMs))]);
  return hmac(secret, source, 'base64');
}

export function verifyHubspotV3(args: {
  secret: string; method: string; uri: string; rawBody: Buffer;
  signature: string | undefined; timestamp: string | undefined; nowMs: number;
}): Verdict {
  if (!args.signature) return fail('missing X-HubSpot-Signature-v3 header');
  if (!args.timestamp || !/^\d+$/.test(args.timestamp)) return fail('missing or invalid X-HubSpot-Request-Timestamp header');
  const ts = Number(args.timestamp);
  if (Math.abs(args.nowMs - ts) > HUBSPOT_MAX_AGE_MS) return fail('timestamp outside the 5-minute window');
  const expected = signHubspotV3(args.secret, args.method, args.uri, args.rawBody, ts);
  return safeEqual(expected, args.signature) ? ok : fail('signature mismatch');
}

// ---- Shopify --------------------------------------------------------------

export function signShopify(secret: string, rawBody: Buffer | string): string {
  return hmac(secret, rawBody, 'base64');
}

export function verifyShopify(args: { secret: string; rawBody: Buffer; signature: string | undefined }): Verdict {
  if (!args.signature) return fail('missing X-Shopify-Hmac-Sha256 header');
  return safeEqual(signShopify(args.secret, args.rawBody), args.signature) ? ok : fail('signature mismatch');
}

// ---- Stripe ---------------------------------------------------------------

export const STRIPE_TOLERANCE_SECONDS = 300;

export function signStripe(secret: string, rawBody: Buffer | string, timestampSeconds: number): string {
  const v1 = hmac(secret, Buffer.concat([Buffer.from(`${timestampSeconds}.`), Buffer.from(rawBody)]), 'hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export function verifyStripe(args: { secret: string; rawBody: Buffer; header: string | undefined; nowSeconds: number }): Verdict {
  if (!args.header) return fail('missing Stripe-Signature header');
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of args.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) candidates.push(value);
  }
  if (timestamp === undefined) return fail('Stripe-Signature has no timestamp');
  if (candidates.length === 0) return fail('Stripe-Signature has no v1 signature');
  if (Math.abs(args.nowSeconds - timestamp) > STRIPE_TOLERANCE_SECONDS) return fail('timestamp outside the 300-second tolerance');
  const expected = hmac(args.secret, Buffer.concat([Buffer.from(`${timestamp}.`), args.rawBody]), 'hex');
  return candidates.some((c) => safeEqual(expected, c)) ? ok : fail('signature mismatch');
}
