import { fail, hmac, ok, safeEqual, type Verdict } from '../../domain/webhooks/signatures';

/** HubSpot's webhook signature v3: signing (our simulator) and verification (the relay). */

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

