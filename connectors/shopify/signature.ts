import { fail, hmac, ok, safeEqual, type Verdict } from '../../domain/webhooks/signatures';

/** Shopify's webhook HMAC: signing (our simulator) and verification (the relay). */

export function signShopify(secret: string, rawBody: Buffer | string): string {
  return hmac(secret, rawBody, 'base64');
}

export function verifyShopify(args: { secret: string; rawBody: Buffer; signature: string | undefined }): Verdict {
  if (!args.signature) return fail('missing X-Shopify-Hmac-Sha256 header');
  return safeEqual(signShopify(args.secret, args.rawBody), args.signature) ? ok : fail('signature mismatch');
}

